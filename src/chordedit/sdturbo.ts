/**
 * SD-Turbo (Sauer et al. 2023, "Adversarial Diffusion Distillation") through ONNX Runtime, behind
 * the ChordEdit interfaces: CLIP tokenizer + text encoder, UNet eps-prediction on the scaled-linear
 * schedule (from the diffusion module), VAE encode (posterior mean x 0.18215) and decode (/ 0.18215).
 * Two folder layouts (same file names, see docs/parts/chordedit.md): diffusers/Optimum
 * (text_encoder/, unet/, vae_encoder/, vae_decoder/, tokenizer/) and the onnxruntime-web demo's
 * (no vae_encoder; often fp16 and batch 1). Names, dtypes and shapes come from the sessions.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClipTokenizer } from '../core/clip-tokenizer.js';
import { ConfigError, InputError, ShapeError } from '../core/errors.js';
import { checkImage, type Image, resizeImage } from '../core/image.js';
import { type HostTensor, OnnxModel, type OnnxOptions, type TensorInfo } from '../core/onnx.js';
import { makeSchedule } from '../diffusion/index.js';
import type { Denoiser, LatentCodec, TextEmbedding, TextEncoder } from './denoiser.js';

/** SD-Turbo constants (FACTS.md section 1). */
export const SD_TURBO = Object.freeze({ vaeScale: 0.18215, vaeFactor: 8, maxSide: 512, latentChannels: 4 });

export interface SdTurboOptions extends OnnxOptions {
  /** VAE latent scaling factor. Default 0.18215. */
  vaeScale?: number;
}

/** Which folder layout was found. */
export type SdTurboLayout = 'diffusers' | 'ort-web';

/** `dir/<name>/model.onnx`, else the only .onnx file in `dir/<name>`; null when absent. */
export function findComponent(dir: string, name: string): string | null {
  const folder = join(dir, name);
  const standard = join(folder, 'model.onnx');
  if (existsSync(standard)) return standard;
  if (!existsSync(folder)) return null;
  const onnx = readdirSync(folder).filter((f) => f.endsWith('.onnx'));
  return onnx.length === 1 ? join(folder, onnx[0]) : null;
}

/** The size an image is edited at: long side at most 512, both sides multiples of 8 (at least 8). */
export function editSize(
  height: number,
  width: number,
  maxSide: number = SD_TURBO.maxSide,
): { height: number; width: number } {
  const scale = Math.min(1, maxSide / Math.max(height, width));
  const snap = (v: number) => Math.max(8, Math.min(Math.floor(maxSide / 8) * 8, Math.round((v * scale) / 8) * 8));
  return { height: snap(height), width: snap(width) };
}

/** Resizes an image to its edit size (see `editSize`). */
export async function prepareImage(image: Image, maxSide: number = SD_TURBO.maxSide): Promise<Image> {
  checkImage('image', image);
  const size = editSize(image.height, image.width, maxSide);
  if (size.height === image.height && size.width === image.width) return image;
  return resizeImage(image, { ...size, fit: 'fill' });
}

/** Whether a declared dimension is the fixed value 1 (a batch-1 export). */
const fixedOne = (info: TensorInfo, axis = 0) => info.shape[axis] === 1;

