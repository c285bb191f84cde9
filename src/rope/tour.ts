/**
 * Tour section for RoPE: the relative-position heatmap of <R_m q, R_n k> (constant along each
 * diagonal, lecture Eq. 19), the long-range decay of the score with distance, the wavelength of
 * every pair under each scaling variant, and checks against the closed-form cos/sin at position 3 (all computed live).
 */
import { dot } from '../core/math.js';
import type { Rng } from '../core/rng.js';
import type { Figure, TourSection } from '../core/tour-section.js';
import { applyRope, permuteRopeRows, type RopeScaling, ropeInverseFrequencies, ropeTables } from './index.js';

/** Scores <R_m q, R_n k> for m, n < P with one random q, k (head dim d). */
function scoreGrid(rng: Rng, P: number, d: number): { m: number; n: number; score: number }[] {
  const q = rng.normals(d);
  const k = rng.normals(d);
  const qs = applyRope(
    new Float32Array(P * d).map((_, i) => q[i % d]),
    { headDim: d, positions: P },
  );
  const ks = applyRope(
    new Float32Array(P * d).map((_, i) => k[i % d]),
    { headDim: d, positions: P },
  );
  const rows: { m: number; n: number; score: number }[] = [];
  for (let m = 0; m < P; m++) {
    for (let n = 0; n < P; n++) {
      rows.push({ m, n, score: dot(qs.subarray(m * d, (m + 1) * d), ks.subarray(n * d, (n + 1) * d)) });
    }
  }
  return rows;
}

/** Mean |score| of q = k = all-ones at distance D (RoFormer Sec. 3.4.3 long-term decay). */
function decayCurve(d: number, distances: number[]): { distance: number; score: number }[] {
  const ones = new Float32Array(d).fill(1);
  return distances.map((D) => {
    const t = ropeTables([D], d);
    let s = 0;
    for (let j = 0; j < d / 2; j++) s += 2 * t.cos[j]; // <R_0 1, R_D 1> = sum_j 2 cos(D theta_j)
    return { distance: D, score: s / dot(ones, ones) };
  });
}

const VARIANTS: { name: string; scaling?: RopeScaling; seqLen?: number }[] = [
  { name: 'plain RoPE' },
  { name: 'linear (s = 4)', scaling: { type: 'linear', factor: 4 } },
  { name: 'dynamic NTK (s = 4, L = 16384)', scaling: { type: 'dynamic', factor: 4 }, seqLen: 16384 },
  { name: 'YaRN (s = 4)', scaling: { type: 'yarn', factor: 4 } },
  { name: 'Llama 3.1 bands (s = 4)', scaling: { type: 'llama3', factor: 4, originalMaxPositions: 4096 } },
];

/** Wavelength 2 pi / theta_j per pair for each variant (d = 128, base 1e4, L = 4096). */
function wavelengthRows(): { pair: number; wavelength: number; variant: string }[] {
  return VARIANTS.flatMap((v) =>
    Array.from(ropeInverseFrequencies(128, { scaling: v.scaling, seqLen: v.seqLen }), (theta, j) => ({
      pair: j,
      wavelength: (2 * Math.PI) / theta,
      variant: v.name,
    })),
  );
}

function figures(grid: ReturnType<typeof scoreGrid>, decay: ReturnType<typeof decayCurve>): Figure[] {
  return [
    {
      caption:
        '<R_m q, R_n k> for one random q, k (head dim 64): constant along diagonals, i.e. a function of n - m only',
      vegaLite: {
        width: 320,
        height: 320,
        data: { values: grid },
        mark: 'rect',
        encoding: {
          x: { field: 'n', type: 'ordinal', title: 'key position n', axis: { labelOverlap: true } },
          y: { field: 'm', type: 'ordinal', title: 'query position m', axis: { labelOverlap: true } },
          color: { field: 'score', type: 'quantitative', scale: { scheme: 'redblue', domainMid: 0 } },
        },
      },
    },
    {
      caption: 'Long-term decay: score of q = k = 1 at distance n - m, normalised (head dim 128, base 1e4)',
      vegaLite: {
        width: 420,
        height: 220,
        data: { values: decay },
        mark: 'line',
        encoding: {
          x: { field: 'distance', type: 'quantitative', scale: { type: 'symlog' } },
          y: { field: 'score', type: 'quantitative', title: 'normalised score' },
        },
      },
    },
    {
      caption: 'Wavelength (positions per turn) of each pair under the scaling variants (d = 128, L = 4096)',
      vegaLite: {
        width: 420,
        height: 260,
        data: { values: wavelengthRows() },
        mark: 'line',
        encoding: {
          x: { field: 'pair', type: 'quantitative', title: 'pair index j' },
          y: { field: 'wavelength', type: 'quantitative', scale: { type: 'log' } },
          color: { field: 'variant', type: 'nominal' },
        },
      },
    },
  ];
}

