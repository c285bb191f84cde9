/**
 * The model contract of every diffusion consumer (ChordEdit, its baselines, text-to-image sampling):
 * an eps-prediction `Denoiser` on a 1000-step DDPM schedule (Ho et al. 2020, eq. 4), a `TextEncoder`
 * and an image <-> latent `LatentCodec`. The ONNX pipeline (src/pipeline), the toy model's engine
 * twin and the closed-form Gaussian model implement it; consumers import no model's code.
 * Time convention: `timesteps` are DDPM indices 0..T-1 (0 = least noise).
 */
import { ShapeError, show } from '../core/errors.js';
import type { Image } from '../core/image.js';
import { type PredictionType, toEps } from './conversions.js';
import { alphaSigma } from './schedules.js';

/** One prompt's text embedding, row-major, e.g. shape [77, 1024] (SD-Turbo) or [20, 49] (toy). */
export interface TextEmbedding {
  data: Float32Array;
  shape: number[];
}

/** Turns prompts into embeddings (a CLIP text encoder, the toy model's word features, ...). */
export interface TextEncoder {
  encode(prompts: string[]): Promise<TextEmbedding[]>;
}

/** One DDPM index shared by the whole batch, or one index per latent. */
export type Timesteps = number | ArrayLike<number>;

/** An eps-prediction diffusion model. */
export interface Denoiser {
  /** Shape of one latent, e.g. [4, 64, 64] (SD-Turbo) or [3, 32, 32] (toy). */
  readonly latentShape: readonly number[];
  /** The model's training schedule abar[0..T-1]. */
  readonly alphasCumprod: Float64Array;
  /** eps for B latents (row-major [B, ...latentShape]), one embedding and one DDPM index (or a shared one) per latent. */
  predictEps(z: Float32Array, timesteps: Timesteps, cond: TextEmbedding[]): Promise<Float32Array>;
}

/** Image <-> latent (a VAE, or the identity for a pixel-space model). */
export interface LatentCodec {
  encode(image: Image): Promise<Float32Array>;
  decode(latent: Float32Array): Promise<Image>;
}

/** The DDPM index of each of `b` latents; throws a ShapeError naming a bad index or count. */
export function timestepsPerItem(timesteps: Timesteps, b: number, trainSteps: number): Int32Array {
  const list = typeof timesteps === 'number' ? new Array<number>(b).fill(timesteps) : Array.from(timesteps);
  if (list.length !== b) throw new ShapeError(`expected ${b} timesteps (one per latent), got ${list.length}`);
  for (const t of list) {
    if (!Number.isInteger(t) || t < 0 || t >= trainSteps) {
      throw new ShapeError(`timestep must be an integer in [0, ${trainSteps - 1}], got ${show(t)}`);
    }
  }
  return Int32Array.from(list);
}

/** A batch of model outputs [B, ...] as eps, each latent converted at its own DDPM index (`toEps` per item). */
export function toEpsPerItem(
  output: Float32Array,
  type: PredictionType,
  z: Float32Array,
  alphasCumprod: Float64Array,
  timesteps: Int32Array,
): Float32Array {
  const size = z.length / timesteps.length;
  if (output.length !== z.length || !Number.isInteger(size)) {
    throw new ShapeError(`model output (${output.length}) and z (${z.length}) must hold ${timesteps.length} latents`);
  }
  const eps = new Float32Array(z.length);
  timesteps.forEach((t, i) => {
    const { alpha, sigma } = alphaSigma(alphasCumprod, t);
    const at = (a: Float32Array) => a.subarray(i * size, (i + 1) * size);
    eps.set(toEps(at(output), type, at(z), alpha, sigma), i * size);
  });
  return eps;
}
