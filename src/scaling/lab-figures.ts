/**
 * The lab's scaling figures as Vega-Lite specs (data inline), drawn by the web page in the browser
 * and by the server's JSON API alike: banded loss contours of L(N, D) with iso-FLOP lines C = 6ND
 * (Kaplan et al. 2020 sec. 2.1), the chosen budget's line and its compute-optimal point (Hoffmann
 * et al. 2022 eq. 4), and the loss along that line (Hoffmann Figure 3 left).
 */
import type { RunsWithFlops } from './data.js';
import { type ParametricLaw, parametricLoss } from './laws.js';
import { computeOptimal, isoFlopCurve } from './optimal.js';

/** The (N, D) window of the figures, in log10 units. */
const LOG_N: [number, number] = [7, 12.5];
const LOG_D: [number, number] = [8, 14];
const GRID = 40;
const ISO_FLOPS = [1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25];

const steps = (lo: number, hi: number, n: number) =>
  Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

/** Contour levels E + 0.02 * 2^(k/2): evenly spaced in log(L - E), so bands stay visible near the optimum. */
function contourLevels(law: ParametricLaw): number[] {
  return Array.from({ length: 14 }, (_, k) => law.E + 0.02 * 2 ** (k / 2));
}

/** The highest level at or below `loss` (the band a cell falls in). */
function bandOf(levels: number[], loss: number): number {
  let band = levels[0];
  for (const level of levels) if (loss >= level) band = level;
  return Number(band.toFixed(3));
}

/** Filled loss contours (banded colour) with iso-FLOP lines, the budget's line and its optimum, and the runs. */
export function contourSpec(law: ParametricLaw, flops: number, runs?: RunsWithFlops): Record<string, unknown> {
  const dn = (LOG_N[1] - LOG_N[0]) / GRID;
  const dd = (LOG_D[1] - LOG_D[0]) / GRID;
  const levels = contourLevels(law);
  const cells = steps(LOG_N[0], LOG_N[1] - dn, GRID).flatMap((n) =>
    steps(LOG_D[0], LOG_D[1] - dd, GRID).map((d) => ({
      n,
      n2: n + dn,
      d,
      d2: d + dd,
      loss: bandOf(levels, parametricLoss(law, 10 ** (n + dn / 2), 10 ** (d + dd / 2))),
    })),
  );
  const lines = [...ISO_FLOPS, flops].flatMap((c, k) =>
    isoFlopCurve(law, c, { paramsMin: 10 ** LOG_N[0], paramsMax: 10 ** LOG_N[1], points: 24 })
      .map((p) => ({
        n: Math.log10(p.params),
        d: Math.log10(p.tokens),
        budget: k === ISO_FLOPS.length ? 'chosen' : `${c.toExponential(0)}`,
      }))
      .filter((p) => p.d >= LOG_D[0] && p.d <= LOG_D[1]),
  );
  const dashed = lines.filter((p) => p.budget !== 'chosen');
  const labels = ISO_FLOPS.map((c) => dashed.find((p) => p.budget === c.toExponential(0))).filter(
    (p) => p !== undefined,
  );
  const opt = computeOptimal(law, flops);
  const x = { field: 'n', type: 'quantitative', title: 'log10 parameters N', scale: { domain: LOG_N, nice: false } };
  const y = { field: 'd', type: 'quantitative', title: 'log10 tokens D', scale: { domain: LOG_D, nice: false } };
  const layers: Record<string, unknown>[] = [
    {
      data: { values: cells },
      mark: 'rect',
      encoding: {
        x,
        x2: { field: 'n2' },
        y,
        y2: { field: 'd2' },
        color: { field: 'loss', type: 'ordinal', scale: { scheme: 'viridis', reverse: true }, title: 'loss at least' },
      },
    },
    {
      data: { values: dashed },
      mark: { type: 'line', color: 'white', strokeDash: [4, 3], strokeWidth: 1 },
      encoding: { x, y, detail: { field: 'budget' } },
    },
    {
      data: { values: labels },
      mark: { type: 'text', color: 'white', fontSize: 9, align: 'left', baseline: 'top', dx: 3, dy: 2 },
      encoding: { x, y, text: { field: 'budget' } },
    },
    {
      data: { values: lines.filter((p) => p.budget === 'chosen') },
      mark: { type: 'line', color: '#e4572e', strokeWidth: 2.5 },
      encoding: { x, y },
    },
    {
      data: { values: [{ n: Math.log10(opt.params), d: Math.log10(opt.tokens) }] },
      mark: { type: 'point', shape: 'diamond', size: 160, filled: true, color: '#e4572e', stroke: 'white' },
      encoding: { x, y },
    },
  ];
  if (runs) {
    const values = Array.from(runs.params, (p, i) => ({ n: Math.log10(p), d: Math.log10(runs.tokens[i]) }));
    layers.push({
      data: { values },
      mark: { type: 'point', color: 'black', size: 12, filled: true },
      encoding: { x, y },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Loss L(N, D); iso-FLOP lines C = 6ND (red: budget, diamond: optimum)',
    width: 400,
    height: 340,
    layer: layers,
  };
}

/** Loss along the chosen budget's iso-FLOP line, with the optimum marked (Hoffmann Figure 3 left). */
export function isoFlopSpec(law: ParametricLaw, flops: number): Record<string, unknown> {
  const opt = computeOptimal(law, flops);
  const curve = isoFlopCurve(law, flops, { paramsMin: opt.params / 100, paramsMax: opt.params * 100, points: 61 });
  const x = { field: 'n', type: 'quantitative', title: 'log10 parameters N', scale: { zero: false } };
  const y = { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Loss along C = ${flops.toExponential(2)} FLOPs`,
    width: 280,
    height: 340,
    layer: [
      {
        data: { values: curve.map((p) => ({ n: Math.log10(p.params), loss: p.loss })) },
        mark: 'line',
        encoding: { x, y },
      },
      {
        data: { values: [{ n: Math.log10(opt.params), loss: opt.loss }] },
        mark: { type: 'point', shape: 'diamond', size: 160, filled: true, color: '#e4572e' },
        encoding: { x, y },
      },
    ],
  };
}
