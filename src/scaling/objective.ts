/**
 * The Approach-3 fitting objective of Hoffmann et al. (2022, eq. 3) in the log-sum-exp form of the
 * replication (Besiroglu et al. 2024, Section 2): sum_i Huber_delta(log L_i - LSE(a - alpha log N_i,
 * b - beta log D_i, e)) over parameters theta = [a, b, e, alpha, beta] with A = e^a, B = e^b, E = e^e.
 * `huberObjective` is the reference form; `huberValueAndGradient` is the fused value and analytic
 * gradient the fit uses (its loops in WebAssembly: objective-kernel.ts), checked equal to it and
 * against central finite differences in test/scaling/objective.test.ts.
 */
import { ShapeError } from '../core/errors.js';
import { huberKernel, type KernelRuns } from './objective-kernel.js';

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

const preparedCache = new WeakMap<LogRuns, KernelRuns>();

/** Distinct values of `x` and each entry's index into them. */
function distinctOf(x: Float64Array): { values: Float64Array; index: Int32Array } {
  const seen = new Map<number, number>();
  const index = Int32Array.from(x, (v) => {
    if (!seen.has(v)) seen.set(v, seen.size);
    return seen.get(v) as number;
  });
  return { values: Float64Array.from(seen.keys()), index };
}

/** The runs with their distinct sizes, prepared once per LogRuns object (its arrays are never mutated). */
function prepare(runs: LogRuns): KernelRuns {
  checkLogRuns(runs);
  const n = distinctOf(runs.logN);
  const d = distinctOf(runs.logD);
  const p = { ...runs, vN: n.values, iN: n.index, vD: d.values, iD: d.index };
  preparedCache.set(runs, p);
  return p;
}

/**
 * `huberObjective` and its gradient d/dtheta (written into `grad`) in one fused pass over the runs
 * (objective-kernel.ts). `weights` (optional, one per run) multiplies each run's term (bootstrap
 * counts), so a resample needs no copied arrays. exp(a - alpha log N) and exp(b - beta log D) are
 * computed once per distinct size (Chinchilla: 140 model sizes for 240 runs).
 */
export function huberValueAndGradient(
  theta: ArrayLike<number>,
  runs: LogRuns,
  delta: number,
  grad: Float64Array,
  weights?: Float64Array,
): number {
  const prepared = preparedCache.get(runs) ?? prepare(runs);
  if (weights && weights.length !== runs.logL.length) {
    throw new ShapeError(`weights must have one entry per run (${runs.logL.length}), got ${weights.length}`);
  }
  return huberKernel(prepared, theta, delta, grad, weights);
}
