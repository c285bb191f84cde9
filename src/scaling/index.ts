/**
 * Public API of the scaling part: the laws (Kaplan, parametric, data-constrained), compute and the
 * compute-optimal allocation, the Approach-3 fit with its L-BFGS, the bootstrap, Approach 2, and
 * reading runs from CSV. See docs/parts/scaling.md.
 */

export {
  BOOTSTRAP_DEFAULTS,
  BOOTSTRAP_KEYS,
  type BootstrapConfig,
  type BootstrapResult,
  bootstrapFit,
  bootstrapSamples,
} from './bootstrap.js';
// The generic bootstrap helpers the fit's bootstrap uses (core/stats.ts), re-exported for this API.
export { percentile, resampleCounts, type Summary, summarize } from '../core/stats.js';
// Data and the whole analysis.
export { checkFittable, parseRunsCsv, RUN_COLUMNS, type RunsWithFlops } from './data.js';
export { CHINCHILLA_CSV, readRunsCsv } from './data-file.js';
export { contourSpec, isoFlopSpec } from './lab-figures.js';
// Laws and presets.
export {
  dataConstrainedLoss,
  effectiveAmount,
  effectiveData,
  MUENNIGHOFF_2023,
  uniqueParams,
} from './data-constrained.js';
// Fitting (Approach 3), bootstrap, Approach 2.
export {
  checkRuns,
  distinctOptima,
  dropHighestLoss,
  FIT_DEFAULTS,
  type FitConfig,
  type FitResult,
  type FullFit,
  fitApproach3,
  fitFromStarts,
  gridStarts,
  type LocalOptimum,
  lawFromTheta,
  localOptima,
  MIN_RUNS,
  REPLICATION_GRID,
  type Runs,
  type StartGrid,
  toLogRuns,
} from './fit.js';
export { fitIsoFlop, fitLine, fitParabola, ISOFLOP_DEFAULTS, type IsoFlopConfig, type IsoFlopFit } from './isoflop.js';
export {
  checkLaw,
  KAPLAN_2020,
  kaplanLossD,
  kaplanLossN,
  kaplanLossND,
  LAW_NAMES,
  LAW_PRESETS,
  type LawName,
  lawPreset,
  type ParametricLaw,
  parametricLoss,
} from './laws.js';
// Optimiser and objective.
export { LBFGS_DEFAULTS, type LbfgsOptions, type LbfgsResult, minimizeLbfgs, type ValueAndGradient } from './lbfgs.js';
export {
  huber,
  huberObjective,
  huberValueAndGradient,
  type LogRuns,
  logSumExp3,
  predictLogLoss,
  THETA_NAMES,
} from './objective.js';
// Compute and compute-optimal allocation.
export {
  type Allocation,
  ATTENTION_FLOPS,
  type AttentionFlops,
  type AttentionShape,
  allocationG,
  computeOptimal,
  computeOptimalNumeric,
  equalSizeTable,
  flopsPerToken,
  goldenSection,
  type IsoFlopPoint,
  isoFlopCurve,
  trainingFlops,
} from './optimal.js';
export { bootstrapParallel, DEFAULT_THREADS, fitApproach3Parallel, localOptimaParallel } from './parallel.js';
export { type Analysis, type AnalysisOptions, analyzeRuns } from './pipeline.js';
