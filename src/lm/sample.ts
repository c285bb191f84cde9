/**
 * Sampling from the tiny LM: autoregressive decoding over the last `blockSize` tokens, greedy
 * (temperature 0) or from softmax(logits / temperature) restricted to the top-k tokens, with the
 * project's seeded Rng; stops at a newline when asked (corpus lines end with '\n').
 */
import { readAndDispose, tfSync } from '../core/engine.js';
import { checkNumber } from '../core/errors.js';
import { softmax } from '../core/math.js';
import type { Rng } from '../core/rng.js';
import type { TinyLmConfig } from './config.js';
import { type TinyLmParams, tinyLmForward } from './model.js';
import { NEWLINE_ID } from './tokenizer.js';

export interface SampleOptions {
  /** Tokens to generate at most. Default 64. */
  maxNewTokens?: number;
  /** Softmax temperature; 0 = greedy (argmax). Default 0.8. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 = all). Default 40. */
  topK?: number;
  /** Stop after generating a newline. Default true. */
  stopAtNewline?: boolean;
}

/** Logits [V] of the next token after `context` (the last blockSize tokens are used). */
export function nextTokenLogits(params: TinyLmParams, config: TinyLmConfig, context: ArrayLike<number>): Float32Array {
  const tf = tfSync();
  const ctx = Int32Array.from(context).slice(-config.blockSize);
  const last = tf.tidy(() => {
    const ids = tf.tensor2d(ctx, [1, ctx.length], 'int32');
    const logits = tinyLmForward(params, config, ids); // [1, T, V]
    return logits.slice([0, ctx.length - 1, 0], [1, 1, config.vocabSize]);
  });
  return readAndDispose(last);
}

/** Index of the next token from logits: argmax, or a draw from the tempered top-k softmax. */
export function pickToken(logits: Float32Array, temperature: number, topK: number, rng: Rng): number {
  if (temperature === 0) return logits.indexOf(Math.max(...logits));
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  const keep = topK > 0 ? order.slice(0, topK) : order;
  const probs = softmax(Float64Array.from(keep, (i) => logits[i] / temperature));
  return keep[rng.categorical(probs)];
}

/** Generates a continuation of `prompt` (token ids); returns only the new tokens. */
export function sampleTokens(
  params: TinyLmParams,
  config: TinyLmConfig,
  prompt: ArrayLike<number>,
  rng: Rng,
  options: SampleOptions = {},
): Int32Array {
  const { maxNewTokens = 64, temperature = 0.8, topK = 40, stopAtNewline = true } = options;
  checkNumber('maxNewTokens', maxNewTokens, { min: 1, max: 100000, integer: true });
  checkNumber('temperature', temperature, { min: 0, max: 100 });
  checkNumber('topK', topK, { min: 0, integer: true });
  const context = Array.from(prompt);
  if (context.length === 0) context.push(NEWLINE_ID);
  const out: number[] = [];
  for (let i = 0; i < maxNewTokens; i++) {
    const next = pickToken(nextTokenLogits(params, config, context), temperature, topK, rng);
    out.push(next);
    context.push(next);
    if (stopAtNewline && next === NEWLINE_ID) break;
  }
  return Int32Array.from(out);
}
