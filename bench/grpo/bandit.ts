/**
 * bench/grpo/bandit.ts — the lecture's GRPO script, TypeScript vs the PyTorch original.
 * Runs bench/grpo/lecture_grpo.py (1 thread) and ours over the same seeds, prints one JSON object:
 * per-implementation greedy accuracy / mean reward (last 50) / KL to ref / wall time, the
 * agreement of the seed-averaged reward curves, and the speed ratio (PyTorch time / ours).
 * Usage: npx tsx bench/grpo/bandit.ts [--seeds 10] [--steps 1000] [--engine-seeds 2]
 * The PyTorch peer is skipped (with a note) when no interpreter with torch is found.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getTf } from '../../src/core/engine.js';
import { banditVjpTf } from '../../src/grpo/bandit-tf.js';
import { type BanditRunResult, runLectureBandit } from '../../src/grpo/lecture.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const seeds = Array.from({ length: arg('seeds', 10) }, (_, i) => i);
const steps = arg('steps', 1000);
const engineSeeds = arg('engine-seeds', 2);

/** First interpreter that imports torch: Debian's /usr/bin/python3, then python3 on PATH. */
export function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const meanCurve = (runs: BanditRunResult[]) => runs[0].curve.map((_, t) => mean(runs.map((r) => r.curve[t])));
const firstAbove = (c: number[], x: number) => c.findIndex((v) => v >= x);
const summary = (runs: BanditRunResult[]) => ({
  greedyAccuracy: mean(runs.map((r) => r.greedyAccuracy)),
  meanRewardLast50: mean(runs.map((r) => r.meanRewardLast50)),
  klToRef: mean(runs.map((r) => r.klToRef)),
  wallSecondsPerRun: mean(runs.map((r) => r.wallSeconds)),
});

const ours: BanditRunResult[] = [];
for (const seed of seeds) ours.push(await runLectureBandit({ steps, seed }));
const tf = await getTf();
const engine: BanditRunResult[] = [];
for (const seed of seeds.slice(0, engineSeeds))
  engine.push(await runLectureBandit({ steps, seed, vjp: banditVjpTf(tf) }));

const py = findTorchPython();
const torchRuns: BanditRunResult[] = [];
if (py) {
  const script = fileURLToPath(new URL('./lecture_grpo.py', import.meta.url));
  for (const seed of seeds) {
    const out = execFileSync(py, [script, '--seed', String(seed), '--steps', String(steps), '--threads', '1'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    torchRuns.push(JSON.parse(out) as BanditRunResult);
  }
}

const result: Record<string, unknown> = {
  bench: 'grpo/bandit',
  steps,
  seeds: seeds.length,
  ours: summary(ours),
  oursEngineAutodiff: { seeds: engine.length, ...summary(engine) },
  engineVsPlainSlowdown: summary(engine).wallSecondsPerRun / mean(ours.slice(0, engineSeeds).map((r) => r.wallSeconds)),
};
if (torchRuns.length) {
  const a = meanCurve(ours);
  const b = meanCurve(torchRuns);
  const diff = a.map((v, t) => Math.abs(v - b[t]));
  result.pytorch = { interpreter: py, ...summary(torchRuns) };
  result.curveAgreement = {
    meanAbsDiffOfSeedMeanCurves: mean(diff),
    maxAbsDiffOfSeedMeanCurves: Math.max(...diff),
    stepReaching0_5: { ours: firstAbove(a, 0.5), pytorch: firstAbove(b, 0.5) },
    stepReaching0_9: { ours: firstAbove(a, 0.9), pytorch: firstAbove(b, 0.9) },
  };
  result.speedRatioPytorchOverOurs = summary(torchRuns).wallSecondsPerRun / summary(ours).wallSecondsPerRun;
  result.speedRatioPytorchOverEngine = summary(torchRuns).wallSecondsPerRun / summary(engine).wallSecondsPerRun;
} else {
  result.pytorch = 'skipped: no python3 with torch found (tried /usr/bin/python3, python3)';
}
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
