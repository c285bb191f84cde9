/**
 * The toy model on the training engine behind the diffusion model contract: `ToyDenoiser`
 * (eps-prediction from the model's v or x0 output by the standard conversions, Salimans & Ho 2022
 * sec. 4 / Ho et al. 2020 eq. 4, via src/diffusion), the one-hot `ToyTextEncoder` and the identity
 * codec. `loadToyModel()` reads the shipped weights in assets/toy/ (or a given file). Inference
 * runs through the exported ONNX folder (./export.ts); this twin is what the export is checked against.
 */
import { existsSync } from 'node:fs';
import { assetPath } from '../../core/assets.js';
import { getTf } from '../../core/engine.js';
import { InputError, ShapeError, show } from '../../core/errors.js';
import { checkImage, type Image } from '../../core/image.js';
import { Rng } from '../../core/rng.js';
import { readSafetensorsFile } from '../../core/safetensors.js';
import {
  type Denoiser,
  type LatentCodec,
  makeSchedule,
  type TextEmbedding,
  type Timesteps,
  timestepsPerItem,
  toEpsPerItem,
} from '../../diffusion/index.js';
import { assignParams } from '../../nn/index.js';
import type { SamplingConfig } from '../../pipeline/index.js';
import { IMAGE_SIZE, MAX_TOKENS } from '../world/index.js';
import { TOY_MODEL_DEFAULTS, type ToyModelConfig, validateToyModelConfig } from './config.js';
import {
  patchGeometry,
  patchify,
  sequenceRopeTables,
  type ToyModelParams,
  toyModelApply,
  toyModelInit,
  unpatchify,
} from './model.js';
import { stackEmbeddings, TOKEN_FEATURES, ToyTextEncoder } from './text.js';

/** The shipped weights (assets/toy/). */
export const SHIPPED_WEIGHTS = assetPath('toy', 'toy-denoiser.safetensors');
/** Latent shape of the toy model: the RGB image itself. */
export const TOY_LATENT_SHAPE = [3, IMAGE_SIZE, IMAGE_SIZE] as const;
const LATENT_SIZE = 3 * IMAGE_SIZE * IMAGE_SIZE;

export class ToyDenoiser implements Denoiser {
  readonly latentShape = TOY_LATENT_SHAPE;
  readonly alphasCumprod: Float64Array;
  private readonly rope;

  constructor(
    readonly params: ToyModelParams,
    readonly config: ToyModelConfig,
  ) {
    this.alphasCumprod = toyAlphasCumprod();
    this.rope = sequenceRopeTables(config);
  }

  /** Raw model output (v or x0 per config) for B latents at their DDPM indices. */
  async predictRaw(z: Float32Array, timesteps: Timesteps, cond: TextEmbedding[]): Promise<Float32Array> {
    const tf = await getTf();
    const b = cond.length;
    if (b < 1 || z.length !== b * LATENT_SIZE) {
      throw new ShapeError(
        `toy denoiser: z must hold ${b} latents of ${LATENT_SIZE} values (one per embedding), got ${z.length}`,
      );
    }
    const ts = timestepsPerItem(timesteps, b, this.alphasCumprod.length);
    const { patches, values } = patchGeometry(this.config);
    const words = stackEmbeddings(cond);
    const out = tf.tidy(() => {
      const input = {
        patches: tf.tensor3d(patchify(z, b, this.config.patch), [b, patches, values]),
        t: Float32Array.from(ts, (t) => t / 999),
        words: tf.tensor3d(words, [b, MAX_TOKENS, TOKEN_FEATURES]),
      };
      return toyModelApply(this.params, this.config, input, this.rope);
    });
    const flat = (await out.data()) as Float32Array;
    out.dispose();
    return unpatchify(flat, b, this.config.patch);
  }

  async predictEps(z: Float32Array, timesteps: Timesteps, cond: TextEmbedding[]): Promise<Float32Array> {
    const raw = await this.predictRaw(z, timesteps, cond);
    const ts = timestepsPerItem(timesteps, cond.length, this.alphasCumprod.length);
    return toEpsPerItem(raw, this.config.prediction, z, this.alphasCumprod, ts);
  }
}

