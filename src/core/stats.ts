/**
 * The nonparametric bootstrap (Efron 1979; Efron & Tibshirani 1993, ch. 6 and 13): resample the n
 * items with replacement as a vector of counts (no copied arrays), recompute a statistic on each
 * resample, and read the percentile interval off the sorted replicates (numpy's linear interpolation).
 * Resample k draws from `new Rng(seed).fork(k)`, so results do not depend on how work is split.
 * Checked against a naive copy-the-items loop, closed forms and simulated coverage in test/core/stats.test.ts.
 */
import { checkFinite, checkNumber, ShapeError } from './errors.js';
import { Rng } from './rng.js';

/** A closed interval [lo, hi]. */
export type Interval = [lo: number, hi: number];

/** An interval as text, "[lo, hi]" to `digits` decimals; '–' when there is none. */
export const formatInterval = (ci: Readonly<Interval> | null | undefined, digits: number): string =>
  ci ? `[${ci[0].toFixed(digits)}, ${ci[1].toFixed(digits)}]` : '–';

export interface BootstrapOptions {
  /** Number of resamples B. Default 2000, range [2, 1e6]. */
  resamples: number;
  /** Central coverage of the percentile interval. Default 0.95, range (0, 1). */
  level: number;
  /** Seed of the resampling (resample k uses `new Rng(seed).fork(k)`). Default 0. */
  seed: number;
}

export const BOOTSTRAP_OPTIONS_DEFAULTS: BootstrapOptions = { resamples: 2000, level: 0.95, seed: 0 };

/** Mean, standard error (ddof 1) and percentile interval of a set of replicates. */
export interface Summary {
  mean: number;
  /** Standard deviation of the replicates (ddof 1): the bootstrap standard error. */
  se: number;
  /** Percentile interval [lo, hi] at the level asked for. */
  lo: number;
  hi: number;
}

/** Multinomial resample of n items as counts (one draw of n indices with replacement). */
export function resampleCounts(n: number, rng: Rng, out = new Float64Array(n)): Float64Array {
  checkNumber('number of items', n, { min: 1, max: 2 ** 32, integer: true });
  out.fill(0);
  for (let i = 0; i < n; i++) out[Math.floor(rng.uniform() * n)] += 1; // = rng.int(n), checked once above
  return out;
}

/** Percentile of sorted values with linear interpolation between order statistics (numpy's default). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new ShapeError('percentile of an empty list');
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const j = Math.min(i + 1, sorted.length - 1);
  return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
}

/** The central percentile interval of `values` at `level` (e.g. the 2.5th and 97.5th percentiles for 0.95). */
export function percentileInterval(values: ArrayLike<number>, level: number): Interval {
  const sorted = Float64Array.from(values).sort();
  const tail = (1 - level) / 2;
  return [percentile(sorted, tail), percentile(sorted, 1 - tail)];
}

/** Mean, standard error (ddof 1) and percentile interval of one column of replicates. */
export function summarize(values: ArrayLike<number>, level: number): Summary {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const [lo, hi] = percentileInterval(values, level);
  return { mean, se: Math.sqrt(ss / (n - 1)), lo, hi };
}

/** Σ counts_i values_i / Σ counts_i: the mean of a resample given as counts. */
export function weightedMean(values: ArrayLike<number>, counts: ArrayLike<number>): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < values.length; i++) {
    s += counts[i] * values[i];
    w += counts[i];
  }
  return s / w;
}

/** Validates and completes bootstrap options. */
export function bootstrapOptions(options: Partial<BootstrapOptions> = {}): BootstrapOptions {
  const o = { ...BOOTSTRAP_OPTIONS_DEFAULTS, ...options };
  checkNumber('resamples', o.resamples, { min: 2, max: 1e6, integer: true });
  checkNumber('level', o.level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  checkNumber('seed', o.seed, { min: 0, max: 2 ** 32 - 1, integer: true });
  return o;
}

/**
 * B replicates of a vector statistic of n items: resample k gives `statistic(counts)` with counts
 * from `resampleCounts(n, new Rng(seed).fork(k))`. Returns one column per statistic component.
 */
export function bootstrap(
  n: number,
  statistic: (counts: Float64Array) => ArrayLike<number>,
  options: Partial<BootstrapOptions> = {},
): Float64Array[] {
  checkNumber('number of bootstrap items', n, { min: 1, integer: true });
  const o = bootstrapOptions(options);
  const base = new Rng(o.seed);
  const counts = new Float64Array(n);
  const columns: Float64Array[] = [];
  for (let k = 0; k < o.resamples; k++) {
    const value = statistic(resampleCounts(n, base.fork(k), counts));
    if (k === 0) for (let j = 0; j < value.length; j++) columns.push(new Float64Array(o.resamples));
    if (value.length !== columns.length)
      throw new ShapeError(`bootstrap statistic returned ${value.length} values, expected ${columns.length}`);
    for (let j = 0; j < value.length; j++) columns[j][k] = value[j];
  }
  return columns;
}

/** Mean of per-item values and its bootstrap percentile interval (resampling the items). */
export function bootstrapMean(
  values: ArrayLike<number>,
  options: Partial<BootstrapOptions> = {},
): { mean: number; ci: Interval } {
  return bootstrapMeans([values], options)[0];
}

/**
 * Means of several per-item columns (all of length n) with percentile intervals from ONE set of
 * resamples of the items, so intervals of related quantities come from the same resampled items.
 */
export function bootstrapMeans(
  columns: ArrayLike<number>[],
  options: Partial<BootstrapOptions> = {},
): { mean: number; ci: Interval }[] {
  const o = bootstrapOptions(options);
  const n = columns[0]?.length ?? 0;
  for (const [j, c] of columns.entries()) {
    if (c.length !== n) throw new ShapeError(`bootstrap column ${j} has ${c.length} items, expected ${n}`);
    checkFinite(`bootstrap column ${j}`, c);
  }
  const reps = bootstrap(n, (counts) => columns.map((c) => weightedMean(c, counts)), o);
  return columns.map((c, j) => ({
    mean: weightedMean(c, new Float64Array(n).fill(1)),
    ci: percentileInterval(reps[j], o.level),
  }));
}

/**
 * Paired bootstrap of mean(a - b) over the same items (Efron & Tibshirani 1993, sec. 6.5): the
 * interval of the mean difference, resampling items so each keeps its own a and b.
 */
export function pairedBootstrap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: Partial<BootstrapOptions> = {},
): { mean: number; ci: Interval } {
  if (a.length !== b.length)
    throw new ShapeError(`paired bootstrap needs equal lengths, got ${a.length} and ${b.length}`);
  return bootstrapMean(
    Float64Array.from(a, (v, i) => v - b[i]),
    options,
  );
}
