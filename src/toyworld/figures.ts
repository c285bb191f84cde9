/**
 * Tour figures and tables of the matched-accuracy comparison (bench/frontier.ts): the frontier of
 * background PSNR against edit accuracy across lambda, ChordEdit (delta > 0) against the naive
 * residual (delta = 0), one panel per family (t, refinement, noise draws); the chord - naive
 * differences at matched accuracy with paired 95% intervals; the control field's energy and variance.
 */

import { formatInterval } from '../core/stats.js';
import type { Figure, Table } from '../core/tour-section.js';
import type { FrontierResult } from './bench/index.js';

const familyName = (f: { t: number; refine: boolean; noiseSamples: number }) =>
  `t = ${f.t}, ${f.refine ? 'refine' : 'no refine'}, n = ${f.noiseSamples}`;
const r2 = (v: number) => Number(v.toFixed(2));
const r3 = (v: number) => Number(v.toFixed(3));

/** Background PSNR against edit accuracy across lambda, chord vs naive, one panel per family. */
export function frontierFigure(r: FrontierResult): Figure {
  const order = [...r.families]
    .sort((a, b) => Number(a.refine) - Number(b.refine) || a.t - b.t || a.noiseSamples - b.noiseSamples)
    .map(familyName);
  const deltas = r.families.flatMap((f) => f.matched.flatMap((m) => m.deltaBackgroundPsnr ?? []));
  const largest = deltas.reduce((a, d) => Math.max(a, Math.abs(d)), 0);
  const values = r.points.map((p) => ({
    family: familyName(p),
    method: p.delta > 0 ? `chord (δ = ${p.delta})` : 'naive (δ = 0)',
    lambda: p.lambda,
    backgroundPsnr: r2(p.backgroundPsnr),
    editAccuracy: r3(p.editAccuracy),
    accuracyCi: formatInterval(p.ci95.editAccuracy, 3),
    psnrCi: formatInterval(p.ci95.backgroundPsnr, 2),
  }));
  return {
    caption: `Frontier (${r.config.pairs} pairs per point, λ from ${r.config.lambdas[0]} to ${r.config.lambdas.at(-1)}): background PSNR against edit accuracy; up and to the right is better. The largest chord − naive difference at matched accuracy is ${largest.toFixed(2)} dB, small on this axis; the table below gives every difference with its interval.`,
    vegaLite: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { values },
      facet: { field: 'family', type: 'nominal', title: null, sort: order },
      columns: 4,
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 170,
        height: 150,
        mark: { type: 'line', point: true, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'backgroundPsnr', type: 'quantitative', title: 'background PSNR (dB)', scale: { zero: false } },
          y: { field: 'editAccuracy', type: 'quantitative', title: 'edit accuracy', scale: { domain: [0, 1] } },
          color: { field: 'method', type: 'nominal' },
          strokeDash: { field: 'method', type: 'nominal' },
          order: { field: 'lambda', type: 'quantitative' },
          tooltip: [
            { field: 'method' },
            { field: 'lambda' },
            { field: 'backgroundPsnr' },
            { field: 'psnrCi', title: 'PSNR 95% CI' },
            { field: 'editAccuracy' },
            { field: 'accuracyCi', title: 'accuracy 95% CI' },
          ],
        },
      },
    },
  };
}

/** Chord - naive at matched accuracy, the peak accuracy, and the field energy ratios. */
export function frontierTables(r: FrontierResult): Table[] {
  const tables: Table[] = [
    {
      caption:
        'Chord − naive background PSNR (dB) where each curve first reaches the accuracy level (paired bootstrap 95% CI over pairs; – = the level is not crossed inside the λ grid), and the best accuracy each curve reaches',
      columns: [
        'family',
        ...r.config.levels.map((a) => `Δ PSNR at acc ${a}`),
        'peak acc chord / naive',
        'Δ peak [95% CI]',
      ],
      rows: r.families.map((f) => [
        familyName(f),
        ...f.matched.map((m) =>
          m.deltaBackgroundPsnr === null ? '–' : `${m.deltaBackgroundPsnr.toFixed(3)} ${formatInterval(m.ci95, 3)}`,
        ),
        `${f.peak.chord.toFixed(3)} / ${f.peak.naive.toFixed(3)}`,
        `${f.peak.delta.toFixed(3)} ${formatInterval(f.peak.ci95, 3)}`,
      ]),
    },
  ];
  if (r.energy) {
    tables.push({
      caption: `Control field over ${r.energy.draws} noise draws per pair (${r.energy.pairs} pairs, δ = ${r.config.delta}): chord / naive ratios as geometric means over pairs with 95% CI. Energy = E mean(u²); variance = mean over pixels of the variance over draws; relative = variance / energy of the mean field (does not change with λ). Background = outside the true edit mask.`,
      columns: [
        't',
        'region',
        'energy naive',
        'energy ratio',
        'variance ratio',
        'relative variance naive',
        'relative variance ratio',
      ],
      rows: r.energy.rows.map((row) => [
        row.t,
        row.region,
        r3(row.naive.energy),
        `${row.ratio.energy.ratio.toFixed(3)} ${formatInterval(row.ratio.energy.ci95, 3)}`,
        `${row.ratio.variance.ratio.toFixed(3)} ${formatInterval(row.ratio.variance.ci95, 3)}`,
        r3(row.naive.relativeVariance),
        `${row.ratio.relativeVariance.ratio.toFixed(3)} ${formatInterval(row.ratio.relativeVariance.ci95, 3)}`,
      ]),
    });
  }
  return tables;
}

/** Several frontier runs on the same pairs and lambda grid as one (families and points side by side). */
export function mergeFrontiers(runs: FrontierResult[]): FrontierResult {
  const [first, ...rest] = runs;
  return {
    ...first,
    config: { ...first.config, ts: [...new Set(runs.flatMap((r) => r.config.ts))] },
    points: runs.flatMap((r) => r.points),
    families: runs.flatMap((r) => r.families),
    energy: first.energy ?? rest.find((r) => r.energy)?.energy ?? null,
  };
}

/** One paragraph read off the frontier: the matched-accuracy differences per family and the field statistics. */
export function frontierSummary(r: FrontierResult): string {
  const level = r.config.levels.at(-1)!;
  const parts = r.families.map((f) => {
    const m = f.matched.find((x) => x.level === level);
    const d = m?.deltaBackgroundPsnr;
    return `${familyName(f)}: ${d === null || d === undefined ? '–' : `${d >= 0 ? '+' : ''}${d.toFixed(2)} dB ${formatInterval(m!.ci95, 2)}`}`;
  });
  let text = `Chord − naive background PSNR at edit accuracy ${level} (paired 95% CI): ${parts.join('; ')}.`;
  const rows = r.energy?.rows.filter((row) => row.t === 0.9) ?? [];
  const all = rows.find((row) => row.region === 'all');
  const bg = rows.find((row) => row.region === 'background');
  if (all && bg) {
    text += ` At t = 0.9 the chord field has ${all.ratio.energy.ratio.toFixed(3)}× the naive field's energy, ${bg.ratio.energy.ratio.toFixed(3)}× outside the edit mask, and ${all.ratio.variance.ratio.toFixed(3)}× its variance over noise draws.`;
  }
  return text;
}
