// Wall times of the lab's APIs on loopback (median of 5 after one warm-up call), for docs/parts/web.md:
// `npx tsx test/web/timings.mts [model]` (default analytic). Not a test: it asserts nothing.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CHINCHILLA_CSV } from '../../src/scaling/index.js';
import { startLabServer } from '../../src/web/index.js';

const model = process.argv[2] ?? 'analytic';
const lab = await startLabServer({ port: 0, model });

async function time(path: string, body: unknown): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const res = await fetch(new URL(path, lab.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { error?: string };
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${answer.error}`);
    if (i > 0) ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[2];
}

const scene = { kind: 'scene', seed: 1, editType: 'background' };
const prompts = {
  source: 'a small purple dotted square at center on water',
  target: 'a small purple dotted square at center on grass',
};
const rows: Record<string, number> = {};
try {
  rows['scene pick'] = await time('/api/scene', { seed: 1, editType: 'background' });
  for (const method of ['chord', 'naive', 'sdedit', 'ddim-inversion']) {
    rows[`edit ${method}`] = await time('/api/edit', { image: scene, ...prompts, method });
  }
  rows['preset law (2 SVG figures)'] = await time('/api/scaling/law', { law: 'epoch2024', budget: 1e23 });
  rows['fit 245 Chinchilla runs (72 starts) + figures'] = await time('/api/scaling/fit', {
    csv: readFileSync(CHINCHILLA_CSV, 'utf8'),
    budget: 1e23,
  });
  process.stdout.write(`${JSON.stringify({ model, medianMs: rows })}\n`);
} finally {
  await lab.close();
}
