/**
 * Training compute and compute-optimal allocation. C = 6 N D (Kaplan et al. 2020, Section 2.1),
 * optionally with attention FLOPs per token; the closed-form optimum of L = E + A N^-alpha +
 * B D^-beta under C = 6 N D (Hoffmann et al. 2022, Appendix D.2 / eq. 4); iso-FLOP curves.
 * Checked in test/scaling/optimal.test.ts against a golden-section minimisation along the iso-FLOP line.
 */
import { ConfigError, checkNumber, checkOneOf } from '../core/errors.js';
import { type ParametricLaw, parametricLoss } from './laws.js';

/** Transformer shape needed for the attention FLOPs per token. */
export interface AttentionShape {
  /** Number of layers. */
  nLayer: number;
  /** Context length (tokens attended over). */
  nCtx: number;
  /** Model width (= heads x head size, the attention width). */
  dModel: number;
}

/**
 * How to count attention in the training FLOPs per token:
 * - `none`: 6 N (Kaplan Section 2.1, the usual C = 6 N D);
 * - `kaplan`: 6 N + 6 nLayer nCtx dModel (3 x Kaplan Table 1's forward count 2N + 2 nLayer nCtx dAttn, which counts the QK logits only);
 * - `palm`: 6 N + 12 nLayer nCtx dModel (Chowdhery et al. 2022, Appendix B: QK^T and the weighted sum of V, forward + backward).
 */
export const ATTENTION_FLOPS = ['none', 'kaplan', 'palm'] as const;
export type AttentionFlops = (typeof ATTENTION_FLOPS)[number];

/** Training FLOPs per token for N non-embedding parameters (see `AttentionFlops`). */
export function flopsPerToken(params: number, attention: AttentionFlops = 'none', shape?: AttentionShape): number {
  checkOneOf('attention', attention, ATTENTION_FLOPS);
  if (attention === 'none') return 6 * params;
  if (!shape) throw new ConfigError(`attention '${attention}' needs the model shape { nLayer, nCtx, dModel }`);
  const perLayer = shape.nLayer * shape.nCtx * shape.dModel;
  return 6 * params + (attention === 'kaplan' ? 6 : 12) * perLayer;
}

/** Kaplan Section 2.1: training compute C = 6 N D (forward 2N + backward 4N per token). */
export function trainingFlops(params: number, tokens: number): number {
  return 6 * params * tokens;
}

/** Compute-optimal allocation at a budget. */
export interface Allocation {
  /** Compute budget C (FLOPs). */
  flops: number;
  params: number;
  tokens: number;
  tokensPerParam: number;
  loss: number;
}

/** G = (alpha A / (beta B))^(1 / (alpha + beta)) of Hoffmann Appendix D.2. */
export function allocationG(law: ParametricLaw): number {
  return ((law.alpha * law.A) / (law.beta * law.B)) ** (1 / (law.alpha + law.beta));
}

/** Hoffmann eq. 4 (Appendix D.2): N_opt = G (C/6)^(beta/(alpha+beta)), D_opt = G^-1 (C/6)^(alpha/(alpha+beta)). */
export function computeOptimal(law: ParametricLaw, flops: number): Allocation {
  checkNumber('flops', flops, { min: 0, minExclusive: true });
  const g = allocationG(law);
  const s = law.alpha + law.beta;
  const params = g * (flops / 6) ** (law.beta / s);
  const tokens = (flops / 6) ** (law.alpha / s) / g;
  return { flops, params, tokens, tokensPerParam: tokens / params, loss: parametricLoss(law, params, tokens) };
}

/** Golden-section search for the minimum of a unimodal f on [lo, hi]. */
export function goldenSection(f: (x: number) => number, lo: number, hi: number, tol = 1e-12): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol * (1 + Math.abs(a) + Math.abs(b))) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** The optimum found numerically: minimise L(N, C/(6N)) over log N (independent check of `computeOptimal`). */
export function computeOptimalNumeric(law: ParametricLaw, flops: number): Allocation {
  const logC6 = Math.log(flops / 6);
  // Minimise log(L - E) = log(A N^-alpha + B D^-beta): same argmin, but resolvable where L is flat near E.
  const reducible = (logN: number) =>
    Math.log(law.A * Math.exp(-law.alpha * logN) + law.B * Math.exp(-law.beta * (logC6 - logN)));
  // It is convex in log N along the line (log of a sum of exponentials), so any wide bracket works.
  const logN = goldenSection(reducible, -100, logC6 + 100);
  const params = Math.exp(logN);
  const tokens = flops / (6 * params);
  return { flops, params, tokens, tokensPerParam: tokens / params, loss: parametricLoss(law, params, tokens) };
}

/** One point on an iso-FLOP curve. */
export interface IsoFlopPoint {
  flops: number;
  params: number;
  tokens: number;
  loss: number;
}

/** Loss along C = 6 N D for `points` log-spaced N in [paramsMin, paramsMax] (Hoffmann Figure 3 left). */
export function isoFlopCurve(
  law: ParametricLaw,
  flops: number,
  range: { paramsMin: number; paramsMax: number; points?: number },
): IsoFlopPoint[] {
  const points = range.points ?? 41;
  checkNumber('points', points, { min: 2, integer: true });
  const lo = Math.log(range.paramsMin);
  const hi = Math.log(range.paramsMax);
  const out: IsoFlopPoint[] = [];
  for (let i = 0; i < points; i++) {
    const params = Math.exp(lo + ((hi - lo) * i) / (points - 1));
    const tokens = flops / (6 * params);
    out.push({ flops, params, tokens, loss: parametricLoss(law, params, tokens) });
  }
  return out;
}

/** The lecture's table: L(N, D) with N = D at each size. */
export function equalSizeTable(law: ParametricLaw, sizes: readonly number[]): { size: number; loss: number }[] {
  return sizes.map((size) => ({ size, loss: parametricLoss(law, size, size) }));
}
