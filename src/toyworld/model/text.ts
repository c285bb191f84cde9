/**
 * The toy model's text encoder: word tokens (caption.ts) as one-hot rows [MAX_TOKENS, V + SEGMENTS]
 * (word id, then the segment id of the word's object phrase). It has no weights: the denoiser's
 * first linear layer on these rows is its word + segment embedding, so the
 * ChordEdit `TextEncoder` interface is served without a second model. The empty prompt (all
 * padding) is the unconditional input of classifier-free guidance.
 */

import { ShapeError } from '../../core/errors.js';
import type { TextEmbedding, TextEncoder } from '../../diffusion/index.js';
import { MAX_TOKENS, SEGMENTS, segmentIds, tokenize, VOCAB } from '../world/index.js';

/** Features per token: one-hot word id, then one-hot segment id. */
export const TOKEN_FEATURES = VOCAB.length + SEGMENTS;

/** One-hot rows of token ids and segment ids: [MAX_TOKENS, V + SEGMENTS]. */
export function oneHotTokens(ids: Int32Array, segments: Int32Array): Float32Array {
  const out = new Float32Array(MAX_TOKENS * TOKEN_FEATURES);
  ids.forEach((id, i) => {
    out[i * TOKEN_FEATURES + id] = 1;
    out[i * TOKEN_FEATURES + VOCAB.length + segments[i]] = 1;
  });
  return out;
}

/** Encodes a caption (or '' for the unconditional prompt). */
export function encodeCaption(caption: string): TextEmbedding {
  return { data: oneHotTokens(tokenize(caption), segmentIds(caption)), shape: [MAX_TOKENS, TOKEN_FEATURES] };
}

/** Concatenates embeddings into one [B, MAX_TOKENS, V + SEGMENTS] block after checking their shapes. */
export function stackEmbeddings(cond: TextEmbedding[]): Float32Array {
  const size = MAX_TOKENS * TOKEN_FEATURES;
  const out = new Float32Array(cond.length * size);
  cond.forEach((e, i) => {
    if (e.shape.length !== 2 || e.shape[0] !== MAX_TOKENS || e.shape[1] !== TOKEN_FEATURES || e.data.length !== size) {
      throw new ShapeError(`toy text embedding ${i} must be [${MAX_TOKENS}, ${TOKEN_FEATURES}], got [${e.shape}]`);
    }
    out.set(e.data, i * size);
  });
  return out;
}

/** The toy TextEncoder (ChordEdit interface). */
export class ToyTextEncoder implements TextEncoder {
  async encode(prompts: string[]): Promise<TextEmbedding[]> {
    return prompts.map(encodeCaption);
  }
}
