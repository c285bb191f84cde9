/**
 * core: what every part of modelmath stands on — one error hierarchy, one seeded RNG, atomic
 * writes, image / CSV / safetensors / video I/O, checkpoints, progress bars, stable softmax
 * helpers, the training engine and the ONNX Runtime backend.
 */

export * from './checkpoint.js';
// Engines: training (TensorFlow.js wasm) and inference (ONNX Runtime), CLIP tokenizer
export * from './clip-tokenizer.js';
export * from './csv.js';
export * from './engine.js';
// Errors and validation
export * from './errors.js';
export * from './image.js';
// Numerics on typed arrays
export * from './math.js';
export * from './onnx.js';
// Files: atomic writes, checkpoints, safetensors, CSV, images, video frames
export * from './outputs.js';
// Progress bars
export * from './progress.js';
// Randomness
export * from './rng.js';
export * from './safetensors.js';
export * from './video.js';
