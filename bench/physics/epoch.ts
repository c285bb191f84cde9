/**
 * bench/physics/epoch.ts — seconds per epoch of the latent-physics model at batch 128 (256 clips,
 * 2 Adam steps per epoch), paired with PyTorch (bench/physics/epoch_torch.py, 1 and 2 threads):
 * every round runs each engine setting and each PyTorch thread count once, and the JSON reports
 * medians over rounds of wall and process-CPU seconds per epoch. Engine settings: `onnx1` / `onnx2`
 * (large matmuls on ONNX Runtime with 1 / 2 threads, the engine's path) and `wasm` (every matmul on
 * the tfjs wasm kernel: the engine before this path). Ratio = PyTorch seconds / ours (> 1: ours faster).
 * Usage: npx tsx bench/physics/epoch.ts [--preset paper|fast] [--epochs 2] [--rounds 3] [--no-wasm]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getTf } from '../../src/core/engine.js';
import { configureMatMul, matMulRouting } from '../../src/core/engine-matmul.js';
import { type PhysicsPreset, resolvePhysicsConfig } from '../../src/physics/config.js';
import { simulateClips } from '../../src/physics/dataset.js';
import { createPhysicsRun, epochOrder, trainStep } from '../../src/physics/train.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const preset = arg('preset', 'paper') as PhysicsPreset;
const epochs = Number(arg('epochs', '2'));
const rounds = Number(arg('rounds', '3'));
const SETTINGS = {
  onnx1: { threads: 1, minMacs: matMulRouting().minMacs },
  onnx2: { threads: 2, minMacs: matMulRouting().minMacs },
  wasm: { threads: 1, minMacs: 2 ** 53 },
};
type Setting = keyof typeof SETTINGS;
const settings = (Object.keys(SETTINGS) as Setting[]).filter(
  (s) => s !== 'wasm' || !process.argv.includes('--no-wasm'),
);

interface Timing {
  wall: number;
  cpu: number;
}

/** First interpreter that imports torch: Debian's /usr/bin/python3, then python3 on PATH. */
function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

const tf = await getTf();
const config = resolvePhysicsConfig(preset, { clips: 256, batchSize: 128 });
const set = simulateClips('oscillator', { clips: 256, seed: 0 });
const run = createPhysicsRun(tf, set, config, 0);
const pixels = run.data.height * run.data.width;
let epochCounter = 0;

/** One warm-up epoch under the setting (sessions load), then the mean over `epochs` epochs. */
function timeOurs(setting: Setting): Timing {
  configureMatMul(SETTINGS[setting]);
  const epoch = () => {
    const e = epochCounter++;
    const order = epochOrder(run, e);
    for (let b = 0; b < run.stepsPerEpoch; b++) trainStep(tf, run, e * run.stepsPerEpoch + b, order);
  };
  epoch();
  const [c0, t0] = [process.cpuUsage(), performance.now()];
  for (let e = 0; e < epochs; e++) epoch();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000 / epochs, cpu: (c.user + c.system) / 1e6 / epochs };
}

function timeTorch(py: string, threads: number): Timing {
  const script = fileURLToPath(new URL('./epoch_torch.py', import.meta.url));
  const args = ['--threads', String(threads), '--epochs', String(epochs), '--pixels', String(pixels)];
  const out = execFileSync(py, [script, ...args, '--hidden', config.hidden.join(',')], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  const r = JSON.parse(out) as { secondsPerEpoch: number; cpuSecondsPerEpoch: number };
  return { wall: r.secondsPerEpoch, cpu: r.cpuSecondsPerEpoch };
}

const py = findTorchPython();
const samples: Record<string, Timing[]> = {};
const load: number[] = [];
const add = (key: string, t: Timing) => {
  samples[key] ??= [];
  samples[key].push(t);
};
for (let r = 0; r < rounds; r++) {
  load.push(+loadavg()[0].toFixed(2));
  for (const s of settings) {
    add(s, timeOurs(s));
    if (py && s !== 'wasm') add(`torch${SETTINGS[s].threads}Thread`, timeTorch(py, SETTINGS[s].threads));
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const med: Record<string, Timing> = Object.fromEntries(
  Object.entries(samples).map(([k, v]) => [
    k,
    { wall: +median(v.map((t) => t.wall)).toFixed(3), cpu: +median(v.map((t) => t.cpu)).toFixed(3) },
  ]),
);
const ratio = (num?: number, den?: number) => (num === undefined || den === undefined ? null : +(num / den).toFixed(2));
console.log(
  JSON.stringify(
    {
      preset,
      architecture: [pixels, ...config.hidden, 1],
      batch: 128,
      clipsPerEpoch: 256,
      clock: `median over ${rounds} rounds of the mean over ${epochs} epochs (after one warm-up epoch); settings and PyTorch alternate within each round`,
      loadAverage1m: load,
      secondsPerEpoch: med,
      torch: py
        ? 'torch.nn.Sequential of Linear/ReLU, Adam, the same loss (epoch_torch.py)'
        : 'skipped: no python with torch',
      ratioTorchOverOurs: {
        onnx1VsTorch1Thread: {
          wall: ratio(med.torch1Thread?.wall, med.onnx1.wall),
          cpu: ratio(med.torch1Thread?.cpu, med.onnx1.cpu),
        },
        onnx1VsTorch2Threads: { wall: ratio(med.torch2Thread?.wall, med.onnx1.wall) },
        onnx2VsTorch2Threads: { wall: ratio(med.torch2Thread?.wall, med.onnx2.wall) },
        wasmVsTorch1Thread: { wall: ratio(med.torch1Thread?.wall, med.wasm?.wall) },
      },
      speedupOverWasmEngine: {
        onnx1: ratio(med.wasm?.wall, med.onnx1.wall),
        onnx2: ratio(med.wasm?.wall, med.onnx2.wall),
      },
    },
    null,
    1,
  ),
);
