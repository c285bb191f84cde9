/**
 * Text-to-image sampling from the toy model: k-step deterministic DDIM (Song et al. 2021, eq. 12,
 * src/diffusion's DdimScheduler, trailing spacing so the first step is at index 999) with
 * optional classifier-free guidance eps = eps_u + w (eps_c - eps_u) (Ho & Salimans 2022, eq. 6).
 * Starting noise comes from the caller's Rng, so a seed fixes the samples.
 */
import { checkNumber } from '../core/errors.js';
import type { Image } from '../core/image.js';
import { Rng } from '../core/rng.js';
import { DdimScheduler } from '../diffusion/index.js';
import { type CaptionContent, captionOf, parseCaption } from './caption.js';
import { type ClassifierParams, readScenes, type SceneReading } from './classifier.js';
import type { ToyDenoiser } from './denoiser.js';
import { IMAGE_SIZE, sampleScene } from './scene.js';
import { type Attribute, attributeAccuracy, sceneMatches } from './scoring.js';
import { encodeCaption } from './text.js';

export interface GenerateOptions {
  /** DDIM steps k (default 20, range 1..1000). */
  steps?: number;
  /** Guidance scale w (default 1 = no guidance, one model call per step; > 1 doubles the calls). */
  guidance?: number;
}

export const GENERATE_DEFAULTS: Required<GenerateOptions> = { steps: 20, guidance: 1 };

/** Combines conditional and unconditional eps: eps_u + w (eps_c - eps_u). */
export function guidedEps(epsCond: Float32Array, epsUncond: Float32Array, w: number): Float32Array {
  const out = new Float32Array(epsCond.length);
  for (let i = 0; i < out.length; i++) out[i] = epsUncond[i] + w * (epsCond[i] - epsUncond[i]);
  return out;
}

/** Samples one image per caption (all in one batch). */
export async function generateToy(
  denoiser: ToyDenoiser,
  captions: string[],
  rng: Rng,
  options: GenerateOptions = {},
): Promise<Image[]> {
  const { steps, guidance } = { ...GENERATE_DEFAULTS, ...options };
  checkNumber('steps', steps, { min: 1, max: 1000, integer: true });
  checkNumber('guidance', guidance, { min: 0, max: 50 });
  const n = 3 * IMAGE_SIZE * IMAGE_SIZE;
  const b = captions.length;
  const cond = captions.map(encodeCaption);
  const uncond = captions.map(() => encodeCaption(''));
  const scheduler = new DdimScheduler(denoiser.alphasCumprod, { timestepSpacing: 'trailing', clipSample: true });
  scheduler.setTimesteps(steps);
  let x = rng.normals(b * n);
  for (const t of scheduler.timesteps) {
    let eps: Float32Array;
    if (guidance === 1) {
      eps = await denoiser.predictEps(x, t, cond);
    } else {
      const doubled = new Float32Array(2 * b * n);
      doubled.set(x);
      doubled.set(x, b * n);
      const both = await denoiser.predictEps(doubled, t, [...cond, ...uncond]);
      eps = guidedEps(both.subarray(0, b * n), both.subarray(b * n), guidance);
    }
    x = scheduler.step(eps, t, x).prevSample;
  }
  return captions.map((_, i) => ({
    data: x.slice(i * n, (i + 1) * n).map((v) => Math.max(-1, Math.min(1, v))),
    channels: 3,
    height: IMAGE_SIZE,
    width: IMAGE_SIZE,
  }));
}

/** Per-attribute classifier accuracy of samples for `count` random captions (and the exact-match rate). */
export async function evaluateSamples(
  denoiser: ToyDenoiser,
  classifier: ClassifierParams,
  o: { count: number; seed: number; batch?: number } & GenerateOptions,
): Promise<{ perAttribute: Record<Attribute, number>; exact: number; count: number }> {
  checkNumber('count', o.count, { min: 1, integer: true });
  const rng = new Rng(o.seed);
  const captionRng = rng.fork('captions');
  const captions = Array.from({ length: o.count }, () => captionOf(sampleScene(captionRng)));
  const pairs: { reading: SceneReading; truth: CaptionContent }[] = [];
  const batch = o.batch ?? 16;
  for (let i = 0; i < captions.length; i += batch) {
    const chunk = captions.slice(i, i + batch);
    const images = await generateToy(denoiser, chunk, rng.fork(`noise-${i}`), o);
    readScenes(classifier, images).forEach((reading, j) => {
      pairs.push({ reading, truth: parseCaption(chunk[j]) });
    });
  }
  return {
    perAttribute: attributeAccuracy(pairs),
    exact: pairs.filter((p) => sceneMatches(p.reading, p.truth)).length / pairs.length,
    count: pairs.length,
  };
}
