/**
 * bench/physics/table.ts — prints the parameter-recovery results in assets/physics/*.json as
 * Markdown tables, one per suite (the tables of docs/parts/physics.md and README are pasted from it).
 * Usage: npx tsx bench/physics/table.ts
 */

import { readSuites, suiteRuns, summarizeRuns } from '../../src/physics/summary.js';
import { ASSETS, blockLabel } from '../../src/physics/tour.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'n/a');
const num = (x: number) => (!Number.isFinite(x) ? 'n/a' : Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));
const sec = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const suites = readSuites(ASSETS);
for (const name of ['main', 'variant', 'substeps', 'noise', 'background']) {
  const rows = summarizeRuns(suiteRuns(suites, name));
  if (rows.length === 0) continue;
  console.log(`\n### ${name}\n`);
  console.log(
    '| system | param | preset | block | noise | background | epochs | seeds | true | median estimate | median error | worst error | refit: median estimate | refit: median error | refit: worst error | median latent R² | CPU s/epoch |',
  );
  console.log(`|${' --- |'.repeat(17)}`);
  for (const r of rows) {
    console.log(
      `| ${r.system} | ${r.param} | ${r.preset} | ${blockLabel(r)} | ${r.noise} | ${r.background} | ${r.epochs} | ${r.seeds} | ${num(r.trueValue)} | ${num(r.medianEstimate)} | ${pct(r.medianError)} | ${pct(r.maxError)} | ${num(r.refitMedianEstimate)} | ${pct(r.refitMedianError)} | ${pct(r.refitMaxError)} | ${r.medianR2.toFixed(4)} | ${sec(r.cpuSecondsPerEpoch)} |`,
    );
  }
}