/** Identity codec: the toy model's latent is the 3 x 32 x 32 image in [-1, 1] (decoding clamps to it, as the pipeline's VAE path). */
export class ToyCodec implements LatentCodec {
  async encode(image: Image): Promise<Float32Array> {
    checkImage('image', image);
    if (image.channels !== 3 || image.height !== IMAGE_SIZE || image.width !== IMAGE_SIZE) {
      throw new InputError(
        `the toy model edits ${IMAGE_SIZE}x${IMAGE_SIZE} RGB images, got ${image.width}x${image.height} with ${image.channels} channels (resize it first)`,
      );
    }
    return Float32Array.from(image.data);
  }

  async decode(latent: Float32Array): Promise<Image> {
    if (latent.length !== LATENT_SIZE)
      throw new ShapeError(`toy latent must have ${LATENT_SIZE} values, got ${latent.length}`);
    const data = latent.map((v) => Math.max(-1, Math.min(1, v)));
    return { data, channels: 3, height: IMAGE_SIZE, width: IMAGE_SIZE };
  }
}

/** The scheduler the toy model was trained with (train.ts) and is sampled with (trailing DDIM, x0 clipped). */
export const TOY_SCHEDULER_CONFIG = Object.freeze({
  _class_name: 'DDIMScheduler',
  num_train_timesteps: 1000,
  beta_schedule: 'scaled_linear' as const,
  beta_start: 0.00085,
  beta_end: 0.012,
  trained_betas: null,
  prediction_type: 'sample',
  timestep_spacing: 'trailing' as const,
  steps_offset: 0,
  clip_sample: true,
  clip_sample_range: 1,
  set_alpha_to_one: true,
});

/** The toy's training noise schedule (abar over the train timesteps), from its scheduler config. */
export function toyAlphasCumprod(): Float64Array {
  const c = TOY_SCHEDULER_CONFIG;
  return makeSchedule(c.beta_schedule, { steps: c.num_train_timesteps, betaStart: c.beta_start, betaEnd: c.beta_end })
    .alphasCumprod;
}

/** How the toy model is sampled (its scheduler config): trailing DDIM steps, x0 clipped to [-1, 1]. */
export const TOY_SAMPLING: SamplingConfig = Object.freeze({
  timestepSpacing: TOY_SCHEDULER_CONFIG.timestep_spacing,
  stepsOffset: TOY_SCHEDULER_CONFIG.steps_offset,
  clipSample: TOY_SCHEDULER_CONFIG.clip_sample,
  clipSampleRange: TOY_SCHEDULER_CONFIG.clip_sample_range,
});

export interface ToyModel {
  denoiser: ToyDenoiser;
  textEncoder: ToyTextEncoder;
  codec: ToyCodec;
  sampling: SamplingConfig;
  /** The weights file's metadata (config, steps, final loss, seed). */
  metadata: Record<string, string>;
}

/** Reads the model config stored in a weights file's metadata. */
function configFromMetadata(path: string, metadata: Record<string, string>): ToyModelConfig {
  if (metadata.format !== 'modelmath-toy-denoiser-1' || !metadata.model) {
    throw new InputError(`${path} is not a toy denoiser weights file (metadata format ${show(metadata.format)})`);
  }
  try {
    return validateToyModelConfig({ ...TOY_MODEL_DEFAULTS, ...JSON.parse(metadata.model) });
  } catch (err) {
    throw new InputError(`${path}: bad model config in metadata: ${(err as Error).message}`);
  }
}

/** Loads the toy model (default: the shipped weights) as ChordEdit parts. */
export async function loadToyModel(path: string = SHIPPED_WEIGHTS): Promise<ToyModel> {
  if (!existsSync(path)) throw new InputError(`toy model weights not found: ${path}`);
  await getTf();
  const { tensors, metadata } = readSafetensorsFile(path);
  const config = configFromMetadata(path, metadata);
  const params = toyModelInit(new Rng(0), config);
  assignParams(params, tensors, { source: path });
  return {
    denoiser: new ToyDenoiser(params, config),
    textEncoder: new ToyTextEncoder(),
    codec: new ToyCodec(),
    sampling: TOY_SAMPLING,
    metadata,
  };
}
