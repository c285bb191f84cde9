/**
 * toyworld/bench — measurements on the toy world: the ground-truth edit benchmark (ChordEdit vs
 * its baselines), the ChordEdit parameter sweep, and the caption read-back of generated samples.
 */

export { BENCH_METHODS, type BenchMethod } from './methods.js';
export {
  BENCH_METHOD_SETTINGS,
  type BenchOptions,
  type BenchResult,
  type MethodResult,
  type MethodScores,
  PSNR_CAP,
  runEditBench,
  summarise,
} from './edit-bench.js';
export { evaluateSamples } from './samples.js';
export { runSweep, SWEEP_GRID, type SweepKnob, type SweepPoint, type SweepResult } from './sweep.js';
