/**
 * The trained toy model behind ChordEdit's interfaces: `ToyDenoiser` (eps-prediction from the
 * model's v or x0 output by the standard conversions, Salimans & Ho 2022 sec. 4 / Ho et al. 2020
 * eq. 4, via src/diffusion), the one-hot `ToyTextEncoder` and the identity `LatentCodec`.
 * `loadToyModel()` reads the shipped weights in assets/toy/ (or a given file).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Denoiser, LatentCodec, TextEmbedding } from '../chordedit/index.js';
import { getTf } from '../core/engine.js';
import { InputError, ShapeError, show } from '../core/errors.js';
import { checkImage, type Image } from '../core/image.js';
import { Rng } from '../core/rng.js';
import { readSafetensorsFile } from '../core/safetensors.js';
import { alphaSigma, makeSchedule, toEps } from '../diffusion/index.js';
import { assignParams } from '../nn/index.js';
import { MAX_TOKENS } from './caption.js';
import {
  patchGeometry,
  patchify,
  sequenceRopeTables,
  TOY_MODEL_DEFAULTS,
  type ToyModelConfig,
  type ToyModelParams,
  toyModelApply,
  toyModelInit,
  unpatchify,
  validateToyModelConfig,
} from './model.js';
import { IMAGE_SIZE } from './scene.js';
import { stackEmbeddings, TOKEN_FEATURES, ToyTextEncoder } from './text.js';

/** The shipped weights (relative to this file: ../../assets/toy/). */
export const SHIPPED_WEIGHTS = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'assets',
  'toy',
  'toy-denoiser.safetensors',
);
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
    this.alphasCumprod = makeSchedule('scaled_linear').alphasCumprod;
    this.rope = sequenceRopeTables(config);
  }

  /** Raw model output (v or x0 per config) for B latents at one DDPM index. */
  async predictRaw(z: Float32Array, timestep: number, cond: TextEmbedding[]): Promise<Float32Array> {
    const tf = await getTf();
    const b = cond.length;
    if (b < 1 || z.length !== b * LATENT_SIZE) {
      throw new ShapeError(
        `toy denoiser: z must hold ${b} latents of ${LATENT_SIZE} values (one per embedding), got ${z.length}`,
      );
    }
    if (!Number.isInteger(timestep) || timestep < 0 || timestep > 999) {
      throw new ShapeError(`toy denoiser: timestep must be an integer in [0, 999], got ${show(timestep)}`);
    }
    const { patches, values } = patchGeometry(this.config);
    const words = stackEmbeddings(cond);
    const out = tf.tidy(() => {
      const input = {
        patches: tf.tensor3d(patchify(z, b, this.config.patch), [b, patches, values]),
        t: new Float32Array(b).fill(timestep / 999),
        words: tf.tensor3d(words, [b, MAX_TOKENS, TOKEN_FEATURES]),
      };
      return toyModelApply(this.params, this.config, input, this.rope);
    });
    const flat = (await out.data()) as Float32Array;
    out.dispose();
    return unpatchify(flat, b, this.config.patch);
  }

  async predictEps(z: Float32Array, timestep: number, cond: TextEmbedding[]): Promise<Float32Array> {
    const raw = await this.predictRaw(z, timestep, cond);
    const { alpha, sigma } = alphaSigma(this.alphasCumprod, timestep);
    return toEps(raw, this.config.prediction, z, alpha, sigma);
  }
}

/** Identity codec: the toy model's latent is the 3 x 32 x 32 image in [-1, 1]. */
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
    return { data: Float32Array.from(latent), channels: 3, height: IMAGE_SIZE, width: IMAGE_SIZE };
  }
}

export interface ToyModel {
  denoiser: ToyDenoiser;
  textEncoder: ToyTextEncoder;
  codec: ToyCodec;
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
    metadata,
  };
}
