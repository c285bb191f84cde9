/**
 * Makes assets/data/chinchilla-bootstrap.json, the precomputed bootstrap the tour shows (the tour
 * itself must finish in seconds): the full 4500-start fit of the 240 Chinchilla runs, its distinct
 * optima (the bootstrap's starts), 4000 resamples (seed 0) summarised, and 40-bin histograms.
 * Usage: npx tsx bench/scaling/make-tour-data.ts [--resamples 4000]
 */
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../../src/core/outputs.js';
import { BOOTSTRAP_KEYS } from '../../src/scaling/bootstrap.js';
import { CHINCHILLA_CSV, readRunsCsv } from '../../src/scaling/data-file.js';
import { distinctOptima } from '../../src/scaling/fit.js';
import { bootstrapParallel, fitApproach3Parallel } from '../../src/scaling/parallel.js';

const OUT = fileURLToPath(new URL('../../assets/data/chinchilla-bootstrap.json', import.meta.url));
const BINS = 40;

/** Equal-width histogram of the central 99.5% of the values (the tails are reported as counts outside). */
function histogram(values: Float64Array): { edges: number[]; counts: number[]; below: number; above: number } {
  const sorted = Float64Array.from(values).sort();
  const lo = sorted[Math.floor(0.0025 * (sorted.length - 1))];
  const hi = sorted[Math.ceil(0.9975 * (sorted.length - 1))];
  const width = (hi - lo) / BINS;
  const counts = new Array(BINS).fill(0);
  let below = 0;
  let above = 0;
  for (const v of values) {
    if (v < lo) below++;
    else if (v > hi) above++;
    else counts[Math.min(BINS - 1, Math.floor((v - lo) / width))]++;
  }
  const edges = Array.from({ length: BINS + 1 }, (_, i) => Number((lo + i * width).toPrecision(6)));
  return { edges, counts, below, above };
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--resamples');
  const resamples = at > 0 ? Number(process.argv[at + 1]) : 4000;
  const t0 = performance.now();
  const full = await fitApproach3Parallel(readRunsCsv(CHINCHILLA_CSV), { dropHighestLoss: 5, threads: 2 });
  const starts = distinctOptima(full.optima, 4);
  const b = await bootstrapParallel(full.logRuns, starts, 0, { resamples }, {}, { threads: 2 });
  const histograms = Object.fromEntries(
    BOOTSTRAP_KEYS.map((k, j) => [k, histogram(Float64Array.from(b.samples, (s) => s[j]))]),
  );
  const { A, B, E, alpha, beta, objective, runs } = full;
  writeJsonAtomic(OUT, {
    made: `npx tsx bench/scaling/make-tour-data.ts --resamples ${resamples}`,
    seed: 0,
    fit: { A, B, E, alpha, beta, objective, runs, starts: full.starts },
    starts,
    bootstrap: { resamples: b.resamples, flops: b.flops, level: b.level, summary: b.summary },
    histograms,
    seconds: (performance.now() - t0) / 1000,
  });
  process.stdout.write(`wrote ${OUT} (${resamples} resamples, ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}

await main();
