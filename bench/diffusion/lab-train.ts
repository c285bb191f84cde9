/**
 * bench/diffusion/lab-train.ts — training speed of the 2-D lab networks (ms per AdamW step,
 * batch 256, width 128, depth 3), ours (tfjs wasm) vs the PyTorch peer lab_train_torch.py
 * (1 thread). The energy network differentiates a gradient (second-order autodiff) every step.
 * Usage: npx tsx bench/diffusion/lab-train.ts [--steps 200]. Prints one JSON object; the peer is
 * skipped with a note when no interpreter with torch is found.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getTf } from '../../src/core/engine.js';
import { labConfig } from '../../src/diffusion/lab/config.js';
import { createLabRun, labTrainStep } from '../../src/diffusion/lab/trainer.js';

const i = process.argv.indexOf('--steps');
const steps = i >= 0 ? Number(process.argv[i + 1]) : 200;

/** First interpreter that imports torch: Debian's /usr/bin/python3, then python3 on PATH. */
function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

await getTf();
const py = findTorchPython();
const results = [];
for (const model of ['eps', 'energy'] as const) {
  const run = createLabRun(labConfig({ model, steps: steps + 10 }), 0);
  for (let k = 0; k < 10; k++) labTrainStep(run); // warm-up (kernel compilation)
  const start = performance.now();
  let loss = 0;
  for (let k = 0; k < steps; k++) loss = labTrainStep(run).loss;
  const ours = (performance.now() - start) / steps;
  let torch: { msPerStep: number; finalLoss: number } | null = null;
  if (py) {
    const script = fileURLToPath(new URL('./lab_train_torch.py', import.meta.url));
    const r = spawnSync(py, [script, '--model', model, '--steps', String(steps)], { encoding: 'utf8' });
    if (r.status === 0) torch = JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null');
  }
  results.push({
    model,
    oursMsPerStep: ours,
    oursLastLoss: loss,
    torchMsPerStep: torch?.msPerStep ?? null,
    torchFinalLoss: torch?.finalLoss ?? null,
    speedRatioTorchOverOurs: torch ? torch.msPerStep / ours : null,
  });
}
console.log(
  JSON.stringify(
    {
      bench: 'diffusion/lab-train',
      steps,
      batch: 256,
      hidden: 128,
      depth: 3,
      peer: py ?? 'none (torch not found)',
      results,
    },
    null,
    1,
  ),
);
