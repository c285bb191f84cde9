/**
 * The Approach-3 fitting objective of Hoffmann et al. (2022, eq. 3) in the log-sum-exp form of the
 * replication (Besiroglu et al. 2024, Section 2): sum_i Huber_delta(log L_i - LSE(a - alpha log N_i,
 * b - beta log D_i, e)) over parameters theta = [a, b, e, alpha, beta] with A = e^a, B = e^b, E = e^e.
 * Value and analytic gradient in one pass; checked against central finite differences in
 * test/scaling/objective.test.ts.
 */
import { ShapeError } from '../core/errors.js';

/** Runs in log space (one entry per run). Treated as immutable: distinct sizes are cached per array. */
export interface LogRuns {
  logN: Float64Array;
  logD: Float64Array;
  logL: Float64Array;
}

/** Order of the fitted vector theta. */
export const THETA_NAMES = ['a', 'b', 'e', 'alpha', 'beta'] as const;

/** Huber_delta(r) = r^2 / 2 for |r| <= delta, else delta (|r| - delta / 2) (Huber 1964). */
export function huber(r: number, delta: number): number {
  const ar = Math.abs(r);
  return ar <= delta ? 0.5 * r * r : delta * (ar - 0.5 * delta);
}

/** log(e^x + e^y + e^z), shifted by the max for stability. */
export function logSumExp3(x: number, y: number, z: number): number {
  const m = Math.max(x, y, z);
  return m + Math.log(Math.exp(x - m) + Math.exp(y - m) + Math.exp(z - m));
}

/** Predicted log loss log(E + A N^-alpha + B D^-beta) = LSE(a - alpha log N, b - beta log D, e). */
export function predictLogLoss(theta: ArrayLike<number>, logN: number, logD: number): number {
  return logSumExp3(theta[0] - theta[3] * logN, theta[1] - theta[4] * logD, theta[2]);
}

/** Throws a ShapeError unless the three arrays have the same length. */
export function checkLogRuns(runs: LogRuns): void {
  const n = runs.logN.length;
  if (runs.logD.length !== n || runs.logL.length !== n) {
    throw new ShapeError(`runs must have equal lengths, got N ${n}, D ${runs.logD.length}, L ${runs.logL.length}`);
  }
}

/** Distinct values of a column and each run's index into them (cached per array: runs share sizes). */
interface Distinct {
  values: Float64Array;
  index: Int32Array;
  /** Scratch for exp(a - alpha x) per distinct x. */
  powers: Float64Array;
}

const distinctCache = new WeakMap<Float64Array, Distinct>();

/** Distinct values of `x` (computed once per array; the arrays of LogRuns are never mutated). */
function distinctOf(x: Float64Array): Distinct {
  let d = distinctCache.get(x);
  if (!d) {
    const seen = new Map<number, number>();
    const index = Int32Array.from(x, (v) => {
      if (!seen.has(v)) seen.set(v, seen.size);
      return seen.get(v) as number;
    });
    const values = Float64Array.from(seen.keys());
    d = { values, index, powers: new Float64Array(values.length) };
    distinctCache.set(x, d);
  }
  return d;
}

/** exp(c - k x) for every distinct x: one exp per distinct model size (Chinchilla: 142 of 240 runs). */
function powersOf(d: Distinct, c: number, k: number): Float64Array {
  for (let j = 0; j < d.values.length; j++) d.powers[j] = Math.exp(c - k * d.values[j]);
  return d.powers;
}

/**
 * Objective value at theta; writes d/dtheta into `grad` when given. `weights` (optional) multiplies
 * each run's term (bootstrap counts), so a resample needs no copied arrays.
 */
export function huberObjective(
  theta: ArrayLike<number>,
  runs: LogRuns,
  delta: number,
  grad?: Float64Array,
  weights?: Float64Array,
): number {
  const a = theta[0];
  const b = theta[1];
  const e = theta[2];
  const alpha = theta[3];
  const beta = theta[4];
  const { logN, logD, logL } = runs;
  const expE = Math.exp(e);
  const dN = distinctOf(logN);
  const dD = distinctOf(logD);
  const powN = powersOf(dN, a, alpha);
  const powD = powersOf(dD, b, beta);
  const iN = dN.index;
  const iD = dD.index;
  let f = 0;
  let ga = 0;
  let gb = 0;
  let ge = 0;
  let gAlpha = 0;
  let gBeta = 0;
  for (let i = 0; i < logN.length; i++) {
    const w = weights === undefined ? 1 : weights[i];
    if (w === 0) continue;
    // Unshifted first (exp per distinct N and D, exp(e) shared); shift by the max only if that over/underflows.
    let m = 0;
    let p1 = powN[iN[i]];
    let p2 = powD[iD[i]];
    let p3 = expE;
    let s = p1 + p2 + p3;
    if (!(s > 1e-300 && s < 1e300)) {
      const t1 = a - alpha * logN[i];
      const t2 = b - beta * logD[i];
      m = Math.max(t1, t2, e);
      p1 = Math.exp(t1 - m);
      p2 = Math.exp(t2 - m);
      p3 = Math.exp(e - m);
      s = p1 + p2 + p3;
    }
    const r = logL[i] - (m + Math.log(s));
    const ar = r < 0 ? -r : r;
    // Huber value and its derivative in r; d r / d lse = -1, d lse / d t_k = p_k / s.
    let dr: number;
    if (ar <= delta) {
      f += w * 0.5 * r * r;
      dr = r;
    } else {
      f += w * delta * (ar - 0.5 * delta);
      dr = r < 0 ? -delta : delta;
    }
    const c = (-w * dr) / s;
    ga += c * p1;
    gb += c * p2;
    ge += c * p3;
    gAlpha -= c * p1 * logN[i];
    gBeta -= c * p2 * logD[i];
  }
  if (grad) {
    grad[0] = ga;
    grad[1] = gb;
    grad[2] = ge;
    grad[3] = gAlpha;
    grad[4] = gBeta;
  }
  return f;
}