/** Max |score difference| after converting W_q, W_k from interleaved to half layout. */
function layoutCheck(rng: Rng): number {
  const d = 8;
  const P = 5;
  const wq = rng.normals(d * d);
  const wk = rng.normals(d * d);
  const xs = rng.normals(P * d);
  const scores = (a: Float32Array, b: Float32Array, layout: 'interleaved' | 'half') => {
    const proj = (w: Float32Array) =>
      new Float32Array(P * d).map((_, i) =>
        dot(w.subarray((i % d) * d, (i % d) * d + d), xs.subarray(Math.floor(i / d) * d, Math.floor(i / d) * d + d)),
      );
    const q = applyRope(proj(a), { headDim: d, positions: P, layout });
    const k = applyRope(proj(b), { headDim: d, positions: P, layout });
    return Array.from({ length: P * P }, (_, i) =>
      dot(q.subarray(Math.floor(i / P) * d, Math.floor(i / P) * d + d), k.subarray((i % P) * d, (i % P) * d + d)),
    );
  };
  const before = scores(wq, wk, 'interleaved');
  const after = scores(
    permuteRopeRows(wq, d, d, 'interleaved', 'half'),
    permuteRopeRows(wk, d, d, 'interleaved', 'half'),
    'half',
  );
  return Math.max(...before.map((v, i) => Math.abs(v - after[i])));
}

export const section: TourSection = {
  id: 'rope',
  title: 'RoPE: rotary position embeddings',
  async run(ctx) {
    const P = ctx.quick ? 16 : 32;
    const grid = scoreGrid(ctx.rng.fork('grid'), P, 64);
    const distances = Array.from({ length: ctx.quick ? 64 : 256 }, (_, i) => Math.round(i ** 1.6));
    const decay = decayCurve(128, [...new Set(distances)]);
    const facts = ropeTables([3], 8);
    const factsCos = [-0.9899925, 0.95533649, 0.99955003, 0.9999955];
    const maxFactsErr = Math.max(...factsCos.map((c, j) => Math.abs(c - facts.cos[j])));
    const diagSpread =
      Math.max(...grid.filter((r) => r.n - r.m === 3).map((r) => r.score)) -
      Math.min(...grid.filter((r) => r.n - r.m === 3).map((r) => r.score));
    const layoutErr = layoutCheck(ctx.rng.fork('layout'));
    return {
      summary:
        'RoPE rotates each pair of q and k dimensions by an angle proportional to the position, so the attention ' +
        'score depends only on the offset n - m (lecture Eq. 19): the heatmap is constant along its diagonals. ' +
        'Context-extension variants change the per-pair frequencies: linear interpolation slows every pair, dynamic ' +
        'NTK raises the base, YaRN and Llama 3.1 keep the fast pairs and interpolate only the slow ones.',
      tables: [
        {
          caption: 'Checks (computed now)',
          columns: ['check', 'value'],
          rows: [
            ['max |cos - reference| at position 3, head dim 8', maxFactsErr],
            ['spread of scores along the diagonal n - m = 3', diagSpread],
            ['max |score change| after the interleaved -> half W_q/W_k row permutation', layoutErr],
          ],
        },
      ],
      figures: figures(grid, decay),
      data: { maxFactsErr, diagSpread, layoutErr },
    };
  },
};
