/**
 * nn: functional layers, AdamW, the learning-rate schedule, parameter save/load and the one
 * training loop of modelmath, on the engine of core/engine.ts (TensorFlow.js, wasm backend).
 * Style: jax-js / nanoGPT. `xInit(rng, ...)` returns a plain params tree of tf.Variables and
 * `x(params, input)` applies it. Call `await getTf()` once before any of these.
 *
 * Shape letters (used in `// [..]` comments across modelmath):
 *   B batch · T tokens (query positions) · S key/context positions · D model dim · H heads ·
 *   Dh head dim (D / H) · V vocabulary · F hidden (MLP) dim · P patches · C channels ·
 *   N flattened rows (B·T) · L layers.
 *
 * Details that go beyond the engine's usual API (all additive):
 * - `AttentionParams` carries `heads: number` (static config; `flattenParams` skips numbers).
 * - `mlpInit(rng, dims)` takes the list of widths, e.g. [D, 4D, D]; `mlp(p, x, {activation})`.
 * - Linear weights are stored [in, out] (y = x W + b).
 * - `tf.gather` has a gradient on wasm because core/engine.ts registers the missing
 *   `UnsortedSegmentSum` kernel; `embedding(p, ids)` takes int32 ids and checks their range.
 * - `adamw(...).step(lossFn, params)` follows PyTorch: a parameter whose gradient is absent
 *   (not connected to the loss) is not updated; `getState()/setState()` for checkpoints.
 * - `explicitMlp*` (mlp-explicit.ts) is a hand-differentiated MLP on plain Float32Arrays, weights stored
 *   [out, in] as PyTorch; `arrayAdamwStep` is its optimiser, with the same update rule as `adamw`.
 * - Engine memory rule: see the header of core/engine.ts.
 */

// Optimiser and schedule
export { ADAMW_DEFAULTS, type AdamwConfig, type AdamwState, adamw, type Optimizer } from './adamw.js';
export {
  type ArrayAdamwOptions,
  type ArrayAdamwState,
  arrayAdamwInit,
  arrayAdamwStateEntries,
  arrayAdamwStateFrom,
  arrayAdamwStep,
} from './adamw-rule.js';
// Attention
export {
  type AttentionConfig,
  type AttentionOptions,
  type AttentionParams,
  attention,
  attentionInit,
  type RopeHook,
} from './attention.js';
// Layers
export {
  ACTIVATIONS,
  type Activation,
  activate,
  constantVariable,
  type EmbeddingParams,
  embedding,
  embeddingInit,
  gelu,
  type LayerNormParams,
  type LinearParams,
  layerNorm,
  layerNormInit,
  linear,
  linearInit,
  type MlpParams,
  mlp,
  mlpInit,
  normalVariable,
  type RmsNormParams,
  rmsNorm,
  rmsNormInit,
} from './layers.js';
// Hand-differentiated MLP on plain arrays
export {
  type ExplicitActivation,
  type ExplicitForward,
  type ExplicitMlp,
  type ExplicitMlpSpec,
  explicitMlpArrays,
  explicitMlpBackward,
  explicitMlpClone,
  explicitMlpForward,
  explicitMlpIndexBackward,
  explicitMlpIndexLogits,
  explicitMlpInit,
  explicitMlpZeros,
  logProbGradToLogits,
} from './mlp-explicit.js';
// Parameters
export {
  assignParams,
  disposeParams,
  flattenParams,
  loadParams,
  type ParamTree,
  paramCount,
  paramsToTensors,
  saveParams,
} from './params.js';
export { type LrSchedule, lrAt, lrSchedule, validateLrSchedule } from './schedule.js';
// Training loop
export {
  type CheckpointHooks,
  checkpointOf,
  type Metrics,
  type TrainLoopOptions,
  type TrainLoopResult,
  trainLoop,
} from './train.js';
