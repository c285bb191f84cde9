/**
 * The ChordEdit model interface: the editor sees a model
 * only through these three small interfaces, so the same pipeline runs on SD-Turbo (ONNX), on the
 * embedded toy model and, in tests, on the closed-form Gaussian denoiser (./analytic.ts).
 * Time convention (the reference code's): t is the query's noise level, t = 1 pure noise, t = 0 clean.
 */
import type { Image } from '../core/image.js';

/** One prompt's text embedding, row-major, e.g. shape [77, 1024] (SD-Turbo) or [T, D] (toy). */
export interface TextEmbedding {
  data: Float32Array;
  shape: number[];
}

/** Turns prompts into embeddings (CLIP text encoder, or the toy model's word embedding). */
export interface TextEncoder {
  encode(prompts: string[]): Promise<TextEmbedding[]>;
}

/** An eps-prediction diffusion model. */
export interface Denoiser {
  /** Shape of one latent, e.g. [4, 64, 64] (SD-Turbo) or [3, 32, 32] (toy). */
  readonly latentShape: readonly number[];
  /** The model's 1000-step training schedule abar[0..999]. */
  readonly alphasCumprod: Float64Array;
  /** eps-prediction for B latents (row-major [B, ...latentShape]) at one DDPM index, one embedding per latent. */
  predictEps(z: Float32Array, timestep: number, cond: TextEmbedding[]): Promise<Float32Array>;
}

/** Image <-> latent (the VAE, or the identity for the pixel-space toy model). */
export interface LatentCodec {
  encode(image: Image): Promise<Float32Array>;
  decode(latent: Float32Array): Promise<Image>;
}
