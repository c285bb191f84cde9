/**
 * Approach-3 fit of L = E + A/N^alpha + B/D^beta to training runs (Hoffmann et al. 2022, Section 3.3),
 * done as the replication does it (Besiroglu et al. 2024): drop the K highest-loss runs, minimise the
 * Huber log-sum-exp objective with L-BFGS from every start of a grid, keep the best. Checked in
 * test/scaling/fit.test.ts on synthetic runs with known parameters and on the 240 Chinchilla runs.
 */
import { ConfigError, checkNumber, InputError } from '../core/errors.js';
import type { ParametricLaw } from './laws.js';
import { type LbfgsOptions, minimizeLbfgs } from './lbfgs.js';
import { huberValueAndGradient, type LogRuns } from './objective.js';

/** Training runs: parameters N, tokens D and final loss L, one entry per run. */
export interface Runs {
  params: Float64Array;
  tokens: Float64Array;
  loss: Float64Array;
}

/** The fewest runs a 5-parameter fit accepts. */
export const MIN_RUNS = 6;

/** Multi-start grid over theta = [a, b, e, alpha, beta]; the product of the five value lists. */
export interface StartGrid {
  a: number[];
  b: number[];
  e: number[];
  alpha: number[];
  beta: number[];
}

/** The replication's grid (Besiroglu et al. 2024, Sec. 2): 6 x 6 x 5 x 5 x 5 = 4500 starts. */
export const REPLICATION_GRID: StartGrid = {
  a: [0, 5, 10, 15, 20, 25],
  b: [0, 5, 10, 15, 20, 25],
  e: [-1, -0.5, 0, 0.5, 1],
  alpha: [0, 0.5, 1, 1.5, 2],
  beta: [0, 0.5, 1, 1.5, 2],
};

export interface FitConfig {
  /** Huber threshold on log-loss residuals. Default 1e-3 (the replication's), range (0, inf). */
  delta: number;
  /** Start grid. Default REPLICATION_GRID (4500 starts). */
  grid: StartGrid;
  /** L-BFGS settings for the run from every start. Default {} (LBFGS_DEFAULTS, SciPy's L-BFGS-B tolerances). */
  lbfgs: Partial<LbfgsOptions>;
  /** How many of the best distinct end points are refined with `polishLbfgs`. Default 4, range [0, starts]. */
  polish: number;
  /** Tighter tolerances for the refinement. Default { gtol: 1e-9, ftol: 1e-12 }. */
  polishLbfgs: Partial<LbfgsOptions>;
}

/**
 * SciPy's tolerances from every start, then the 4 best distinct end points refined with tight
 * tolerances: the same optimum as tight tolerances everywhere at 0.56x the evaluations (docs/parts/scaling.md).
 */
export const FIT_DEFAULTS: FitConfig = {
  delta: 1e-3,
  grid: REPLICATION_GRID,
  lbfgs: {},
  polish: 4,
  polishLbfgs: { gtol: 1e-10, ftol: 0 },
};

/** A fitted law with the objective and bookkeeping. */
export interface FitResult extends ParametricLaw {
  /** theta = [a, b, e, alpha, beta] at the optimum. */
  theta: number[];
  /** The Huber sum at the optimum. */
  objective: number;
  /** Runs used. */
  runs: number;
  /** Starts tried, and how many runs from them (and the refinements) converged. */
  starts: number;
  converged: number;
  /** Objective evaluations over all starts. */
  evaluations: number;
}

/** Validates runs: equal lengths, finite and positive values, named by run (1-based) and field. */
export function checkRuns(runs: Runs, min = MIN_RUNS): void {
  const n = runs.params.length;
  if (runs.tokens.length !== n || runs.loss.length !== n) {
    throw new InputError(
      `runs must have equal lengths, got ${n} params, ${runs.tokens.length} tokens, ${runs.loss.length} losses`,
    );
  }
  for (const [field, values] of [
    ['params', runs.params],
    ['tokens', runs.tokens],
    ['loss', runs.loss],
  ] as const) {
    for (let i = 0; i < n; i++) {
      if (!(Number.isFinite(values[i]) && values[i] > 0)) {
        throw new InputError(`run ${i + 1}: ${field} must be a finite number > 0, got ${values[i]}`);
      }
    }
  }
  if (n < min) throw new InputError(`too few runs to fit 5 parameters: got ${n}, need at least ${min}`);
}

/**
 * The replication's outlier rule: keep runs whose loss is below the K-th highest loss (K = 0 keeps
 * all). With ties at the threshold more than K runs go; the count kept is reported by the fit.
 */
export function dropHighestLoss(runs: Runs, k: number): Runs {
  checkNumber('dropHighestLoss', k, { min: 0, max: runs.loss.length - 1, integer: true });
  if (k === 0) return runs;
  const threshold = Float64Array.from(runs.loss).sort()[runs.loss.length - k];
  const keep: number[] = [];
  for (let i = 0; i < runs.loss.length; i++) if (runs.loss[i] < threshold) keep.push(i);
  const pick = (x: Float64Array) => Float64Array.from(keep, (i) => x[i]);
  return { params: pick(runs.params), tokens: pick(runs.tokens), loss: pick(runs.loss) };
}

/** Runs in log space for the objective. */
export function toLogRuns(runs: Runs): LogRuns {
  return { logN: runs.params.map(Math.log), logD: runs.tokens.map(Math.log), logL: runs.loss.map(Math.log) };
}

