/**
 * modelmath/eval: cross-entropy, perplexity and bits per byte of a text under a causal LM
 * (the tiny LM or any ONNX causal LM), with Hugging Face-style strided sliding windows.
 */
export { type CausalLm, onnxCausalLm, tinyCausalLm } from './causal-lm.js';
export { type EvalOptions, type EvalResult, evaluateText } from './evaluate.js';
export { type EvalWindow, type LmMetrics, lmMetrics, slidingWindows, tokenNll } from './metrics.js';
export { openCausalLm, readText } from './open.js';
