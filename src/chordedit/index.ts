/**
 * modelmath/chordedit — ChordEdit (Lu et al., CVPR 2026): one-step, training-free, inversion-free
 * text-guided image editing, its baselines, the SD-Turbo ONNX pipeline and the edit metrics.
 */

// The model interface every backend implements (SD-Turbo ONNX, toy model, analytic Gaussian)
export type { Denoiser, LatentCodec, TextEmbedding, TextEncoder } from './denoiser.js';
