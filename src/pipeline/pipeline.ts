/**
 * A diffusers/Optimum-layout ONNX text-to-image model behind the diffusion model contract
 * (src/diffusion/model.ts): CLIP tokenizer + text_encoder -> embeddings; unet -> eps by the standard
 * conversions from the prediction type its scheduler config states (Ho et al. 2020 eq. 4; Salimans &
 * Ho 2022 sec. 4); vae_encoder (posterior mean x scaling_factor) and vae_decoder (/ scaling_factor).
 * Every constant comes from the folder's configs (./config.ts), names, dtypes and shapes from the
 * graphs. No Node API here (so the same code can run on onnxruntime-web): sessions come in through
 * core/onnx-session.ts's OnnxSession and files through ./open.ts; resizing images is the caller's.
 */
import type { ClipTokenizer } from '../core/clip-tokenizer.js';
import { InputError, ShapeError } from '../core/errors.js';
import type { Image } from '../core/image.js';
import type { HostTensor, OnnxSession, TensorInfo } from '../core/onnx-session.js';
import {
  type Denoiser,
  type LatentCodec,
  type TextEmbedding,
  type TextEncoder,
  type Timesteps,
  timestepsPerItem,
  toEpsPerItem,
} from '../diffusion/index.js';
import { alphasCumprodOf, type PipelineConfig } from './config.js';
import type { SamplerParts } from './generate.js';

/** 'diffusers': a folder with model_index.json and configs; 'ort-web': graphs + tokenizer only (SD-Turbo's values). */
export type PipelineLayout = 'diffusers' | 'ort-web';

export interface PipelineSessions {
  textEncoder: OnnxSession;
  unet: OnnxSession;
  vaeEncoder: OnnxSession | null;
  vaeDecoder: OnnxSession;
}

/** The parts an editor or sampler runs on, for images of one size. */
export interface PipelineParts {
  denoiser: Denoiser;
  textEncoder: TextEncoder;
  codec: LatentCodec;
}

/** Longest image side when neither the graph nor unet/config.json fixes the size (SD-Turbo: 512). */
export const DEFAULT_MAX_SIDE = 512;

/** The size an image is edited at: long side at most `maxSide`, both sides multiples of `multiple`. */
export function editSize(
  height: number,
  width: number,
  maxSide: number = DEFAULT_MAX_SIDE,
  multiple = 8,
): { height: number; width: number } {
  const scale = Math.min(1, maxSide / Math.max(height, width));
  const top = Math.max(multiple, Math.floor(maxSide / multiple) * multiple);
  const snap = (v: number) => Math.max(multiple, Math.min(top, Math.round((v * scale) / multiple) * multiple));
  return { height: snap(height), width: snap(width) };
}

/** Whether a declared dimension is the fixed value 1 (a batch-1 export). */
const fixedOne = (info: TensorInfo, axis = 0) => info.shape[axis] === 1;

/** Consecutive runs [start, end) of a batch that one graph call can take. */
function chunks(ts: Int32Array, oneAtATime: boolean, sharedTimestep: boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < ts.length; ) {
    let end = start + 1;
    if (!oneAtATime) while (end < ts.length && (!sharedTimestep || ts[end] === ts[start])) end++;
    out.push([start, end]);
    start = end;
  }
  return out;
}

export class DiffusersPipeline {
  readonly alphasCumprod: Float64Array;

  constructor(
    readonly dir: string,
    readonly layout: PipelineLayout,
    readonly config: PipelineConfig,
    readonly sessions: PipelineSessions,
    readonly tokenizer: ClipTokenizer,
  ) {
    this.alphasCumprod = alphasCumprodOf(config.scheduler);
    this.checkSignatures();
  }

  /** Input names, latent channels, text shapes and the tokenizer length agree between graphs and configs. */
  private checkSignatures(): void {
    const { textEncoder, unet, vaeEncoder, vaeDecoder } = this.sessions;
    const ids = textEncoder.input('input_ids');
    for (const name of ['sample', 'timestep', 'encoder_hidden_states']) unet.input(name);
    const c = this.config.vae.latentChannels;
    const channels: [string, number | string | undefined][] = [
      [`${unet.path} input "sample"`, unet.input('sample').shape[1]],
      [`${vaeDecoder.path} input "latent_sample"`, vaeDecoder.input('latent_sample').shape[1]],
    ];
    for (const [what, ch] of channels) {
      if (typeof ch === 'number' && ch !== c)
        throw new ShapeError(`wrong latent channels: ${what} has ${ch} channels, expected ${c} (vae latent_channels)`);
    }
    if (vaeEncoder) {
      vaeEncoder.input('sample');
      const ch = vaeEncoder.outputs[0]?.shape[1];
      if (typeof ch === 'number' && ch !== c && ch !== 2 * c) {
        throw new ShapeError(
          `wrong latent channels: ${vaeEncoder.path} outputs ${ch} channels, expected ${c} or ${2 * c} (mean + logvar)`,
        );
      }
    }
    const len = ids.shape[1];
    if (typeof len === 'number' && len !== this.tokenizer.maxLength) {
      throw new InputError(
        `${this.dir}/tokenizer: model_max_length is ${this.tokenizer.maxLength}, but ${textEncoder.path} takes input_ids of length ${len}`,
      );
    }
  }

