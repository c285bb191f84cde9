/**
 * Training batches for the toy denoiser: fresh scenes every step (an endless data set), forward
 * noising z = alpha x0 + sigma eps at a uniform DDPM index (Ho et al. 2020, eq. 4) on the
 * scaled-linear schedule, and the target v = alpha eps - sigma x0 (Salimans & Ho 2022) or x0.
 * Batch `step` is drawn from `rng.fork(step)`, so a resumed run sees exactly the same data.
 */
import type { Rng } from '../../core/rng.js';
import { alphaSigma } from '../../diffusion/index.js';
import { captionOf, IMAGE_SIZE, renderScene, sampleScene } from '../world/index.js';
import { patchify } from './model.js';
import { encodeCaption } from './text.js';

export interface ToyBatch {
  /** Noisy images as patches [B, P, Q]. */
  patches: Float32Array;
  /** Regression target as patches [B, P, Q] (v or x0). */
  target: Float32Array;
  /** t = index / 999 per item. */
  t: Float32Array;
  /** Encoded captions [B, MAX_TOKENS, V + SEGMENTS] (the empty caption for dropped ones). */
  words: Float32Array;
  batch: number;
}

export interface BatchOptions {
  batch: number;
  patch: number;
  prediction: 'v_prediction' | 'sample';
  /** Probability of replacing a caption by the empty prompt (classifier-free guidance training). */
  captionDropout: number;
  alphasCumprod: Float64Array;
}

/** Draws one training batch from `rng`. */
export function makeBatch(rng: Rng, o: BatchOptions): ToyBatch {
  const px = 3 * IMAGE_SIZE * IMAGE_SIZE;
  const x0 = new Float32Array(o.batch * px);
  const z = new Float32Array(o.batch * px);
  const target = new Float32Array(o.batch * px);
  const t = new Float32Array(o.batch);
  const wordRows: Float32Array[] = [];
  for (let b = 0; b < o.batch; b++) {
    const scene = sampleScene(rng);
    x0.set(renderScene(scene).data, b * px);
    const caption = rng.uniform() < o.captionDropout ? '' : captionOf(scene);
    wordRows.push(encodeCaption(caption).data);
    const index = rng.int(1000);
    t[b] = index / 999;
    const { alpha, sigma } = alphaSigma(o.alphasCumprod, index);
    for (let i = b * px; i < (b + 1) * px; i++) {
      const eps = rng.normal();
      z[i] = alpha * x0[i] + sigma * eps;
      target[i] = o.prediction === 'v_prediction' ? alpha * eps - sigma * x0[i] : x0[i];
    }
  }
  const words = new Float32Array(wordRows.reduce((s, w) => s + w.length, 0));
  wordRows.forEach((w, i) => {
    words.set(w, i * w.length);
  });
  return {
    patches: patchify(z, o.batch, o.patch),
    target: patchify(target, o.batch, o.patch),
    t,
    words,
    batch: o.batch,
  };
}
