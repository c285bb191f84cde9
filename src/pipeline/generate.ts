/**
 * Text-to-image sampling on the diffusion model contract: k-step deterministic DDIM (Song et al.
 * 2021, eq. 12; src/diffusion's DdimScheduler with the model's timestep spacing and clipping) with
 * optional classifier-free guidance eps = eps_u + w (eps_c - eps_u) (Ho & Salimans 2022, eq. 6),
 * the empty prompt as the unconditional input. Starting noise comes from the caller's Rng.
 */
import { checkNumber } from '../core/errors.js';
import type { Image } from '../core/image.js';
import type { Rng } from '../core/rng.js';
import {
  DdimScheduler,
  type Denoiser,
  type LatentCodec,
  type TextEncoder,
  type TimestepSpacing,
} from '../diffusion/index.js';

export interface GenerateOptions {
  /** DDIM steps k (default 20, range 1..1000). */
  steps?: number;
  /** Guidance scale w (default 1 = no guidance, one model call per step; otherwise both prompts in one call). */
  guidance?: number;
}

export const GENERATE_DEFAULTS: Required<GenerateOptions> = { steps: 20, guidance: 1 };

/** How the model's scheduler places and clips sampling steps (scheduler_config.json). */
export interface SamplingConfig {
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  clipSample: boolean;
  clipSampleRange: number;
}

export interface SamplerParts {
  denoiser: Denoiser;
  textEncoder: TextEncoder;
  codec: LatentCodec;
  sampling: SamplingConfig;
}

/** Combines conditional and unconditional eps: eps_u + w (eps_c - eps_u). */
export function guidedEps(epsCond: Float32Array, epsUncond: Float32Array, w: number): Float32Array {
  const out = new Float32Array(epsCond.length);
  for (let i = 0; i < out.length; i++) out[i] = epsUncond[i] + w * (epsCond[i] - epsUncond[i]);
  return out;
}

/** Samples one image per prompt (all prompts in one batch); noise ~ N(0, I) from `rng`. */
export async function generateImages(
  parts: SamplerParts,
  prompts: string[],
  rng: Rng,
  options: GenerateOptions = {},
): Promise<Image[]> {
  const { steps, guidance } = { ...GENERATE_DEFAULTS, ...options };
  checkNumber('steps', steps, { min: 1, max: 1000, integer: true });
  checkNumber('guidance', guidance, { min: 0, max: 50 });
  const { denoiser, textEncoder, codec, sampling } = parts;
  const n = denoiser.latentShape.reduce((a, b) => a * b, 1);
  const b = prompts.length;
  const guided = guidance !== 1;
  const cond = await textEncoder.encode(guided ? [...prompts, ...prompts.map(() => '')] : prompts);
  const scheduler = new DdimScheduler(denoiser.alphasCumprod, sampling);
  scheduler.setTimesteps(steps);
  let x = rng.normals(b * n);
  for (const t of scheduler.timesteps) {
    let eps: Float32Array;
    if (!guided) eps = await denoiser.predictEps(x, t, cond);
    else {
      const doubled = new Float32Array(2 * b * n);
      doubled.set(x);
      doubled.set(x, b * n);
      const both = await denoiser.predictEps(doubled, t, cond);
      eps = guidedEps(both.subarray(0, b * n), both.subarray(b * n), guidance);
    }
    x = scheduler.step(eps, t, x).prevSample;
  }
  return Promise.all(prompts.map((_, i) => codec.decode(x.slice(i * n, (i + 1) * n))));
}