  /** The image size a unet with fixed spatial dimensions needs (e.g. [1, 4, 64, 64] -> 512 x 512), else null. */
  fixedImageSize(): { height: number; width: number } | null {
    const [, , h, w] = this.sessions.unet.input('sample').shape;
    const f = this.config.vae.spatialFactor;
    return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? { height: h * f, width: w * f } : null;
  }

  /** The size `image` is edited at: the graph's fixed size, else long side <= sample_size x factor (or 512). */
  imageSizeFor(height: number, width: number): { height: number; width: number } {
    const fixed = this.fixedImageSize();
    if (fixed) return fixed;
    const f = this.config.vae.spatialFactor;
    const maxSide = this.config.unet.sampleSize ? this.config.unet.sampleSize * f : DEFAULT_MAX_SIDE;
    return editSize(height, width, maxSide, f);
  }

  /** The default size of generated images (the fixed size, else sample_size x factor, else 512). */
  defaultImageSize(): { height: number; width: number } {
    const side = DEFAULT_MAX_SIDE;
    return this.fixedImageSize() ?? this.imageSizeFor(side, side);
  }

  /** Total milliseconds spent inside the graphs. */
  modelMs(): number {
    return Object.values(this.sessions).reduce((s, m) => s + (m?.runMs ?? 0), 0);
  }

  /** The text encoder: prompts -> last_hidden_state [L', D] each. */
  readonly textEncoder: TextEncoder = { encode: (prompts) => this.encodeText(prompts) };

  private async encodeText(prompts: string[]): Promise<TextEmbedding[]> {
    const model = this.sessions.textEncoder;
    const info = model.input('input_ids');
    const len = this.tokenizer.maxLength;
    const ids = prompts.map((p) => this.tokenizer.encode(p));
    const outName = model.output('last_hidden_state').name;
    const out: TextEmbedding[] = [];
    const step = fixedOne(info) ? 1 : prompts.length;
    for (let start = 0; start < prompts.length; start += step) {
      const count = Math.min(step, prompts.length - start);
      const data = new Int32Array(count * len);
      for (let i = 0; i < count; i++) data.set(ids[start + i], i * len);
      const h = (await model.run({ input_ids: { data, dims: [count, len] } }, [outName]))[outName];
      if (h.dims.length !== 3 || h.dims[0] !== count || !(h.data instanceof Float32Array)) {
        throw new ShapeError(`${model.path}: last_hidden_state must be float [${count}, L, D], got [${h.dims}]`);
      }
      const per = h.dims[1] * h.dims[2];
      for (let i = 0; i < count; i++) {
        out.push({ data: h.data.slice(i * per, (i + 1) * per), shape: [h.dims[1], h.dims[2]] });
      }
    }
    return out;
  }

  /** Denoiser, text encoder and VAE codec for images of one size (multiples of the VAE factor). */
  parts(height: number, width: number): PipelineParts {
    const f = this.config.vae.spatialFactor;
    if (height % f !== 0 || width % f !== 0)
      throw new ShapeError(`image size must be a multiple of ${f}, got ${height} x ${width}`);
    const latentShape = Object.freeze([this.config.vae.latentChannels, height / f, width / f]);
    return {
      denoiser: {
        latentShape,
        alphasCumprod: this.alphasCumprod,
        predictEps: (z, t, cond) => this.predictEps(latentShape, z, t, cond),
      },
      textEncoder: this.textEncoder,
      codec: {
        encode: (image) => this.encodeImage(image, latentShape),
        decode: (latent) => this.decodeLatent(latent, latentShape),
      },
    };
  }

  /** The scheduler config's sampling settings (timestep spacing and offset, x0 clipping). */
  get sampling(): SamplerParts['sampling'] {
    const { timestepSpacing, stepsOffset, clipSample, clipSampleRange } = this.config.scheduler;
    return { timestepSpacing, stepsOffset, clipSample, clipSampleRange };
  }

  /** Parts and sampling settings for text-to-image generation at the default size. */
  samplerParts(): SamplerParts {
    const { height, width } = this.defaultImageSize();
    return { ...this.parts(height, width), sampling: this.sampling };
  }

