/**
 * The lab's HTTP server (Node `http`, no framework): serves the static site that `npm run build:web`
 * writes (dist/web: the one UI, computing in the browser), listed once at start into a table (a
 * request path is only ever a key into that table, never a file path); and, for scripts, JSON APIs
 * validated with zod, heavy work through a bounded JobQueue (503 when full), every failure
 * answered as `{ error }` in plain words while the server keeps serving.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import type { z } from 'zod';
import type { EditModel } from '../chordedit/app/index.js';
import { CHORD_DEFAULTS, EDIT_METHODS } from '../chordedit/index.js';
import { InputError, ModelMathError } from '../core/errors.js';
import { LAW_NAMES } from '../scaling/index.js';
import { EDIT_TYPES } from '../toyworld/index.js';
import { WEB_DIST } from './build.js';
import { editAnswer, editSchema, sceneAnswer, sceneSchema } from './edit-api.js';
import { COMMON_HEADERS, HttpError, MAX_BODY_BYTES, readJson, sendJson } from './http.js';
import { ModelSlot } from './models.js';
import { JobCancelledError, JobQueue, QueueFullError } from './queue.js';
import { fitAnswer, fitSchema, lawSchema, presetAnswer } from './scaling-api.js';
import { sectionAnswer, sectionList, sectionSchema } from './sections-api.js';

export interface LabOptions {
  /** Interface to bind. Default '127.0.0.1' (loopback only); another host only when given. */
  host: string;
  /** TCP port; 0 picks a free one. Default 8765. */
  port: number;
  /** Edit model: 'toy' (the shipped ONNX folder), 'analytic' (test/demo model) or a diffusers/Optimum ONNX folder. Default 'toy'. */
  model: string;
  /** Heavy jobs running at once. Default 2. */
  running: number;
  /** Heavy jobs waiting for a slot; one more gets a 503. Default 8. */
  waiting: number;
  /** Largest request body in bytes (uploads included); larger gets a 413. Default 5 MiB. */
  maxBodyBytes: number;
  /** The built site to serve (`npm run build:web`). Default dist/web. */
  webDir: string;
}

export const SERVER_DEFAULTS: Readonly<LabOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 8765,
  model: 'toy',
  running: 2,
  waiting: 8,
  maxBodyBytes: MAX_BODY_BYTES,
  webDir: WEB_DIST,
});

/** Content types of the site's files, by extension. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/**
 * The pages compute in the browser: scripts from the site only, WebAssembly compiled from its own
 * binaries ('wasm-unsafe-eval', no JS eval), images from data/blob URLs the page makes itself.
 */
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self' data: blob:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'";

interface StaticFile {
  body: Buffer;
  type: string;
}

