/**
 * Plain-array math shared by every part: softmax, log-softmax, log-sum-exp, dot, mean, variance.
 * All sums run in float64; softmax-like functions subtract the maximum first (no overflow for
 * large logits). Empty input throws a ShapeError. Checked against naive float64 formulas and
 * invariants (softmax sums to 1, shift invariance) in test/core/math.test.ts.
 */
import { ShapeError } from './errors.js';

/** Any numeric vector accepted here. */
export type NumericArray = Float32Array | Float64Array | readonly number[];

function nonEmpty(name: string, x: ArrayLike<number>): void {
  if (x.length === 0) throw new ShapeError(`${name} must not be empty`);
}

function maxOf(x: ArrayLike<number>, start = 0, end = x.length): number {
  let m = -Infinity;
  for (let i = start; i < end; i++) {
    if (Number.isNaN(x[i])) return Number.NaN;
    if (x[i] > m) m = x[i];
  }
  return m;
}

/** Output array of the input's float type (Float32Array stays Float32Array, else Float64Array). */
function like(x: NumericArray, n = x.length): Float32Array | Float64Array {
  return x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** log Σ exp(x_i) = m + log Σ exp(x_i − m), m = max x. All −∞ → −∞; NaN propagates. */
export function logSumExp(x: NumericArray): number {
  nonEmpty('logSumExp input', x);
  return lseRange(x, 0, x.length);
}

function lseRange(x: NumericArray, start: number, end: number): number {
  const m = maxOf(x, start, end);
  if (!Number.isFinite(m)) return m; // −∞ (all −∞), +∞ or NaN
  let s = 0;
  for (let i = start; i < end; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

/** softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m), m = max x. */
export function softmax(x: Float32Array): Float32Array;
export function softmax(x: Float64Array | readonly number[]): Float64Array;
export function softmax(x: NumericArray): Float32Array | Float64Array {
  nonEmpty('softmax input', x);
  return softmaxRows(x, x.length);
}

/** log softmax(x)_i = x_i − logSumExp(x). */
export function logSoftmax(x: Float32Array): Float32Array;
export function logSoftmax(x: Float64Array | readonly number[]): Float64Array;
export function logSoftmax(x: NumericArray): Float32Array | Float64Array {
  nonEmpty('logSoftmax input', x);
  return logSoftmaxRows(x, x.length);
}

function checkRows(name: string, x: NumericArray, cols: number): void {
  nonEmpty(name, x);
  if (!Number.isInteger(cols) || cols <= 0 || x.length % cols !== 0) {
    throw new ShapeError(`${name}: row length ${cols} must be a positive divisor of ${x.length}`);
  }
}

/** Row-wise softmax of a row-major [N, cols] array (softmax over the last axis). */
export function softmaxRows(x: Float32Array, cols: number): Float32Array;
export function softmaxRows(x: Float64Array | readonly number[], cols: number): Float64Array;
export function softmaxRows(x: NumericArray, cols: number): Float32Array | Float64Array;
export function softmaxRows(x: NumericArray, cols: number): Float32Array | Float64Array {
  checkRows('softmaxRows input', x, cols);
  const out = like(x);
  const e = new Float64Array(cols);
  for (let r = 0; r < x.length; r += cols) {
    const m = maxOf(x, r, r + cols);
    let s = 0;
    for (let j = 0; j < cols; j++) {
      e[j] = Math.exp(x[r + j] - m);
      s += e[j];
    }
    for (let j = 0; j < cols; j++) out[r + j] = e[j] / s;
  }
  return out;
}

/** Row-wise log-softmax of a row-major [N, cols] array. */
export function logSoftmaxRows(x: Float32Array, cols: number): Float32Array;
export function logSoftmaxRows(x: Float64Array | readonly number[], cols: number): Float64Array;
export function logSoftmaxRows(x: NumericArray, cols: number): Float32Array | Float64Array;
export function logSoftmaxRows(x: NumericArray, cols: number): Float32Array | Float64Array {
  checkRows('logSoftmaxRows input', x, cols);
  const out = like(x);
  for (let r = 0; r < x.length; r += cols) {
    const lse = lseRange(x, r, r + cols);
    for (let j = 0; j < cols; j++) out[r + j] = x[r + j] - lse;
  }
  return out;
}

/** a · b = Σ a_i b_i (float64 accumulation); lengths must match. */
export function dot(a: NumericArray, b: NumericArray): number {
  nonEmpty('dot input', a);
  if (a.length !== b.length) throw new ShapeError(`dot: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** mean(x) = Σ x_i / n. */
export function mean(x: NumericArray): number {
  nonEmpty('mean input', x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** The mean of f over a list of records (e.g. one score over every edit pair). */
export function meanOf<T>(items: readonly T[], f: (item: T) => number): number {
  if (items.length === 0) throw new ShapeError('meanOf: empty list');
  let s = 0;
  for (const item of items) s += f(item);
  return s / items.length;
}

/**
 * variance(x) = Σ (x_i − mean)² / (n − ddof), two-pass with the compensation term
 * (Chan, Golub & LeVeque 1983, eq. 1.7). `ddof` = 0 (population, default) or 1 (sample; needs n ≥ 2).
 */
export function variance(x: NumericArray, ddof: 0 | 1 = 0): number {
  nonEmpty('variance input', x);
  if (x.length - ddof <= 0) throw new ShapeError(`variance with ddof=${ddof} needs at least ${ddof + 1} values`);
  const m = mean(x);
  let s2 = 0;
  let s1 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - m;
    s2 += d * d;
    s1 += d;
  }
  return (s2 - (s1 * s1) / x.length) / (x.length - ddof);
}