  /** eps for B latents: the unet's output in its prediction type, converted per latent at its own timestep. */
  private async predictEps(
    shape: readonly number[],
    z: Float32Array,
    timesteps: Timesteps,
    cond: TextEmbedding[],
  ): Promise<Float32Array> {
    const unet = this.sessions.unet;
    const size = shape[0] * shape[1] * shape[2];
    const b = cond.length;
    if (b < 1 || z.length !== b * size)
      throw new ShapeError(`predictEps: z has ${z.length} values for ${b} latents of ${size}`);
    const ts = timestepsPerItem(timesteps, b, this.alphasCumprod.length);
    const tsInfo = unet.input('timestep');
    const perItemTimesteps = tsInfo.shape.length === 1 && typeof tsInfo.shape[0] === 'string';
    const outName = unet.output('out_sample').name;
    const [seq, dim] = cond[0].shape;
    const eps = new Float32Array(z.length);
    for (const [start, end] of chunks(ts, fixedOne(unet.input('sample')), !perItemTimesteps)) {
      const count = end - start;
      const ehs = new Float32Array(count * seq * dim);
      for (let i = 0; i < count; i++) ehs.set(cond[start + i].data, i * seq * dim);
      const tsDims = tsInfo.shape.length === 0 ? [] : [perItemTimesteps ? count : 1];
      const feeds: Record<string, HostTensor> = {
        sample: { data: z.subarray(start * size, end * size), dims: [count, ...shape] },
        timestep: { data: perItemTimesteps ? ts.subarray(start, end) : ts.subarray(start, start + 1), dims: tsDims },
        encoder_hidden_states: { data: ehs, dims: [count, seq, dim] },
      };
      const raw = (await unet.run(feeds, [outName]))[outName].data as Float32Array;
      if (raw.length !== count * size) {
        throw new ShapeError(`${unet.path}: output has ${raw.length} values, expected ${count * size}`);
      }
      const zs = z.subarray(start * size, end * size);
      const type = this.config.scheduler.predictionType;
      eps.set(toEpsPerItem(raw, type, zs, this.alphasCumprod, ts.subarray(start, end)), start * size);
    }
    return eps;
  }

  private async encodeImage(image: Image, shape: readonly number[]): Promise<Float32Array> {
    const encoder = this.sessions.vaeEncoder;
    if (!encoder) {
      throw new InputError(
        `${this.dir} has no vae_encoder/model.onnx (the onnxruntime-web demo export ships only text_encoder, unet and vae_decoder); editing a photo needs the VAE encoder of an Optimum export`,
      );
    }
    const f = this.config.vae.spatialFactor;
    const wrongSize = image.data.length !== image.channels * image.height * image.width;
    if (wrongSize || image.channels !== 3 || image.height !== shape[1] * f || image.width !== shape[2] * f) {
      throw new ShapeError(
        `image must be 3 x ${shape[1] * f} x ${shape[2] * f}, got ${image.channels} x ${image.height} x ${image.width}`,
      );
    }
    const out = await encoder.run({ sample: { data: image.data, dims: [1, 3, image.height, image.width] } });
    const first = out[encoder.outputs[0].name];
    const channels = first.dims[1];
    const c = this.config.vae.latentChannels;
    if (channels !== c && channels !== 2 * c) {
      throw new ShapeError(
        `wrong latent channels: ${encoder.path} returned ${channels} channels, expected ${c} or ${2 * c}`,
      );
    }
    const size = c * shape[1] * shape[2];
    const scale = this.config.vae.scalingFactor;
    const latent = new Float32Array(size); // the first C channels: the posterior mean
    for (let i = 0; i < size; i++) latent[i] = first.data[i] * scale;
    return latent;
  }

  private async decodeLatent(latent: Float32Array, shape: readonly number[]): Promise<Image> {
    const decoder = this.sessions.vaeDecoder;
    const size = shape[0] * shape[1] * shape[2];
    if (latent.length !== size) throw new ShapeError(`latent must have ${size} values, got ${latent.length}`);
    const scaled = new Float32Array(size);
    const inv = 1 / this.config.vae.scalingFactor;
    for (let i = 0; i < size; i++) scaled[i] = latent[i] * inv;
    const outName = decoder.output('sample').name;
    const out = await decoder.run({ latent_sample: { data: scaled, dims: [1, ...shape] } }, [outName]);
    const [, channels, height, width] = out[outName].dims;
    if (channels !== 3) throw new ShapeError(`${decoder.path}: decoded image has ${channels} channels, expected 3`);
    const data = out[outName].data as Float32Array; // ours (fresh from the session): clamped in place
    for (let i = 0; i < data.length; i++) data[i] = Math.max(-1, Math.min(1, data[i]));
    return { data, channels, height, width };
  }

  /** Releases all sessions. */
  async dispose(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((m) => m?.dispose()));
  }
}
