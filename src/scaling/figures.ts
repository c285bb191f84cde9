/**
 * Vega-Lite figures for the tour (data inline): loss contours over (N, D) with iso-FLOP lines and the
 * compute-efficient frontier (Hoffmann et al. 2022, Figure 4 left), observed against fitted loss, and
 * bootstrap distributions. Contours are exact: D on the level set L is (B / (L - E - A N^-alpha))^(1/beta).
 */
import type { Figure } from '../core/tour-section.js';
import type { ParametricLaw } from './laws.js';
import { computeOptimal } from './optimal.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** log-spaced values from 10^lo to 10^hi. */
function logSpace(lo: number, hi: number, points: number): number[] {
  return Array.from({ length: points }, (_, i) => 10 ** (lo + ((hi - lo) * i) / (points - 1)));
}

/** Tokens on the loss level set L at N (null where the level is below what N alone can reach). */
export function contourTokens(law: ParametricLaw, level: number, params: number): number | null {
  const rest = level - law.E - law.A * params ** -law.alpha;
  return rest > 0 ? (law.B / rest) ** (1 / law.beta) : null;
}

/** Loss contours over (N, D) with iso-FLOP lines and the efficient frontier. */
export function contourFigure(
  law: ParametricLaw,
  budgets: number[],
  runs: { params: number; tokens: number }[],
): Figure {
  const nGrid = logSpace(7, 12, 121);
  const inRange = (d: number | null) => d !== null && d >= 1e8 && d <= 1e13;
  const levels = [2, 2.1, 2.2, 2.4, 2.6, 3, 3.5, 4.5];
  const contours = levels.flatMap((level) =>
    nGrid
      .map((n) => ({ n, d: contourTokens(law, level, n) }))
      .filter((p) => inRange(p.d))
      .map((p) => ({ layer: 'contour', level: `L = ${level}`, params: p.n, tokens: p.d })),
  );
  const isoFlop = budgets.flatMap((c) =>
    nGrid
      .map((n) => ({ n, d: c / (6 * n) }))
      .filter((p) => inRange(p.d))
      .map((p) => ({ layer: 'iso', budget: `C = ${c.toExponential(0)}`, params: p.n, tokens: p.d })),
  );
  const frontier = logSpace(17, 26, 60)
    .map((c) => computeOptimal(law, c))
    .filter((a) => a.params >= 1e7 && a.params <= 1e12 && inRange(a.tokens))
    .map((a) => ({ layer: 'frontier', params: a.params, tokens: a.tokens }));
  const axis = { format: '.0e', grid: false };
  const x = {
    field: 'params',
    type: 'quantitative',
    scale: { type: 'log', domain: [1e7, 1e12] },
    axis,
    title: 'parameters N',
  };
  const y = {
    field: 'tokens',
    type: 'quantitative',
    scale: { type: 'log', domain: [1e8, 1e13] },
    axis,
    title: 'tokens D',
  };
  // One label per contour at its first point inside the plot (small N end), one per iso-FLOP line.
  const firstOf = <T extends { params: number }>(rows: T[], key: (r: T) => string) =>
    [...new Map(rows.map((r) => [key(r), r])).values()].filter((r) => r.params < 3e11);
  const contourLabels = firstOf([...contours].reverse(), (r) => r.level);
  const isoLabels = firstOf([...isoFlop].reverse(), (r) => r.budget);
  return {
    caption:
      'Loss contours of the fitted law over (N, D) (grey, labelled by L), iso-FLOP lines C = 6ND (dashed) and the ' +
      'compute-efficient frontier (red); dots are the Chinchilla runs.',
    vegaLite: {
      $schema: SCHEMA,
      width: 460,
      height: 360,
      layer: [
        {
          data: { values: contours },
          mark: { type: 'line', color: '#888', strokeWidth: 1 },
          encoding: { x, y, detail: { field: 'level' }, tooltip: [{ field: 'level' }] },
        },
        {
          data: { values: isoFlop },
          mark: { type: 'line', strokeDash: [4, 3], color: '#3b6fb6' },
          encoding: { x, y, detail: { field: 'budget' }, tooltip: [{ field: 'budget' }] },
        },
        {
          data: { values: runs.map((r) => ({ ...r, layer: 'runs' })) },
          mark: { type: 'point', size: 12, color: '#444', opacity: 0.6 },
          encoding: { x, y },
        },
        {
          data: { values: frontier },
          mark: { type: 'line', color: '#c0392b', strokeWidth: 2.5 },
          encoding: { x, y },
        },
        {
          data: { values: contourLabels },
          mark: { type: 'text', fontSize: 9, color: '#555', align: 'left', dx: 3 },
          encoding: { x, y, text: { field: 'level' } },
        },
        {
          data: { values: isoLabels },
          mark: { type: 'text', fontSize: 9, color: '#3b6fb6', align: 'left', dx: 3, dy: -6 },
          encoding: { x, y, text: { field: 'budget' } },
        },
      ],
    },
  };
}

