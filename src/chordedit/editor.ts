/**
 * The ChordEdit pipeline (diffusers style: it owns the loop and receives its parts):
 * `new ChordEditor({ denoiser, textEncoder?, codec? }).edit({...})` runs ChordEdit or one of the
 * baselines on the same noise and reports diagnostics (NFE, model calls, mean(u^2), mean(R^2) at
 * both times, time in the model vs the math). Algorithm: lecture 17 steps 1-5 (Lu et al. 2026).
 * NFE follows the paper: one chord step is one batched network evaluation (the reference batches
 * both times and prompts into one UNet call, and so does `residualFields`: one call per chord step);
 * `modelCalls` reports the calls actually made.
 */
import { ConfigError, ShapeError } from '../core/errors.js';
import type { Image } from '../core/image.js';
import { Rng } from '../core/rng.js';
import {
  type Denoiser,
  type LatentCodec,
  type TextEmbedding,
  type TextEncoder,
  type Timesteps,
  timeToIndex,
} from '../diffusion/index.js';
import { ddimInversionEdit, sdedit } from './baselines.js';
import {
  chordControlField,
  meanSquare,
  proximalRefinement,
  residualFields,
  transport,
  transportTimes,
} from './chord.js';
import { type ChordConfig, checkMethod, type EditMethod, type ValidConfig, validateChordConfig } from './config.js';

/** Energies of one chord step. */
export interface StepEnergy {
  /** Query time s of this step. */
  t: number;
  /** mean(u^2) of the chord control field. */
  energyU: number;
  /** mean(R_{s-delta}^2). */
  energyRPrev: number;
  /** mean(R_s^2). */
  energyRNow: number;
}

export interface EditDiagnostics {
  method: EditMethod;
  /** Network evaluations as the paper counts them (one per chord step, +1 refinement; k for SDEdit, 2k for inversion). */
  nfe: number;
  /** predictEps calls actually made. */
  modelCalls: number;
  /** Latents evaluated in total (sum of batch sizes). */
  modelLatents: number;
  /** Per chord step energies (empty for SDEdit / DDIM inversion). */
  steps: StepEnergy[];
  /** Milliseconds inside predictEps. */
  timeModelMs: number;
  /** Milliseconds of the edit outside predictEps (the math). */
  timeMathMs: number;
  /** Changes made by `sanitize: true` (empty otherwise). */
  adjustments: string[];
  config: ValidConfig;
}

/** A Denoiser wrapper that counts calls, latents and time spent in the model. */
export class MeteredDenoiser implements Denoiser {
  calls = 0;
  latents = 0;
  ms = 0;
  constructor(private readonly inner: Denoiser) {}
  get latentShape(): readonly number[] {
    return this.inner.latentShape;
  }
  get alphasCumprod(): Float64Array {
    return this.inner.alphasCumprod;
  }
  async predictEps(z: Float32Array, timesteps: Timesteps, cond: TextEmbedding[]): Promise<Float32Array> {
    const t0 = performance.now();
    try {
      return await this.inner.predictEps(z, timesteps, cond);
    } finally {
      this.ms += performance.now() - t0;
      this.calls += 1;
      this.latents += cond.length;
    }
  }
}

/** The seeded noise draws: n standard normals of the latent's size, shared by both times and prompts. */
export function drawNoises(seed: number, n: number, size: number): Float32Array[] {
  const rng = new Rng(seed).fork('chordedit-noise');
  return Array.from({ length: n }, () => rng.normals(size));
}

/** ChordEdit on a latent (steps 1-5), returning the edit and per-step energies. */
export async function chordEdit(
  denoiser: Denoiser,
  xSrc: Float32Array,
  noises: Float32Array[],
  cfg: ValidConfig,
  src: TextEmbedding,
  tar: TextEmbedding,
): Promise<{ latent: Float32Array; steps: StepEnergy[] }> {
  let x = xSrc; // step 1: x_in = x_src
  const steps: StepEnergy[] = [];
  const T = denoiser.alphasCumprod.length;
  for (const s of transportTimes(cfg.t, cfg.tEnd, cfg.steps)) {
    const sPrev = Math.max(0, s - cfg.delta);
    const samePoint = timeToIndex(sPrev, T) === timeToIndex(s, T);
    const fields = await residualFields(denoiser, x, noises, samePoint ? [s] : [s, sPrev], src, tar); // step 2 at s, s - delta
    const [rNow, rPrev] = [fields[0], fields[samePoint ? 0 : 1]];
    const u = chordControlField(rPrev, rNow, s, cfg.delta); // step 3
    x = transport(x, u, cfg.lambda); // step 4
    steps.push({ t: s, energyU: meanSquare(u), energyRPrev: meanSquare(rPrev), energyRNow: meanSquare(rNow) });
  }
  if (cfg.refine) x = await proximalRefinement(denoiser, x, noises[0], cfg.tc, tar); // step 5
  return { latent: x, steps };
}

