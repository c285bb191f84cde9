/**
 * bench/physics/table.ts — prints the parameter-recovery results in assets/physics/*.json as
 * Markdown tables (the tables of docs/parts/physics.md are pasted from this output).
 * Usage: npx tsx bench/physics/table.ts
 */

import { readSuites, summarizeRuns } from '../../src/physics/summary.js';
import { ASSETS } from '../../src/physics/tour.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'n/a');
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));
const suites = readSuites(ASSETS);
for (const name of ['main', 'substeps', 'noise', 'background']) {
  const runs = suites.filter((s) => s.suite === name).flatMap((s) => s.runs);
  if (runs.length === 0) continue;
  console.log(`\n### ${name}\n`);
  console.log(
    '| system | param | block | noise | background | epochs | seeds | true | median estimate | median error | range | median latent R² | s/epoch |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of summarizeRuns(runs)) {
    const sec = runs.filter((x) => x.system === r.system && x.noise === r.noise && x.substeps === r.substeps);
    const speed = sec.reduce((s, x) => s + x.secondsPerEpoch, 0) / sec.length;
    const block = r.substeps === 1 ? 'Eq. 6' : `RK4 x${r.substeps}`;
    console.log(
      `| ${r.system} | ${r.param} | ${block} | ${r.noise} | ${r.background} | ${r.epochs} | ${r.seeds} | ${num(r.trueValue)} | ${num(r.medianEstimate)} | ${pct(r.medianError)} | ${pct(r.minError)} – ${pct(r.maxError)} | ${r.medianR2.toFixed(4)} | ${speed.toFixed(2)} |`,
    );
  }
}
