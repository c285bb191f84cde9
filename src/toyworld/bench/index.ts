/**
 * toyworld/bench — measurements on the toy world: the ground-truth edit benchmark (ChordEdit vs
 * its baselines), the ChordEdit parameter sweep, and the caption read-back of generated samples.
 */

export { BENCH_METHODS, type BenchMethod } from './methods.js';
export {
  BENCH_METHOD_SETTINGS,
  type BenchOptions,
  type BenchResult,
  benchPairs,
  benchTextLines,
  type IntervalOptions,
  type MethodIntervals,
  type MethodResult,
  type MethodScores,
  PAIRED_COMPARISONS,
  type PairedComparison,
  pairedDifference,
  type PairedName,
  type PairScore,
  PSNR_CAP,
  runEditBench,
  scorePairs,
  summarise,
} from './edit-bench.js';
export {
  type FieldEnergyResult,
  type FieldEnergyRow,
  type MeanStats,
  type Ratio,
  runFieldEnergy,
} from './field-energy.js';
export { FRONTIER_DEFAULTS, type FrontierConfig, frontierConfig } from './frontier-config.js';
export {
  compareCurves,
  type FrontierFamily,
  type FrontierPoint,
  type FrontierResult,
  frontierTextLines,
  type MatchedComparison,
  psnrAtAccuracy,
  runFrontier,
} from './frontier.js';
export { evaluateSamples } from './samples.js';
export { runSweep, SWEEP_GRID, type SweepKnob, type SweepPoint, type SweepResult } from './sweep.js';
