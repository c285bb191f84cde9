/**
 * RoPE throughput at [1, 32 heads, 4096 positions, 128] fp32 in both layouts, paired with the
 * PyTorch peer (apply_torch.py, one thread): each round times our forms, then runs the peer, and
 * the JSON reports medians over rounds of per-round medians (process CPU time). Pairings compare
 * like with like: allocating forms, forms writing into a reused buffer, in-place forms; each of the
 * last two both on plain Float32Arrays (copied through wasm memory) and on a `ropeBuffer` (zero copy).
 * Run: npx tsx bench/rope/apply.ts [heads positions dim repeats rounds]. Prints one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/core/rng.js';
import {
  applyRope,
  applyRopeInto,
  applyRopeWithTables,
  type RopeLayout,
  ropeBuffer,
  ropeTables,
} from '../../src/rope/index.js';

const [heads, positions, dim, repeats, rounds] = (
  process.argv.slice(2).length ? process.argv.slice(2) : ['32', '4096', '128', '7', '5']
).map(Number);
const LAYOUTS: RopeLayout[] = ['half', 'interleaved'];

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median process-CPU milliseconds of `repeats` calls after one warm-up call. */
function medianCpuMs(fn: () => unknown): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1000);
  }
  return medianOf(times);
}

type Timings = Record<string, number>;
type PeerRun = { torch: string; threads: number; copy: number } & Record<RopeLayout, Timings>;

/** Debian's Python with torch 1.13 first; null if no interpreter imports torch. */
function torchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

function runPeer(py: string): PeerRun {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'apply_torch.py');
  const run = spawnSync(py, [script, String(heads), String(positions), String(dim), String(repeats)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (run.status !== 0) throw new Error(`torch peer failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null');
}

const x = new Rng(0).normals(heads * positions * dim);
const work = x.slice();
const buf = new Float32Array(x.length);
const tables = ropeTables(positions, dim);
const wasmBuf = ropeBuffer(2 * x.length); // x and out side by side in one zero-copy buffer
const [wasmX, wasmOut] = [wasmBuf.subarray(0, x.length), wasmBuf.subarray(x.length)];
wasmX.set(x);

/**
 * Our forms for one layout: allocating (new array per call), into a reused buffer, in place (plain
 * Float32Arrays, then x and out in a ropeBuffer), and with tables built per call.
 */
function ourRound(layout: RopeLayout): Timings {
  return {
    allocating: medianCpuMs(() => applyRopeWithTables(x, tables, dim, layout)),
    intoBuffer: medianCpuMs(() => applyRopeInto(x, tables, dim, layout, buf)),
    inPlace: medianCpuMs(() => applyRopeInto(work, tables, dim, layout, work)),
    ropeBufferIntoBuffer: medianCpuMs(() => applyRopeInto(wasmX, tables, dim, layout, wasmOut)),
    ropeBufferInPlace: medianCpuMs(() => applyRopeInto(wasmX, tables, dim, layout, wasmX)),
    full: medianCpuMs(() => applyRope(x, { headDim: dim, positions, layout })),
  };
}

const py = torchPython();
const ours: Record<string, Timings[]> = { half: [], interleaved: [], copy: [] };
const peer: PeerRun[] = [];
const load: number[] = [];
for (let r = 0; r < rounds; r++) {
  load.push(loadavg()[0]);
  for (const layout of LAYOUTS) ours[layout].push(ourRound(layout));
  ours.copy.push({ copy: medianCpuMs(() => buf.set(x)) });
  if (py) peer.push(runPeer(py));
}

/** Per-form medians over rounds. */
function medians(runs: Timings[]): Timings {
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, +medianOf(runs.map((t) => t[k])).toFixed(2)]));
}
const fastest = (t: Timings, forms: string[]) =>
  forms.map((form) => ({ form, ms: t[form] })).reduce((a, b) => (b.ms < a.ms ? b : a));
/** Which forms pair with which (allocating / into a reused buffer / in place), per layout. */
const PAIRS: Record<RopeLayout, Record<string, string[]>> = {
  half: {
    allocating: ['naive'],
    intoBuffer: ['addcmulBuffer'],
    ropeBufferIntoBuffer: ['addcmulBuffer'],
    full: ['full'],
  },
  interleaved: {
    allocating: ['naive', 'complex'],
    intoBuffer: ['complexBuffer', 'addcmulBuffer'],
    ropeBufferIntoBuffer: ['complexBuffer', 'addcmulBuffer'],
    inPlace: ['complexInPlace'],
    ropeBufferInPlace: ['complexInPlace'],
    full: ['full'],
  },
};

const bytes = x.length * 4;
const result: Record<string, unknown> = {
  shape: [1, heads, positions, dim],
  dtype: 'float32',
  threads: 1,
  clock: `process CPU time: median over ${rounds} rounds of the median of ${repeats} calls; ours and the peer alternate per round`,
  loadAverage1m: load.map((l) => +l.toFixed(2)),
  ratio: 'PyTorch ms / modelmath ms (> 1: modelmath faster)',
  bandwidthBound: {
    what: `copying ${(bytes / 2 ** 20).toFixed(0)} MiB (read + write once), the floor of any out-of-place form`,
    modelmathMs: medians(ours.copy).copy,
  },
};
for (const layout of LAYOUTS) {
  const m = medians(ours[layout]);
  const entry: Record<string, unknown> = { modelmath: m };
  if (peer.length) {
    const t = medians(peer.map((p) => p[layout]));
    const pairs: Record<string, unknown> = {};
    for (const [kind, forms] of Object.entries(PAIRS[layout])) {
      const best = fastest(t, forms);
      pairs[kind] = {
        torchForm: best.form,
        torchMs: best.ms,
        modelmathMs: m[kind],
        ratio: +(best.ms / m[kind]).toFixed(2),
      };
    }
    const torchBest = fastest(
      t,
      Object.keys(t).filter((k) => k !== 'full'),
    );
    const oursBest = fastest(
      m,
      Object.keys(m).filter((k) => k !== 'full'),
    );
    entry.torch = t;
    entry.pairs = pairs;
    entry.fastestVsFastest = {
      torchForm: torchBest.form,
      torchMs: torchBest.ms,
      modelmathForm: oursBest.form,
      modelmathMs: oursBest.ms,
      ratio: +(torchBest.ms / oursBest.ms).toFixed(2),
    };
  }
  result[layout] = entry;
}
if (peer.length) {
  (result.bandwidthBound as Record<string, unknown>).torchMs = +medianOf(peer.map((p) => p.copy)).toFixed(2);
  result.torch = { version: peer[0].torch, threads: peer[0].threads };
} else result.torch = 'skipped: no python with torch found';
process.stdout.write(`${JSON.stringify(result)}\n`);
