/**
 * The toy model's text encoder: word tokens (caption.ts) as one-hot rows [MAX_TOKENS, V]. It has
 * no weights: the denoiser's first linear layer on these rows is its word embedding, so the
 * ChordEdit `TextEncoder` interface is served without a second model. The empty prompt (all
 * padding) is the unconditional input of classifier-free guidance.
 */
import type { TextEmbedding, TextEncoder } from '../chordedit/index.js';
import { ShapeError } from '../core/errors.js';
import { MAX_TOKENS, tokenize, VOCAB } from './caption.js';

/** One-hot rows of token ids: [MAX_TOKENS, V]. */
export function oneHotTokens(ids: Int32Array): Float32Array {
  const v = VOCAB.length;
  const out = new Float32Array(MAX_TOKENS * v);
  ids.forEach((id, i) => {
    out[i * v + id] = 1;
  });
  return out;
}

/** Encodes a caption (or '' for the unconditional prompt). */
export function encodeCaption(caption: string): TextEmbedding {
  return { data: oneHotTokens(tokenize(caption)), shape: [MAX_TOKENS, VOCAB.length] };
}

/** Concatenates embeddings into one [B, MAX_TOKENS, V] block after checking their shapes. */
export function stackEmbeddings(cond: TextEmbedding[]): Float32Array {
  const size = MAX_TOKENS * VOCAB.length;
  const out = new Float32Array(cond.length * size);
  cond.forEach((e, i) => {
    if (e.shape.length !== 2 || e.shape[0] !== MAX_TOKENS || e.shape[1] !== VOCAB.length || e.data.length !== size) {
      throw new ShapeError(`toy text embedding ${i} must be [${MAX_TOKENS}, ${VOCAB.length}], got [${e.shape}]`);
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
