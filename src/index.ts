/**
 * modelmath — the math of large models, runnable. Each part is a namespace here and a subpath
 * export (`modelmath/chordedit`, `modelmath/rope`, ...); import the subpath to load only that part.
 */

// Foundation: errors, I/O, RNG, engines, contracts; layers and the training loop
export * as core from './core/index.js';
export * as nn from './nn/index.js';

// Shared model math; the ONNX pipeline (one model format)
export * as diffusion from './diffusion/index.js';
export * as lora from './lora/index.js';
export * as pipeline from './pipeline/index.js';
export * as rope from './rope/index.js';

// Methods
export * as causal from './causal/index.js';
export * as chordedit from './chordedit/index.js';
export * as evaluation from './eval/index.js';
export * as grpo from './grpo/index.js';
export * as lm from './lm/index.js';
export * as physics from './physics/index.js';
export * as scaling from './scaling/index.js';
export * as toyworld from './toyworld/index.js';
