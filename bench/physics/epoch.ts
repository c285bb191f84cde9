/**
 * bench/physics/epoch.ts — seconds per epoch of the latent-physics model at batch 128 (256 clips,
 * 2 Adam steps per epoch), modelmath (TensorFlow.js wasm) side by side with PyTorch (1 and 2
 * threads, bench/physics/epoch_torch.py) when an interpreter with torch is found.
 * Also times the encoder step alone through nn's `mlp` (the encoder's share of an epoch).
 * Usage: npx tsx bench/physics/epoch.ts [--preset paper|fast] [--epochs 2]
 * Prints one JSON object; ratio = PyTorch seconds / ours (> 1: we are faster).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Scalar } from '../../src/core/engine.js';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { adamw, mlp } from '../../src/nn/index.js';
import { type PhysicsPreset, resolvePhysicsConfig } from '../../src/physics/config.js';
import { simulateClips } from '../../src/physics/dataset.js';
import { physicsModelInit } from '../../src/physics/model.js';
import { SYSTEMS } from '../../src/physics/systems.js';
import { createPhysicsRun, epochOrder, trainStep } from '../../src/physics/train.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const preset = arg('preset', 'paper') as PhysicsPreset;
const epochs = Number(arg('epochs', '2'));

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

const timeEpochs = (f: (epoch: number) => void) => {
  f(0); // warm-up
  const t0 = performance.now();
  for (let e = 1; e <= epochs; e++) f(e);
  return (performance.now() - t0) / 1000 / epochs;
};

const ours = timeEpochs((e) => {
  const order = epochOrder(run, e);
  for (let b = 0; b < run.stepsPerEpoch; b++) trainStep(tf, run, e * run.stepsPerEpoch + b, order);
});

// the encoder step alone through nn's mlp
const ref = physicsModelInit(tf, new Rng(0), SYSTEMS.oscillator, config, pixels);
const opt = adamw({ lr: 1e-3, weightDecay: 0 });
const x = tf.randomUniform([128 * config.length, pixels], -1, 1);
const encoderOnlyNn = timeEpochs(() => {
  for (let b = 0; b < 2; b++)
    opt.step(() => tf.mean(tf.square(mlp(ref.encoder, x, { activation: 'relu' }))) as Scalar, ref);
});

const py = findTorchPython();
const peer: Record<string, number> = {};
let note = '';
if (py) {
  const script = fileURLToPath(new URL('./epoch_torch.py', import.meta.url));
  for (const threads of [1, 2]) {
    const out = execFileSync(
      py,
      [
        script,
        '--threads',
        String(threads),
        '--epochs',
        String(epochs),
        '--pixels',
        String(pixels),
        '--hidden',
        config.hidden.join(','),
      ],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) } },
    );
    peer[`torch${threads}Thread`] = JSON.parse(out).secondsPerEpoch;
  }
} else note = 'no python interpreter with torch found: PyTorch peer skipped';

const ratio = (t?: number) => (t === undefined ? null : t / ours);
console.log(
  JSON.stringify(
    {
      preset,
      architecture: [pixels, ...config.hidden, 1],
      batch: 128,
      clipsPerEpoch: 256,
      secondsPerEpoch: { modelmath: ours, nnMlpEncoderOnly: encoderOnlyNn, ...peer },
      ratioTorchOverOurs: { torch1Thread: ratio(peer.torch1Thread), torch2Thread: ratio(peer.torch2Thread) },
      note,
    },
    null,
    1,
  ),
);
