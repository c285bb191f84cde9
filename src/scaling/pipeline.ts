/**
 * The whole analysis a researcher runs on a file of training runs, shared by the CLI and the tour:
 * Approach-3 grid fit (fit.ts), optional bootstrap (bootstrap.ts) started from the fit's distinct
 * local optima, the compute-optimal allocation at a budget (optimal.ts) and Approach 2 (isoflop.ts)
 * on the same runs. Checked end to end in test/scaling/cli.test.ts.
 */
import { BOOTSTRAP_DEFAULTS, type BootstrapConfig, type BootstrapResult } from './bootstrap.js';
import { distinctOptima, dropHighestLoss, type FitConfig, type FitResult, type Runs } from './fit.js';
import { fitIsoFlop, type IsoFlopFit } from './isoflop.js';
import { type Allocation, computeOptimal } from './optimal.js';
import { bootstrapParallel, DEFAULT_THREADS, fitApproach3Parallel } from './parallel.js';

export interface AnalysisOptions {
  /** Runs with the K highest losses dropped first (the replication used 5). Default 0. */
  dropHighestLoss: number;
  /** Fit settings (delta, grid, L-BFGS tolerances). */
  fit: Partial<FitConfig>;
  /** Bootstrap settings; resamples 0 skips the bootstrap. */
  bootstrap: Partial<BootstrapConfig>;
  /** Worker threads for the grid and the bootstrap. Default 2; 1 runs on the calling thread. */
  threads: number;
  /** Called with the number of bootstrap resamples just finished (progress bars). */
  onProgress?: (n: number) => void;
}

export interface Analysis {
  fit: FitResult;
  /** Compute-optimal allocation under the fitted law at the bootstrap's budget. */
  optimal: Allocation;
  bootstrap: BootstrapResult | null;
  isoFlop: IsoFlopFit;
}

/** Fit, optionally bootstrap, and run Approach 2 on runs that carry their compute. */
export async function analyzeRuns(
  runs: Runs & { flops: Float64Array },
  seed: number,
  options: Partial<AnalysisOptions> = {},
): Promise<Analysis> {
  const drop = options.dropHighestLoss ?? 0;
  const threads = options.threads ?? DEFAULT_THREADS;
  const full = await fitApproach3Parallel(runs, { ...options.fit, dropHighestLoss: drop, threads });
  const { logRuns, optima, ...fit } = full;
  const flops = options.bootstrap?.flops ?? BOOTSTRAP_DEFAULTS.flops;
  const resamples = options.bootstrap?.resamples ?? 0;
  const starts = distinctOptima(optima, options.bootstrap?.starts ?? BOOTSTRAP_DEFAULTS.starts);
  const bootstrap =
    resamples > 0
      ? await bootstrapParallel(logRuns, starts, seed, { ...options.bootstrap, resamples }, options.fit, {
          threads,
          onProgress: options.onProgress,
        })
      : null;
  const kept = dropHighestLoss(runs, drop);
  const keptFlops = kept.params.map((n, i) => 6 * n * kept.tokens[i]);
  const isoFlop = fitIsoFlop({ params: kept.params, flops: keptFlops, loss: kept.loss });
  return { fit, optimal: computeOptimal(fit, flops), bootstrap, isoFlop };
}