/** Runs `fn` on all B items at once, or one at a time when the graph's batch dimension is fixed at 1. */
async function batched(
  b: number,
  fixedBatch: boolean,
  run: (start: number, count: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  if (!fixedBatch || b === 1) return run(0, b);
  const parts: Float32Array[] = [];
  for (let i = 0; i < b; i++) parts.push(await run(i, 1));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export class SdTurboModel {
  readonly alphasCumprod = makeSchedule('scaled_linear').alphasCumprod;
  readonly vaeScale: number;

  private constructor(
    readonly dir: string,
    readonly layout: SdTurboLayout,
    readonly textModel: OnnxModel,
    readonly unet: OnnxModel,
    readonly vaeEncoder: OnnxModel | null,
    readonly vaeDecoder: OnnxModel,
    readonly tokenizer: ClipTokenizer,
    options: SdTurboOptions,
  ) {
    this.vaeScale = options.vaeScale ?? SD_TURBO.vaeScale;
    if (!(this.vaeScale > 0)) throw new ConfigError(`vaeScale must be > 0, got ${this.vaeScale}`);
  }

  /** Loads the four sessions once (missing files, wrong names and wrong latent channels are clear errors). */
  static async load(dir: string, options: SdTurboOptions = {}): Promise<SdTurboModel> {
    if (!existsSync(dir)) throw new InputError(`model folder not found: ${dir}`);
    const need = (name: string) => {
      const p = findComponent(dir, name);
      if (!p)
        throw new InputError(
          `${dir} has no ${name}/model.onnx (expected the diffusers/Optimum or onnxruntime-web SD-Turbo layout)`,
        );
      return p;
    };
    const paths = {
      text: need('text_encoder'),
      unet: need('unet'),
      dec: need('vae_decoder'),
      enc: findComponent(dir, 'vae_encoder'),
    };
    const tokenizer = ClipTokenizer.fromDirectory(join(dir, 'tokenizer'));
    const loaded: OnnxModel[] = [];
    const open = async (p: string) => {
      const m = await OnnxModel.load(p, options);
      loaded.push(m);
      return m;
    };
    try {
      const text = await open(paths.text);
      const unet = await open(paths.unet);
      const dec = await open(paths.dec);
      const enc = paths.enc ? await open(paths.enc) : null;
      const model = new SdTurboModel(dir, enc ? 'diffusers' : 'ort-web', text, unet, enc, dec, tokenizer, options);
      model.checkSignatures();
      return model;
    } catch (err) {
      await Promise.all(loaded.map((m) => m.dispose()));
      throw err;
    }
  }

  /** Input names and latent channels agree between the graphs. */
  private checkSignatures(): void {
    this.textModel.input('input_ids');
    for (const name of ['sample', 'timestep', 'encoder_hidden_states']) this.unet.input(name);
    const c = SD_TURBO.latentChannels;
    const channels: [string, number | string | undefined][] = [
      [`${this.unet.path} input "sample"`, this.unet.input('sample').shape[1]],
      [`${this.vaeDecoder.path} input "latent_sample"`, this.vaeDecoder.input('latent_sample').shape[1]],
    ];
    for (const [what, ch] of channels) {
      if (typeof ch === 'number' && ch !== c)
        throw new ShapeError(`wrong latent channels: ${what} has ${ch} channels, expected ${c}`);
    }
    if (this.vaeEncoder) {
      this.vaeEncoder.input('sample');
      const ch = this.vaeEncoder.outputs[0]?.shape[1];
      if (typeof ch === 'number' && ch !== c && ch !== 2 * c) {
        throw new ShapeError(
          `wrong latent channels: ${this.vaeEncoder.path} outputs ${ch} channels, expected ${c} or ${2 * c} (mean + logvar)`,
        );
      }
    }
  }

  /** The image size a UNet with fixed spatial dimensions needs (e.g. [1, 4, 64, 64] -> 512 x 512), else null. */
  fixedImageSize(): { height: number; width: number } | null {
    const [, , h, w] = this.unet.input('sample').shape;
    const f = SD_TURBO.vaeFactor;
    return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? { height: h * f, width: w * f } : null;
  }

  /** Total milliseconds spent inside the four graphs. */
  modelMs(): number {
    return [this.textModel, this.unet, this.vaeEncoder, this.vaeDecoder].reduce((s, m) => s + (m?.runMs ?? 0), 0);
  }

  /** The CLIP text encoder: prompts -> last_hidden_state [77, D] each. */
  get textEncoder(): TextEncoder {
    return { encode: (prompts) => this.encodeText(prompts) };
  }

  private async encodeText(prompts: string[]): Promise<TextEmbedding[]> {
    const info = this.textModel.input('input_ids');
    const len = this.tokenizer.maxLength;
    const ids = prompts.map((p) => this.tokenizer.encode(p));
    const outName = this.textModel.output('last_hidden_state').name;
    const flat = await batched(prompts.length, fixedOne(info), async (start, count) => {
      const data = new Int32Array(count * len);
      for (let i = 0; i < count; i++) data.set(ids[start + i], i * len);
      const out = await this.textModel.run({ input_ids: { data, dims: [count, len] } }, [outName]);
      return out[outName].data as Float32Array;
    });
    const per = flat.length / prompts.length;
    return prompts.map((_, i) => ({ data: flat.slice(i * per, (i + 1) * per), shape: [len, per / len] }));
  }

  /** Denoiser and VAE codec for images of one edit size (multiples of 8). */
  parts(height: number, width: number): { denoiser: Denoiser; textEncoder: TextEncoder; codec: LatentCodec } {
    const f = SD_TURBO.vaeFactor;
    if (height % f !== 0 || width % f !== 0)
      throw new ShapeError(`image size must be a multiple of ${f}, got ${height} x ${width}`);
    const latentShape = Object.freeze([SD_TURBO.latentChannels, height / f, width / f]);
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

  private async predictEps(
    shape: readonly number[],
    z: Float32Array,
    index: number,
    cond: TextEmbedding[],
  ): Promise<Float32Array> {
    const size = shape[0] * shape[1] * shape[2];
    const b = cond.length;
    if (z.length !== b * size) throw new ShapeError(`predictEps: z has ${z.length} values for ${b} latents of ${size}`);
    const sample = this.unet.input('sample');
    const ts = this.unet.input('timestep');
    const outName = this.unet.output('out_sample').name;
    const [seq, dim] = cond[0].shape;
    return batched(b, fixedOne(sample), async (start, count) => {
      const ehs = new Float32Array(count * seq * dim);
      for (let i = 0; i < count; i++) ehs.set(cond[start + i].data, i * seq * dim);
      const tsDims = ts.shape.length === 0 ? [] : [typeof ts.shape[0] === 'number' ? ts.shape[0] : count];
      const feeds: Record<string, HostTensor> = {
        sample: { data: z.subarray(start * size, (start + count) * size), dims: [count, ...shape] },
        timestep: { data: new Float32Array(Math.max(1, tsDims[0] ?? 1)).fill(index), dims: tsDims },
        encoder_hidden_states: { data: ehs, dims: [count, seq, dim] },
      };
      const out = await this.unet.run(feeds, [outName]);
      if (out[outName].data.length !== count * size) {
        throw new ShapeError(
          `${this.unet.path}: output has ${out[outName].data.length} values, expected ${count * size}`,
        );
      }
      return out[outName].data as Float32Array;
    });
  }

  private async encodeImage(image: Image, shape: readonly number[]): Promise<Float32Array> {
    if (!this.vaeEncoder) {
      throw new InputError(
        `${this.dir} has no vae_encoder/model.onnx (the onnxruntime-web demo export ships only text_encoder, unet and vae_decoder); editing a photo needs the VAE encoder of an Optimum export`,
      );
    }
    const f = SD_TURBO.vaeFactor;
    checkImage('image', image);
    if (image.channels !== 3 || image.height !== shape[1] * f || image.width !== shape[2] * f) {
      throw new ShapeError(
        `image must be 3 x ${shape[1] * f} x ${shape[2] * f}, got ${image.channels} x ${image.height} x ${image.width}`,
      );
    }
    const out = await this.vaeEncoder.run({ sample: { data: image.data, dims: [1, 3, image.height, image.width] } });
    const first = out[this.vaeEncoder.outputs[0].name];
    const channels = first.dims[1];
    const c = SD_TURBO.latentChannels;
    if (channels !== c && channels !== 2 * c) {
      throw new ShapeError(
        `wrong latent channels: ${this.vaeEncoder.path} returned ${channels} channels, expected ${c} or ${2 * c}`,
      );
    }
    const size = c * shape[1] * shape[2];
    const latent = new Float32Array(size); // the first C channels: the posterior mean
    for (let i = 0; i < size; i++) latent[i] = first.data[i] * this.vaeScale;
    return latent;
  }

  private async decodeLatent(latent: Float32Array, shape: readonly number[]): Promise<Image> {
    const scaled = new Float32Array(latent.length);
    const inv = 1 / this.vaeScale;
    for (let i = 0; i < latent.length; i++) scaled[i] = latent[i] * inv;
    const outName = this.vaeDecoder.output('sample').name;
    const out = await this.vaeDecoder.run({ latent_sample: { data: scaled, dims: [1, ...shape] } }, [outName]);
    const [, channels, height, width] = out[outName].dims;
    if (channels !== 3)
      throw new ShapeError(`${this.vaeDecoder.path}: decoded image has ${channels} channels, expected 3`);
    const data = out[outName].data as Float32Array; // ours (fresh from the session): clamped in place
    for (let i = 0; i < data.length; i++) data[i] = Math.max(-1, Math.min(1, data[i]));
    return { data, channels, height, width };
  }

  /** Releases all sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.textModel, this.unet, this.vaeEncoder, this.vaeDecoder].map((m) => m?.dispose()));
  }
}
