/**
 * Scores a text with a causal LM by strided sliding windows (metrics.ts): tokenize, prepend the
 * model's BOS when it has one, run each window, sum -ln p of the targets the window owns. Bits per
 * byte divide by the bytes of the scored tokens (all of the text with a BOS; without one, all but
 * the first token's, which has no history and is never scored).
 */
import { ConfigError, checkNumber } from '../core/errors.js';
import type { CausalLm } from './causal-lm.js';
import { type LmMetrics, lmMetrics, slidingWindows, tokenNll } from './metrics.js';

/** ids with `bos` prepended (unchanged when undefined). */
function withBos(body: Int32Array, bos: number | undefined): Int32Array {
  if (bos === undefined) return body;
  const ids = new Int32Array(body.length + 1);
  ids[0] = bos;
  ids.set(body, 1);
  return ids;
}

export interface EvalOptions {
  /** Tokens per forward pass (default and maximum: the model's context length). */
  context?: number;
  /** New tokens scored per window, at most context - 1 (default context - 1; smaller = more history per token). */
  stride?: number;
}

export interface EvalResult extends LmMetrics {
  context: number;
  stride: number;
  windows: number;
}

/** Cross-entropy, perplexity and bits per byte of `text` under `lm`. */
export async function evaluateText(lm: CausalLm, text: string, options: EvalOptions = {}): Promise<EvalResult> {
  const context = checkNumber('context', options.context ?? lm.contextLength, { min: 2, integer: true });
  if (context > lm.contextLength) {
    throw new ConfigError(`context (${context}) exceeds the model's context length ${lm.contextLength}`);
  }
  const stride = checkNumber('stride', options.stride ?? context - 1, { min: 1, max: context - 1, integer: true });
  const bytes = new TextEncoder().encode(text).length;
  const body = lm.tokenizer.encode(text);
  const ids = withBos(body, lm.bos);
  if (ids.length < 2) throw new ConfigError(`text must give at least 2 tokens to score, got ${ids.length}`);
  const plan = slidingWindows(ids.length, context, stride);
  let totalNats = 0;
  let tokens = 0;
  for (const w of plan) {
    const logits = await lm.logits(ids.subarray(w.begin, w.end));
    const V = logits.length / (w.end - w.begin);
    for (let t = w.scoreFrom; t < w.end; t++) {
      const row = t - 1 - w.begin; // logits row predicting token t
      totalNats += tokenNll(logits.subarray(row * V, (row + 1) * V), ids[t]);
      tokens += 1;
    }
  }
  // Without a BOS the first token is never a target: its bytes are not in the per-byte average either.
  const scoredBytes = lm.bos === undefined ? bytes - lm.tokenizer.tokenBytes(ids[0]) : bytes;
  return { ...lmMetrics(totalNats, tokens, scoredBytes), context, stride, windows: plan.length };
}
