/**
 * The lab server on loopback (serving the test run's web build, with the analytic demo model for
 * the JSON APIs): the built site with its CSP; every kind of bad request gets its status and a
 * plain-words message and the server keeps serving; good edits, scene picks and scaling answers;
 * a bounded load test (200 requests, 8 at a time).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodePng } from '../../src/core/image.js';
import { SHIPPED_MODELS } from '../../src/pipeline/index.js';
import { type LabServer, startLabServer } from '../../src/web/index.js';

let lab: LabServer;

const webDir = inject('webDir');

beforeAll(async () => {
  lab = await startLabServer({ port: 0, model: 'analytic', webDir });
});
afterAll(async () => {
  await lab?.close();
});

async function post(path: string, body: unknown, type = 'application/json') {
  const res = await fetch(new URL(path, lab.url), {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A raw GET whose path is sent exactly as given (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(lab.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sceneImage = { kind: 'scene', seed: 3, editType: 'background' } as const;
const edit = (over: Record<string, unknown> = {}) => ({
  image: sceneImage,
  source: 'a red circle on grass',
  target: 'a red circle on snow',
  method: 'chord',
  ...over,
});

async function stillServing() {
  const res = await fetch(new URL('/api/info', lab.url));
  expect(res.status).toBe(200);
  expect(((await res.json()) as { model: string }).model).toBe('analytic');
}

describe('lab server: pages and good requests', () => {
  it('serves the built site (the one UI) with a content security policy', async () => {
    const page = await fetch(lab.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval';/); // wasm, but no JS eval
    const html = await page.text();
    expect(html).toBe(readFileSync(join(webDir, 'index.html'), 'utf8'));
    for (const id of ['page-chordedit', 'page-scaling', 'page-diffusion', 'page-rope', 'page-grpo']) {
      expect(html).toContain(`id="${id}"`);
    }
    const scripts = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of [...scripts, 'models/toy/files.json', 'models/toy/unet/model.onnx']) {
      const r = await fetch(new URL(file, lab.url));
      expect(r.status, file).toBe(200);
    }
    const wasm = readdirSync(join(webDir, 'assets')).find((f) => f.endsWith('.wasm')) as string;
    expect((await fetch(new URL(`assets/${wasm}`, lab.url))).headers.get('content-type')).toBe('application/wasm');
  });

  it('without a build it says how to make one', async () => {
    await expect(startLabServer({ port: 0, webDir: '/no/such/build' })).rejects.toThrow(
      /the web lab is not built at \/no\/such\/build \(no index.html\): run `npm run build:web`/,
    );
  });

  it('binds to loopback by default', () => {
    expect(new URL(lab.url).hostname).toBe('127.0.0.1');
  });

  it('picks a toy-world edit pair and edits it with every method', async () => {
    const scene = await post('/api/scene', { seed: 3, editType: 'background' });
    expect(scene.status).toBe(200);
    expect(String(scene.body.source)).toMatch(/^data:image\/png;base64,/);
    for (const method of ['chord', 'naive', 'sdedit', 'sdedit-ddim', 'ddim-inversion']) {
      const r = await post('/api/edit', edit({ method, config: { steps: 2 } }));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(String(r.body.result)).toMatch(/^data:image\/png;base64,/);
      expect(String(r.body.groundTruth)).toMatch(/^data:image\/png;base64,/);
      const nfe = { chord: 3, naive: 3, sdedit: 2, 'sdedit-ddim': 2, 'ddim-inversion': 4 }[method];
      expect(r.body.nfe).toBe(nfe);
      expect((r.body.energies as unknown[]).length).toBe(method === 'chord' || method === 'naive' ? 2 : 0);
    }
  });

  it('edits an uploaded PNG (resized to the model size)', async () => {
    const image = { data: new Float32Array(3 * 40 * 50).fill(0.2), channels: 3, height: 40, width: 50 };
    const data = Buffer.from(await encodePng(image)).toString('base64');
    const r = await post('/api/edit', edit({ image: { kind: 'upload', data } }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.groundTruth).toBeNull();
    expect(r.body.metrics).toBeNull();
  });

  it('draws a preset law and fits uploaded runs', async () => {
    const law = await post('/api/scaling/law', { law: 'hoffmann2022', budget: 1e21 });
    expect(law.status).toBe(200);
    expect(String(law.body.contourSvg)).toMatch(/^<svg/);
    const alloc = law.body.allocation as { params: number; tokens: number; flops: number };
    expect(6 * alloc.params * alloc.tokens).toBeCloseTo(1e21, -15);
    // Runs generated from a known law: the fit recovers it.
    const truth = { E: 1.8, A: 400, B: 1000, alpha: 0.35, beta: 0.3 };
    const lines = ['N,D,loss'];
    for (const n of [1e7, 3e7, 1e8, 3e8, 1e9, 3e9])
      for (const d of [1e9, 4e9, 1.6e10, 6.4e10])
        lines.push(`${n},${d},${truth.E + truth.A * n ** -truth.alpha + truth.B * d ** -truth.beta}`);
    const fit = await post('/api/scaling/fit', { csv: lines.join('\n'), budget: 1e21 });
    expect(fit.status, JSON.stringify(fit.body)).toBe(200);
    const got = fit.body.law as typeof truth;
    expect(got.E).toBeCloseTo(truth.E, 2);
    expect(got.alpha).toBeCloseTo(truth.alpha, 2);
    expect(got.beta).toBeCloseTo(truth.beta, 2);
  });
});

describe('lab server: the toy model', () => {
  it('edits with the shipped toy weights, or says in plain words that they are missing', async () => {
    const toy = await startLabServer({ port: 0, model: 'toy', webDir });
    try {
      const res = await fetch(new URL('/api/edit', toy.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(edit({ source: 'x', target: 'y' })),
      });
      const body = (await res.json()) as { model?: string; nfe?: number; result?: string; error?: string };
      if (existsSync(SHIPPED_MODELS.toy)) {
        // Prompts come from the scene pick so the toy tokenizer knows every word.
        const scene = await post('/api/scene', { seed: 3, editType: 'colour' });
        const r = await fetch(new URL('/api/edit', toy.url), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(
            edit({
              image: { kind: 'scene', seed: 3, editType: 'colour' },
              source: scene.body.sourceCaption,
              target: scene.body.targetCaption,
            }),
          ),
        });
        const good = (await r.json()) as typeof body & { metrics: { psnrToTruth: number } };
        expect(r.status, JSON.stringify(good)).toBe(200);
        expect(good.model).toBe('toy');
        expect(good.nfe).toBe(2);
        expect(Number.isFinite(good.metrics.psnrToTruth)).toBe(true);
        expect(res.status).toBe(400); // 'x' and 'y' are not captions the toy tokenizer reads
      } else {
        expect(res.status).toBe(503);
        expect(body.error).toMatch(/^the edit model 'toy' is not available: model folder not found/);
      }
    } finally {
      await toy.close();
    }
  }, 60_000);
});

describe('lab server: other parts through the tour registry', () => {
  it('lists the registered sections and runs one in quick mode', async () => {
    const list = (await (await fetch(new URL('/api/sections', lab.url))).json()) as { id: string }[];
    expect(list.map((s) => s.id)).toEqual(expect.arrayContaining(['scaling', 'rope']));
    const r = await post('/api/section', { id: 'rope' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.title).toBe('RoPE: rotary position embeddings');
    expect(String(r.body.html)).toMatch(/<table>|<svg/);
  }, 60_000);

  it('an unknown section -> 400 listing the known ones', async () => {
    const r = await post('/api/section', { id: 'astrology' });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(/^unknown section 'astrology'; known sections: .*rope/);
  });
});

describe('lab server: every bad request gets a plain answer and the server keeps serving', () => {
  it('bad JSON -> 400', async () => {
    const r = await post('/api/edit', '{"image": ');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('the request body is not valid JSON');
    await stillServing();
  });

  it('schema violations -> 400 naming the field', async () => {
    const bad = [
      [edit({ method: 'magic' }), /method/],
      [edit({ config: { t: 'high' } }), /config\.t/],
      [edit({ config: { noiseSamples: 1000 } }), /config\.noiseSamples/],
      [edit({ extra: 1 }), /extra/],
      [edit({ source: '' }), /source/],
      [{ ...edit(), image: { kind: 'file', path: '/etc/passwd' } }, /image/],
      [{ law: 'kaplan', budget: 1e21 }, /law/],
    ] as const;
    for (const [body, pattern] of bad) {
      const path = 'law' in body ? '/api/scaling/law' : '/api/edit';
      const r = await post(path, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(String(r.body.error)).toMatch(/^invalid request: /);
      expect(String(r.body.error)).toMatch(pattern);
    }
    await stillServing();
  });

  it('out-of-range ChordEdit settings -> 400 with the rule', async () => {
    const r = await post('/api/edit', edit({ config: { t: 0.5, delta: 0.6 } }));
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(/delta/);
  });

  it('a prompt the model cannot read -> 400 in plain words', async () => {
    const r = await post('/api/edit', edit({ target: 'a red circle on the moon' }));
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(/only understands prompts that name a background/);
  });

  it('wrong content type -> 415', async () => {
    const r = await post('/api/edit', JSON.stringify(edit()), 'text/plain');
    expect(r.status).toBe(415);
    expect(String(r.body.error)).toMatch(/JSON/);
  });

  it('oversized upload -> 413', async () => {
    const data = Buffer.alloc(6 * 1024 * 1024, 7).toString('base64');
    const r = await post('/api/edit', edit({ image: { kind: 'upload', data } }));
    expect(r.status).toBe(413);
    expect(String(r.body.error)).toMatch(/too large: the limit is 5\.0 MB/);
    await stillServing();
  });

  it('oversized chunked body (no Content-Length) -> 413 while streaming', async () => {
    const { hostname, port } = new URL(lab.url);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { host: hostname, port, path: '/api/edit', method: 'POST', headers: { 'Content-Type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 'a');
      for (let i = 0; i < 24; i++) req.write(chunk); // 6 MiB, sent chunked
      req.end();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error).toMatch(/too large/);
    await stillServing();
  });

  it('non-image upload -> 400 (type checked by content)', async () => {
    const data = Buffer.from('#!/bin/sh\necho this is not a picture\n').toString('base64');
    const r = await post('/api/edit', edit({ image: { kind: 'upload', data } }));
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(/the uploaded file is not an image/);
    await stillServing();
  });

  it('an upload that decodes to nothing ("====") -> 400, not 500', async () => {
    const r = await post('/api/edit', edit({ image: { kind: 'upload', data: '====' } }));
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toBe('the uploaded file is empty (expected a base64-encoded image)');
    await stillServing();
  });

  it('an image too large in pixels -> 400 before decoding', async () => {
    const big = { data: new Float32Array(3 * 4100 * 4100), channels: 3, height: 4100, width: 4100 };
    const data = Buffer.from(await encodePng(big)).toString('base64');
    expect(data.length).toBeLessThan(5 * 1024 * 1024);
    const r = await post('/api/edit', edit({ image: { kind: 'upload', data } }));
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toBe('the uploaded file is 4100 x 4100 pixels; the lab accepts at most 4096 x 4096');
  }, 20_000);

  it('bad CSV of runs -> 400 naming the upload, not a server path', async () => {
    const r = await post('/api/scaling/fit', { csv: 'N,D,loss\n1e9,2e10,-3\n', budget: 1e21 });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(/^the uploaded CSV/);
    expect(String(r.body.error)).not.toMatch(/modelmath-lab-/);
  });

  it('malformed HTTP -> 400 from the parser', async () => {
    const { hostname, port } = new URL(lab.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
      let text = '';
      socket.on('data', (c) => {
        text += c;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    await stillServing();
  });

  it('unknown route -> 404', async () => {
    const r = await fetch(new URL('/api/nothing', lab.url));
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: string }).error).toBe('there is no page or API at /api/nothing');
  });

  it('method not allowed -> 405 with Allow', async () => {
    const get = await fetch(new URL('/api/edit', lab.url));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const del = await fetch(new URL('/index.html', lab.url), { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
  });

  it('path traversal attempts -> 404, no file content', async () => {
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fpackage.json',
      '/public/../server.ts',
      '/index.html/../../package.json',
      '//etc/passwd',
    ]) {
      const r = await rawGet(path);
      expect(r.status, path).toBe(404);
      expect(r.text).not.toMatch(/root:|"name": "modelmath"|startLabServer/);
    }
    await stillServing();
  });

  it('a model that cannot load -> 503 naming the cause; the server keeps serving', async () => {
    const broken = await startLabServer({ port: 0, model: '/nonexistent/sd-turbo-folder', webDir });
    try {
      const res = await fetch(new URL('/api/edit', broken.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(edit()),
      });
      expect(res.status).toBe(503);
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(/^the edit model '\/nonexistent\/sd-turbo-folder' is not available: /);
      expect((await fetch(new URL('/api/info', broken.url))).status).toBe(200);
    } finally {
      await broken.close();
    }
  });
});

describe('lab server: bounded load on loopback', () => {
  /** `total` requests, `concurrency` at a time; returns the count per status. */
  async function load(url: string, total: number, concurrency: number) {
    const counts = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const res = await fetch(new URL('/api/edit', url), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(edit({ image: { kind: 'scene', seed: i % 5, editType: 'background' } })),
        });
        await res.arrayBuffer();
        counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return counts;
  }

  it('200 requests, 8 concurrent, with the default queue (2 + 8): all 200', async () => {
    const counts = await load(lab.url, 200, 8);
    expect([...counts.entries()]).toEqual([[200, 200]]);
    expect(lab.queue.load).toEqual({ running: 0, waiting: 0 });
  }, 60_000);

  it('200 requests, 8 concurrent, with a small queue (1 + 2): only 200s and 503s, both seen', async () => {
    const small = await startLabServer({ port: 0, model: 'analytic', running: 1, waiting: 2, webDir });
    try {
      const counts = await load(small.url, 200, 8);
      expect([...counts.keys()].sort()).toEqual([200, 503]);
      expect((counts.get(200) ?? 0) + (counts.get(503) ?? 0)).toBe(200);
      expect((await fetch(new URL('/api/info', small.url))).status).toBe(200);
    } finally {
      await small.close();
    }
  }, 60_000);
});