/** Every start of the grid as theta vectors, in the replication's order (alpha, beta, e, a, b). */
export function gridStarts(grid: StartGrid): number[][] {
  const out: number[][] = [];
  for (const alpha of grid.alpha)
    for (const beta of grid.beta)
      for (const e of grid.e) for (const a of grid.a) for (const b of grid.b) out.push([a, b, e, alpha, beta]);
  return out;
}

/** theta = [a, b, e, alpha, beta] -> the law (A = e^a, B = e^b, E = e^e). */
export function lawFromTheta(theta: ArrayLike<number>): ParametricLaw {
  return { A: Math.exp(theta[0]), B: Math.exp(theta[1]), E: Math.exp(theta[2]), alpha: theta[3], beta: theta[4] };
}

/** Where L-BFGS ended from one start. */
export interface LocalOptimum {
  theta: Float64Array;
  objective: number;
  converged: boolean;
  evaluations: number;
}

/** L-BFGS on the Huber objective (optionally weighted per run) from every start. */
export function localOptima(
  logRuns: LogRuns,
  starts: readonly (readonly number[])[],
  config: Partial<FitConfig> = {},
  weights?: Float64Array,
): LocalOptimum[] {
  const { delta, lbfgs } = { ...FIT_DEFAULTS, ...config };
  checkNumber('delta', delta, { min: 0, minExclusive: true });
  if (starts.length === 0) throw new ConfigError('the start grid is empty: give at least one value per parameter');
  const fg = (x: Float64Array, g: Float64Array) => huberValueAndGradient(x, logRuns, delta, g, weights);
  return starts.map((start) => {
    const r = minimizeLbfgs(fg, start, lbfgs);
    return { theta: r.x, objective: r.f, converged: r.converged, evaluations: r.evaluations };
  });
}

/** Up to `k` optima, best first, whose theta differ from each better one by more than `tol` (inf-norm). */
export function distinctOptima(optima: readonly LocalOptimum[], k: number, tol = 1e-2): number[][] {
  const sorted = optima.filter((o) => Number.isFinite(o.objective)).sort((p, q) => p.objective - q.objective);
  const out: number[][] = [];
  for (const o of sorted) {
    if (out.length >= k) break;
    if (out.every((t) => t.some((v, i) => Math.abs(v - o.theta[i]) > tol))) out.push(Array.from(o.theta));
  }
  return out;
}

/** The best of several local optima as a fit result (`runs` = number of runs, or the weight total). */
export function bestOptimum(optima: readonly LocalOptimum[], runs: number): FitResult {
  let best: LocalOptimum | null = null;
  for (const o of optima) if (Number.isFinite(o.objective) && (best === null || o.objective < best.objective)) best = o;
  if (best === null) throw new InputError('the fit failed from every start (objective not finite)');
  return {
    ...lawFromTheta(best.theta),
    theta: Array.from(best.theta),
    objective: best.objective,
    runs,
    starts: optima.length,
    converged: optima.filter((o) => o.converged).length,
    evaluations: optima.reduce((s, o) => s + o.evaluations, 0),
  };
}

/** The optima plus the refinement (with `polishLbfgs`) of the `polish` best distinct ones. */
export function refineOptima(
  logRuns: LogRuns,
  optima: LocalOptimum[],
  config: Partial<FitConfig> = {},
  weights?: Float64Array,
): LocalOptimum[] {
  const cfg = { ...FIT_DEFAULTS, ...config };
  if (cfg.polish === 0) return optima;
  const refine = distinctOptima(optima, cfg.polish);
  return [...optima, ...localOptima(logRuns, refine, { ...cfg, lbfgs: cfg.polishLbfgs }, weights)];
}

/** Local optima from every start, refined (see `refineOptima`). */
export function polishedOptima(
  logRuns: LogRuns,
  starts: readonly (readonly number[])[],
  config: Partial<FitConfig> = {},
  weights?: Float64Array,
): LocalOptimum[] {
  return refineOptima(logRuns, localOptima(logRuns, starts, config, weights), config, weights);
}

/** The best local optimum over the starts (after refinement). */
export function fitFromStarts(
  logRuns: LogRuns,
  starts: readonly (readonly number[])[],
  config: Partial<FitConfig> = {},
  weights?: Float64Array,
): FitResult {
  const runs = weights ? weights.reduce((s, w) => s + w, 0) : logRuns.logN.length;
  return { ...bestOptimum(polishedOptima(logRuns, starts, config, weights), runs), starts: starts.length };
}

/** Validated runs in log space (after dropping outliers) and the grid's starts. */
export function prepareFit(
  runs: Runs,
  options: Partial<FitConfig> & { dropHighestLoss?: number } = {},
): { logRuns: LogRuns; starts: number[][] } {
  checkRuns(runs);
  const kept = dropHighestLoss(runs, options.dropHighestLoss ?? 0);
  checkRuns(kept);
  return { logRuns: toLogRuns(kept), starts: gridStarts(options.grid ?? FIT_DEFAULTS.grid) };
}

/** A full fit's result: the best optimum, plus the runs used and every local optimum (for the bootstrap's starts). */
export type FullFit = FitResult & { logRuns: LogRuns; optima: LocalOptimum[] };

/** The full Approach-3 fit: validate, drop outliers, multi-start L-BFGS over the grid, refine the best. */
export function fitApproach3(runs: Runs, options: Partial<FitConfig> & { dropHighestLoss?: number } = {}): FullFit {
  const { logRuns, starts } = prepareFit(runs, options);
  const optima = polishedOptima(logRuns, starts, options);
  return { ...bestOptimum(optima, logRuns.logN.length), starts: starts.length, logRuns, optima };
}