/** Observed against fitted loss, with the identity line. */
export function observedFittedFigure(points: { observed: number; fitted: number; flops: number }[]): Figure {
  const lo = Math.min(...points.map((p) => Math.min(p.observed, p.fitted)));
  const hi = Math.max(...points.map((p) => Math.max(p.observed, p.fitted)));
  const scale = { type: 'log', domain: [lo * 0.98, hi * 1.02] };
  return {
    caption: 'Observed against fitted loss for the 240 runs used (colour: log10 of training FLOPs); the line is y = x.',
    vegaLite: {
      $schema: SCHEMA,
      width: 360,
      height: 360,
      layer: [
        {
          data: {
            values: [
              { observed: lo, fitted: lo },
              { observed: hi, fitted: hi },
            ],
          },
          mark: { type: 'line', color: '#999' },
          encoding: {
            x: { field: 'fitted', type: 'quantitative', scale },
            y: { field: 'observed', type: 'quantitative', scale },
          },
        },
        {
          data: { values: points.map((p) => ({ ...p, log10C: Math.log10(p.flops) })) },
          mark: { type: 'point', filled: true, size: 18 },
          encoding: {
            x: { field: 'fitted', type: 'quantitative', scale, title: 'fitted loss' },
            y: { field: 'observed', type: 'quantitative', scale, title: 'observed loss' },
            color: { field: 'log10C', type: 'quantitative', scale: { scheme: 'viridis' }, title: 'log10 C' },
          },
        },
      ],
    },
  };
}

/** Histograms of bootstrap estimates, one panel per quantity, with the full-data estimate as a rule. */
export function bootstrapFigure(
  histograms: Record<string, { edges: number[]; counts: number[] }>,
  estimates: Record<string, number>,
  resamples: number,
  flops: number,
): Figure {
  const keys = Object.keys(histograms);
  const at = `at C = ${flops.toExponential(2)}`;
  const titles: Record<string, string> = {
    params: `N_opt ${at}`,
    tokens: `D_opt ${at}`,
    tokensPerParam: `D_opt / N_opt ${at}`,
  };
  const bars = keys.flatMap((key) =>
    histograms[key].counts.map((count, i) => ({
      key,
      lo: histograms[key].edges[i],
      hi: histograms[key].edges[i + 1],
      count,
    })),
  );
  return {
    caption: `Bootstrap distributions (${resamples} resamples of the 240 runs); red: the full-data fit.`,
    vegaLite: {
      $schema: SCHEMA,
      columns: 3,
      concat: keys.map((key) => ({
        width: 180,
        height: 110,
        title: titles[key] ?? key,
        layer: [
          {
            data: { values: bars.filter((b) => b.key === key) },
            mark: { type: 'rect', color: '#6a8fc7' },
            encoding: {
              x: { field: 'lo', type: 'quantitative', title: null, scale: { zero: false }, axis: { format: '.3~s' } },
              x2: { field: 'hi' },
              y: { field: 'count', type: 'quantitative', title: null },
            },
          },
          {
            data: { values: [{ value: estimates[key] }] },
            mark: { type: 'rule', color: '#c0392b', strokeWidth: 2 },
            encoding: { x: { field: 'value', type: 'quantitative' } },
          },
        ],
      })),
    },
  };
}