/** Every file of the built site, by URL path ('/' = index.html); read once at start. */
function loadStatic(webDir: string): Map<string, StaticFile> {
  if (!existsSync(join(webDir, 'index.html'))) {
    throw new InputError(`the web lab is not built at ${webDir} (no index.html): run \`npm run build:web\``);
  }
  const files = new Map<string, StaticFile>();
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${prefix}${e.name}/`);
      else if (e.isFile()) {
        const type = TYPES[extname(e.name)] ?? 'application/octet-stream';
        files.set(`${prefix}${e.name}`, { body: readFileSync(join(dir, e.name)), type });
      }
    }
  };
  walk(webDir, '/');
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}

/** An API route: its method, the zod schema of its body, and the work (queued when heavy). */
interface ApiRoute {
  method: 'GET' | 'POST';
  schema?: z.ZodType;
  heavy: boolean;
  answer: (body: never) => Promise<unknown> | unknown;
}

export interface LabServer {
  server: Server;
  /** The lab's address, e.g. http://127.0.0.1:8765/ */
  url: string;
  queue: JobQueue;
  close(): Promise<void>;
}

/** The model could not be loaded (e.g. folder missing): a 503 that names the cause. */
class ModelLoadError extends Error {}

/** Maps any error to a status and a plain-words message. */
function errorAnswer(
  err: unknown,
  model: string,
): { status: number; message: string; headers?: Record<string, string> } {
  if (err instanceof HttpError) return { status: err.status, message: err.message, headers: err.headers };
  if (err instanceof QueueFullError) return { status: 503, message: err.message, headers: { 'Retry-After': '2' } };
  if (err instanceof ModelLoadError) return { status: 503, message: err.message };
  if (err instanceof ModelMathError) return { status: 400, message: err.message };
  const detail = err instanceof Error ? err.message : String(err);
  return { status: 500, message: `the server failed on this request (model ${model}): ${detail}` };
}

/** The API table: info, scene pick, edit, preset law, fit. */
function apiRoutes(o: LabOptions, getModel: () => Promise<EditModel>): Record<string, ApiRoute> {
  const info = {
    model: o.model,
    methods: EDIT_METHODS,
    editTypes: EDIT_TYPES,
    laws: LAW_NAMES,
    defaults: CHORD_DEFAULTS,
    maxBodyBytes: o.maxBodyBytes,
  };
  return {
    '/api/info': { method: 'GET', heavy: false, answer: () => info },
    '/api/scene': { method: 'POST', schema: sceneSchema, heavy: true, answer: sceneAnswer },
    '/api/edit': {
      method: 'POST',
      schema: editSchema,
      heavy: true,
      answer: (b: z.infer<typeof editSchema>) => editAnswer(b, getModel),
    },
    '/api/scaling/law': { method: 'POST', schema: lawSchema, heavy: true, answer: presetAnswer },
    '/api/scaling/fit': { method: 'POST', schema: fitSchema, heavy: true, answer: fitAnswer },
    '/api/sections': { method: 'GET', heavy: false, answer: sectionList },
    '/api/section': { method: 'POST', schema: sectionSchema, heavy: true, answer: sectionAnswer },
  };
}

/** Sends one of the client's files (GET or HEAD only). */
function sendStatic(req: IncomingMessage, res: ServerResponse, path: string, file: StaticFile): void {
  // hashed assets never change; the page and model files are re-read on each visit
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HttpError(405, `${req.method} is not allowed on ${path}; use GET`, { Allow: 'GET, HEAD' });
  }
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': file.type,
    'Content-Length': file.body.length,
    'Content-Security-Policy': CSP,
    ...(path.startsWith('/assets/') ? { 'Cache-Control': 'public, max-age=31536000, immutable' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

/** Everything one request needs from the server. */
interface Handler {
  files: Map<string, StaticFile>;
  api: Record<string, ApiRoute>;
  queue: JobQueue;
  maxBodyBytes: number;
}

/** Routes one request: a client file, or an API call (body validated, heavy work queued). */
async function handle(h: Handler, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://lab.invalid').pathname;
  const file = h.files.get(path);
  if (file) return sendStatic(req, res, path, file);
  const route = h.api[path];
  if (!route) throw new HttpError(404, `there is no page or API at ${path}`);
  if (req.method !== route.method) {
    throw new HttpError(405, `${req.method} is not allowed on ${path}; use ${route.method}`, { Allow: route.method });
  }
  const body = route.schema ? await readJson(req, route.schema, h.maxBodyBytes) : undefined;
  const work = () => Promise.resolve(route.answer(body as never));
  sendJson(res, 200, route.heavy ? await h.queue.run(work, signal) : await work());
}

/** Starts the lab and resolves once it listens. */
export async function startLabServer(options: Partial<LabOptions> = {}): Promise<LabServer> {
  const o: LabOptions = { ...SERVER_DEFAULTS, ...options };
  const slot = new ModelSlot(o.model);
  const getModel = () =>
    slot.get().catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      throw new ModelLoadError(`the edit model '${o.model}' is not available: ${why}`);
    });
  const queue = new JobQueue(o.running, o.waiting);
  const h: Handler = { files: loadStatic(o.webDir), api: apiRoutes(o, getModel), queue, maxBodyBytes: o.maxBodyBytes };
  const server = createServer((req, res) => {
    const controller = new AbortController(); // fires when the client goes away before the answer
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    handle(h, req, res, controller.signal).catch((err: unknown) => {
      if (err instanceof JobCancelledError || res.headersSent || res.destroyed) {
        if (!res.writableEnded) res.end();
        return;
      }
      const { status, message, headers } = errorAnswer(err, o.model);
      sendJson(res, status, { error: message }, headers);
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}/`,
    queue,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await slot.dispose();
    },
  };
}
