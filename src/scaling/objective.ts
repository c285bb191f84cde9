/**
 * The Approach-3 fitting objective of Hoffmann et al. (2022, eq. 3) in the log-sum-exp form of the
 * replication (Besiroglu et al. 2024, Section 2): sum_i Huber_delta(log L_i - LSE(a - alpha log N_i,
 * b - beta log D_i, e)) over parameters theta = [a, b, e, alpha, beta] with A = e^a, B = e^b, E = e^e.
 * `huberObjective` is the reference form; `huberValueAndGradient` is the fused value and analytic
 * gradient the fit uses, checked equal to it and against central finite differences in
 * test/scaling/objective.test.ts.
 */
import { ShapeError } from '../core/errors.js';
import { expAffine, logInto } from '../core/vector-math.js';

/** Runs in log space (one entry per run). Treated as immutable: distinct sizes are cached per object. */
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

/**
 * The objective as the replication writes it: sum_i Huber_delta(log L_i - predictLogLoss(theta)).
 * This is the reference; the fit uses `huberValueAndGradient`, tested equal to it.
 */
export function huberObjective(theta: ArrayLike<number>, runs: LogRuns, delta = 1e-3): number {
  let f = 0;
  for (let i = 0; i < runs.logL.length; i++)
    f += huber(runs.logL[i] - predictLogLoss(theta, runs.logN[i], runs.logD[i]), delta);
  return f;
}

/**
 * What the fused loop needs per LogRuns: the distinct log N and log D values (vN, vD), each run's
 * index into them (iN, iD), scratch for exp(c - k x) per distinct value (pN, pD), unit weights.
 */
interface Prepared {
  vN: Float64Array;
  iN: Int32Array;
  pN: Float64Array;
  vD: Float64Array;
  iD: Int32Array;
  pD: Float64Array;
  ones: Float64Array;
  /** Per run: s = sum of the three terms, and log s. */
  sums: Float64Array;
  logs: Float64Array;
}

const preparedCache = new WeakMap<LogRuns, Prepared>();

/** Distinct values of `x` and each entry's index into them. */
function distinctOf(x: Float64Array): { values: Float64Array; index: Int32Array } {
  const seen = new Map<number, number>();
  const index = Int32Array.from(x, (v) => {
    if (!seen.has(v)) seen.set(v, seen.size);
    return seen.get(v) as number;
  });
  return { values: Float64Array.from(seen.keys()), index };
}

/** Prepares a LogRuns object once (its arrays are never mutated). */
function prepare(runs: LogRuns): Prepared {
  checkLogRuns(runs);
  const n = distinctOf(runs.logN);
  const d = distinctOf(runs.logD);
  const [pN, pD] = [new Float64Array(n.values.length), new Float64Array(d.values.length)];
  const ones = new Float64Array(runs.logL.length).fill(1);
  const [sums, logs] = [new Float64Array(runs.logL.length), new Float64Array(runs.logL.length)];
  const p = { vN: n.values, iN: n.index, pN, vD: d.values, iD: d.index, pD, ones, sums, logs };
  preparedCache.set(runs, p);
  return p;
}

/**
 * `huberObjective` and its gradient d/dtheta (written into `grad`) in one fused pass over the runs.
 * `weights` (optional) multiplies each run's term (bootstrap counts), so a resample needs no copied
 * arrays. The terms exp(a - alpha log N) and exp(b - beta log D) are computed once per distinct size.
 */
export function huberValueAndGradient(
  theta: ArrayLike<number>,
  runs: LogRuns,
  delta: number,
  grad: Float64Array,
  weights?: Float64Array,
): number {
  const a = theta[0];
  const b = theta[1];
  const e = theta[2];
  const alpha = theta[3];
  const beta = theta[4];
  const { logN, logD, logL } = runs;
  const { vN, iN, pN, vD, iD, pD, ones, sums, logs } = preparedCache.get(runs) ?? prepare(runs);
  const w = weights ?? ones;
  const count = logL.length;
  // exp(a - alpha log N) and exp(b - beta log D) once per distinct value (Chinchilla: 140 sizes for 240
  // runs), then log of every run's sum: vectorised (core/vector-math.ts, the same values as Math.exp/log)
  expAffine(vN, a, alpha, pN);
  expAffine(vD, b, beta, pD);
  const expE = Math.exp(e);
  for (let i = 0; i < count; i++) sums[i] = pN[iN[i]] + pD[iD[i]] + expE;
  logInto(sums, logs);
  let f = 0;
  let ga = 0;
  let gb = 0;
  let ge = 0;
  let gAlpha = 0;
  let gBeta = 0;
  for (let i = 0; i < count; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    // Unshifted first; shift by the max only if that over/underflows (or the clamped exp arguments matter).
    let lse = logs[i];
    let p1 = pN[iN[i]];
    let p2 = pD[iD[i]];
    let p3 = expE;
    let s = sums[i];
    if (!(s > 1e-290 && s < 1e290)) {
      const t1 = a - alpha * logN[i];
      const t2 = b - beta * logD[i];
      const m = Math.max(t1, t2, e);
      p1 = Math.exp(t1 - m);
      p2 = Math.exp(t2 - m);
      p3 = Math.exp(e - m);
      s = p1 + p2 + p3;
      lse = m + Math.log(s);
    }
    const r = logL[i] - lse;
    // Huber without a data-dependent branch: with h = clamp(r, -delta, delta), Huber(r) = h (r - h/2)
    // (= r^2/2 inside, delta (|r| - delta/2) outside; the same floating-point result) and Huber'(r) = h.
    const h = Math.min(Math.max(r, -delta), delta);
    f += wi * (h * (r - 0.5 * h));
    const c = (-wi * h) / s;
    ga += c * p1;
    gb += c * p2;
    ge += c * p3;
    gAlpha -= c * p1 * logN[i];
    gBeta -= c * p2 * logD[i];
  }
  grad[0] = ga;
  grad[1] = gb;
  grad[2] = ge;
  grad[3] = gAlpha;
  grad[4] = gBeta;
  return f;
}
