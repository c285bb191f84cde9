/**
 * Bench: the 4000-resample bootstrap on the 240 Chinchilla runs (2 worker threads), and a check of
 * the start scheme: for a sample of resamples, the fit from the distinct full-data optima against the
 * fit from the full 4500-start grid (objective gap and parameter differences). Prints one JSON object.
 * Usage: npx tsx bench/scaling/bootstrap.ts [--resamples 4000] [--check 10] [--threads 2]
 */
import { Rng } from '../../src/core/rng.js';
import { resampleCounts } from '../../src/core/stats.js';
import { CHINCHILLA_CSV, readRunsCsv } from '../../src/scaling/data-file.js';
import { distinctOptima, FIT_DEFAULTS, fitFromStarts, gridStarts, REPLICATION_GRID } from '../../src/scaling/fit.js';
import { bootstrapParallel, fitApproach3Parallel } from '../../src/scaling/parallel.js';

const arg = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;

async function main(): Promise<void> {
  const resamples = arg('--resamples', 4000);
  const check = arg('--check', 10);
  const threads = arg('--threads', 2);
  const full = await fitApproach3Parallel(readRunsCsv(CHINCHILLA_CSV), { dropHighestLoss: 5, threads });
  const starts = distinctOptima(full.optima, 4);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const b = await bootstrapParallel(full.logRuns, starts, 0, { resamples }, {}, { threads });
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = process.cpuUsage(c0).user / 1e6;
  const se = Object.fromEntries(Object.entries(b.summary).map(([k, s]) => [k, s.se]));
  // The start scheme against the full grid on `check` resamples drawn like the bootstrap's.
  const tight = { lbfgs: FIT_DEFAULTS.polishLbfgs, polish: 0 };
  let maxGap = 0;
  let maxParamDiff = 0;
  const base = new Rng(0);
  for (let k = 0; k < check; k++) {
    const w = resampleCounts(240, base.fork(k));
    const quick = fitFromStarts(full.logRuns, starts, tight, w);
    const grid = fitFromStarts(full.logRuns, gridStarts(REPLICATION_GRID), {}, w);
    maxGap = Math.max(maxGap, (quick.objective - grid.objective) / grid.objective);
    for (let i = 0; i < 5; i++) maxParamDiff = Math.max(maxParamDiff, Math.abs(quick.theta[i] - grid.theta[i]));
  }
  const result = {
    resamples,
    threads,
    seconds,
    cpuSecondsAllThreads: cpuSeconds,
    se,
    published: { A: 125, B: 1290, E: 0.026, alpha: 0.015, beta: 0.021 },
    startScheme: {
      starts: starts.length,
      checkedResamples: check,
      maxRelativeObjectiveGap: maxGap,
      maxThetaDifference: maxParamDiff,
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