/** Paper NFE of a method with a validated config. */
export function paperNfe(method: EditMethod, cfg: ValidConfig): number {
  if (method === 'sdedit' || method === 'sdedit-ddim') return cfg.steps;
  if (method === 'ddim-inversion') return 2 * cfg.steps;
  return cfg.steps + (cfg.refine ? 1 : 0);
}

/** One edit request. Give `image` (needs a codec) or `latent`; prompts as text (needs a textEncoder) or embeddings. */
export interface EditRequest {
  image?: Image;
  latent?: Float32Array;
  source: string | TextEmbedding;
  target: string | TextEmbedding;
  /** Default 'chord'. */
  method?: EditMethod;
  config?: Partial<ChordConfig>;
  /** Seed of the shared noise (and of SDEdit's fresh per-step noise). Default 0. */
  seed?: number;
}

export interface EditResult {
  latent: Float32Array;
  /** The decoded edit (when the editor has a codec). */
  image?: Image;
  diagnostics: EditDiagnostics;
}

/** The parts an editor runs on. */
export interface EditorParts {
  denoiser: Denoiser;
  textEncoder?: TextEncoder;
  codec?: LatentCodec;
}

export class ChordEditor {
  constructor(readonly parts: EditorParts) {
    if (!parts?.denoiser) throw new ConfigError('ChordEditor needs a denoiser');
  }

  /** Edits one image or latent. @example await new ChordEditor({ denoiser, textEncoder, codec }).edit({ image, source: 'a cat', target: 'a dog' }) */
  async edit(request: EditRequest): Promise<EditResult> {
    const method = checkMethod(request.method ?? 'chord');
    const overrides = method === 'naive' ? { ...request.config, delta: 0 } : request.config;
    const cfg = validateChordConfig(overrides, this.parts.denoiser.alphasCumprod.length);
    const [src, tar] = await this.embed(request.source, request.target);
    const xSrc = await this.toLatent(request);
    const model = new MeteredDenoiser(this.parts.denoiser);
    const noises = drawNoises(request.seed ?? 0, cfg.noiseSamples, xSrc.length);
    const t0 = performance.now();
    let latent: Float32Array;
    let steps: StepEnergy[] = [];
    if (method === 'sdedit' || method === 'sdedit-ddim') {
      const sampler =
        method === 'sdedit'
          ? { kind: 'ancestral' as const, rng: new Rng(request.seed ?? 0).fork('sdedit-ancestral') } // fresh per-step noise
          : { kind: 'ddim' as const };
      latent = await sdedit(model, xSrc, noises[0], cfg.t, cfg.steps, tar, sampler);
    } else if (method === 'ddim-inversion') latent = await ddimInversionEdit(model, xSrc, cfg.t, cfg.steps, src, tar);
    else ({ latent, steps } = await chordEdit(model, xSrc, noises, cfg, src, tar));
    const total = performance.now() - t0;
    const diagnostics: EditDiagnostics = {
      method,
      nfe: paperNfe(method, cfg),
      modelCalls: model.calls,
      modelLatents: model.latents,
      steps,
      timeModelMs: model.ms,
      timeMathMs: Math.max(0, total - model.ms),
      adjustments: cfg.adjustments,
      config: cfg,
    };
    const image = this.parts.codec ? await this.parts.codec.decode(latent) : undefined;
    return { latent, image, diagnostics };
  }

  /** Both prompts in one encoder call (or embeddings as given). */
  private async embed(source: string | TextEmbedding, target: string | TextEmbedding): Promise<TextEmbedding[]> {
    if (typeof source !== 'string' && typeof target !== 'string')
      return [checkEmb('source', source), checkEmb('target', target)];
    if (typeof source !== 'string' || typeof target !== 'string') {
      throw new ConfigError('give both prompts as text or both as embeddings');
    }
    if (!this.parts.textEncoder) throw new ConfigError('text prompts need a textEncoder; this editor has none');
    const out = await this.parts.textEncoder.encode([source, target]);
    if (out.length !== 2) throw new ShapeError(`textEncoder returned ${out.length} embeddings for 2 prompts`);
    return out.map((e, i) => checkEmb(i === 0 ? 'source' : 'target', e));
  }

  private async toLatent(request: EditRequest): Promise<Float32Array> {
    const size = this.parts.denoiser.latentShape.reduce((a, b) => a * b, 1);
    let latent = request.latent;
    if (!latent) {
      if (!request.image) throw new ConfigError('edit needs an image or a latent');
      if (!this.parts.codec) throw new ConfigError('editing an image needs a codec (VAE); pass a latent instead');
      latent = await this.parts.codec.encode(request.image);
    }
    if (latent.length !== size) {
      throw new ShapeError(
        `latent must have ${size} elements (shape [${this.parts.denoiser.latentShape.join(', ')}]), got ${latent.length}`,
      );
    }
    return latent;
  }
}

function checkEmb(name: string, e: TextEmbedding): TextEmbedding {
  const n = e?.shape?.reduce((a, b) => a * b, 1);
  if (!(e?.data instanceof Float32Array) || n !== e.data.length) {
    throw new ShapeError(`${name} embedding must be { data: Float32Array, shape } with matching sizes`);
  }
  return e;
}
