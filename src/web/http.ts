/**
 * HTTP plumbing of the lab: errors with a status and a plain-words message, a size-limited body
 * reader (413 past the limit, checked on Content-Length and while streaming), JSON bodies validated
 * with zod (400 naming the field), and JSON responses. Every error becomes `{ error: "..." }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** An error that is answered with `status` and shown to the user as `message`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Default upload limit: 5 MiB per request body. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

const megabytes = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;

/** Reads the whole body, or throws HttpError 413 as soon as it passes `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  // Connection: close, so a client does not reuse a socket whose request body was cut short.
  const tooLarge = () =>
    new HttpError(413, `the upload is too large: the limit is ${megabytes(limit)}`, { Connection: 'close' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain what the client still sends, so it can read our answer
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Plain words for the first zod issue: `config.delta: expected number, received string`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'the request';
  return `${where}: ${issue.message}`;
}

/** Reads a JSON body and validates it with `schema`; bad JSON or a schema violation is a 400. */
export async function readJson<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
  limit?: number,
): Promise<z.infer<S>> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) {
    throw new HttpError(415, `send the request as JSON (Content-Type: application/json), got ${JSON.stringify(type)}`);
  }
  const text = (await readBody(req, limit)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `invalid request: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

/** Security headers sent with every answer. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
});

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
