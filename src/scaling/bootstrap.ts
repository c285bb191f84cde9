/**
 * Bootstrap over runs for the Approach-3 fit (Besiroglu et al. 2024, Section 3: 4000 resamples of
 * the runs with replacement): standard errors and percentile intervals of A, B, E, alpha, beta and of
 * N_opt, D_opt and tokens per parameter at a chosen compute. A resample is a vector of counts used as
 * per-run weights (no copied arrays; core/stats.ts). Each resample is refitted from a few starts: the distinct local
 * optima of the full-data grid fit (`distinctOptima` in fit.ts); bench/scaling/bootstrap.ts measures that this
 * reaches the full grid's optimum. Checked in test/scaling/bootstrap.test.ts.
 */
import { checkNumber } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { resampleCounts, type Summary, summarize } from '../core/stats.js';
import { FIT_DEFAULTS, type FitConfig, fitFromStarts, lawFromTheta } from './fit.js';
import type { LogRuns } from './objective.js';
import { computeOptimal } from './optimal.js';

export interface BootstrapConfig {
  /** Number of resamples. Default 4000 (the replication's), range [2, 1e6]. */
  resamples: number;
  /** Compute budget C (FLOPs) at which N_opt, D_opt and tokens per parameter are reported. Default 5.76e23 (Chinchilla's). */
  flops: number;
  /** Central coverage of the percentile intervals. Default 0.95, range (0, 1). */
  level: number;
  /** How many distinct full-data optima seed each resample's fit. Default 4, range [1, 100]. */
  starts: number;
}

export const BOOTSTRAP_DEFAULTS: BootstrapConfig = { resamples: 4000, flops: 5.76e23, level: 0.95, starts: 4 };

/** Quantities summarised by the bootstrap. */
export const BOOTSTRAP_KEYS = ['A', 'B', 'E', 'alpha', 'beta', 'params', 'tokens', 'tokensPerParam'] as const;
export type BootstrapKey = (typeof BOOTSTRAP_KEYS)[number];

export interface BootstrapResult {
  resamples: number;
  flops: number;
  level: number;
  summary: Record<BootstrapKey, Summary>;
  /** One row per resample: the values of BOOTSTRAP_KEYS in order. */
  samples: Float64Array[];
  /** Starts (theta vectors) each resample was fitted from. */
  starts: number[][];
}

/** Validates and completes bootstrap settings. */
export function bootstrapConfig(config: Partial<BootstrapConfig> = {}): BootstrapConfig {
  const cfg = { ...BOOTSTRAP_DEFAULTS, ...config };
  checkNumber('resamples', cfg.resamples, { min: 2, max: 1e6, integer: true });
  checkNumber('flops', cfg.flops, { min: 0, minExclusive: true });
  checkNumber('level', cfg.level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  return cfg;
}

/**
 * Resamples `from` .. `to - 1`: resample k draws its counts from `new Rng(seed).fork(k)`, so the
 * samples do not depend on how resamples are split over threads. One row of BOOTSTRAP_KEYS values each.
 */
export function bootstrapSamples(
  logRuns: LogRuns,
  starts: readonly (readonly number[])[],
  job: { seed: number; from: number; to: number; flops: number },
  fit: Partial<FitConfig> = {},
  onResample?: () => void,
): Float64Array[] {
  const n = logRuns.logN.length;
  const weights = new Float64Array(n);
  const base = new Rng(job.seed);
  // The starts are full-data optima already: refine them with the tight tolerances only.
  const tight = { ...fit, lbfgs: fit.polishLbfgs ?? FIT_DEFAULTS.polishLbfgs, polish: 0 };
  const samples: Float64Array[] = [];
  for (let k = job.from; k < job.to; k++) {
    resampleCounts(n, base.fork(k), weights);
    const law = lawFromTheta(fitFromStarts(logRuns, starts, tight, weights).theta);
    const opt = computeOptimal(law, job.flops);
    samples.push(Float64Array.of(law.A, law.B, law.E, law.alpha, law.beta, opt.params, opt.tokens, opt.tokensPerParam));
    onResample?.();
  }
  return samples;
}

/** Summaries of every BOOTSTRAP_KEYS quantity over the samples. */
export function summarizeSamples(samples: Float64Array[], starts: number[][], cfg: BootstrapConfig): BootstrapResult {
  const summary = {} as Record<BootstrapKey, Summary>;
  for (const [j, key] of BOOTSTRAP_KEYS.entries()) {
    summary[key] = summarize(
      Float64Array.from(samples, (s) => s[j]),
      cfg.level,
    );
  }
  return { resamples: samples.length, flops: cfg.flops, level: cfg.level, summary, samples, starts };
}

/** The bootstrap on this thread: `resamples` weighted refits from `starts` (see `bootstrapSamples`), then summaries. */
export function bootstrapFit(
  logRuns: LogRuns,
  starts: number[][],
  seed: number,
  config: Partial<BootstrapConfig> = {},
  fit: Partial<FitConfig> = {},
  onResample?: () => void,
): BootstrapResult {
  const cfg = bootstrapConfig(config);
  const job = { seed, from: 0, to: cfg.resamples, flops: cfg.flops };
  return summarizeSamples(bootstrapSamples(logRuns, starts, job, fit, onResample), starts, cfg);
}
