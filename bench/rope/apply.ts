/**
 * applyRope throughput at [32 heads, 4096 positions, 128] fp32 in both layouts, side by side with
 * the PyTorch peer (apply_torch.py, one thread). "full" includes building the cos/sin tables
 * (what `applyRope` does per call); "apply" uses precomputed tables (`applyRopeWithTables`).
 * Run: npx tsx bench/rope/apply.ts [heads positions dim repeats]. Prints one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/core/rng.js';
import { applyRope, applyRopeWithTables, type RopeLayout, ropeTables } from '../../src/rope/index.js';

const [heads, positions, dim, repeats] = (
  process.argv.slice(2).length ? process.argv.slice(2) : ['32', '4096', '128', '7']
).map(Number);

function medianMs(fn: () => unknown): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Finds a Python with torch (Debian's system python first) and runs the peer; null if none. */
function torchPeer(): Record<string, { fullMs: number; applyMs: number }> | null {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'apply_torch.py');
  for (const py of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const run = spawnSync(py, [script, String(heads), String(positions), String(dim), String(repeats)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    if (run.status === 0) return JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null');
    process.stderr.write(`torch peer failed: ${run.stderr}\n`);
    return null;
  }
  return null;
}

const x = new Rng(0).normals(heads * positions * dim);
const tables = ropeTables(positions, dim);
const result: Record<string, unknown> = { shape: [heads, positions, dim], dtype: 'float32', repeats };
const ours: Record<string, { fullMs: number; applyMs: number }> = {};
for (const layout of ['half', 'interleaved'] as RopeLayout[]) {
  ours[layout] = {
    fullMs: medianMs(() => applyRope(x, { headDim: dim, positions, layout })),
    applyMs: medianMs(() => applyRopeWithTables(x, tables, dim, layout)),
  };
}
result.modelmath = ours;
const peer = torchPeer();
result.torch = peer ?? 'skipped: no python with torch found';
if (peer) {
  const ratios: Record<string, { full: number; apply: number }> = {};
  for (const layout of ['half', 'interleaved']) {
    ratios[layout] = {
      full: +(peer[layout].fullMs / ours[layout].fullMs).toFixed(2),
      apply: +(peer[layout].applyMs / ours[layout].applyMs).toFixed(2),
    };
  }
  result.speedupVsTorch = ratios;
}
const elems = heads * positions * dim;
result.gElemsPerSec = Object.fromEntries(
  Object.entries(ours).map(([k, v]) => [k, +(elems / v.applyMs / 1e6).toFixed(3)]),
);
process.stdout.write(`${JSON.stringify(result)}\n`);
