/**
 * Language-model metrics (Hugging Face's perplexity guide; bits per byte as in the GPT-2 paper): cross-entropy L = mean over scored tokens of
 * -ln p(x_t | x_<t) in nats, perplexity e^L, bits per byte = (total nats / ln 2) / UTF-8 bytes,
 * and the strided sliding-window plan of Hugging Face's perplexity guide (each token is scored
 * exactly once, with up to `context` tokens of history). Checked on uniform and bigram models
 * with closed-form answers in test/eval.
 */
import { ConfigError, checkNumber, ShapeError } from '../core/errors.js';
import { logSumExp } from '../core/math.js';

/** What `modelmath eval` prints. */
export interface LmMetrics {
  /** Scored tokens. */
  tokens: number;
  /** UTF-8 bytes of the scored tokens (the whole text when the model has a BOS). */
  bytes: number;
  /** Mean negative log-likelihood per scored token (nats). */
  crossEntropy: number;
  /** e^crossEntropy. */
  perplexity: number;
  /** Total nats / ln 2 / bytes. */
  bitsPerByte: number;
  /** crossEntropy / ln 2. */
  bitsPerToken: number;
}

/** -ln softmax(logits)[target] = logsumexp(logits) - logits[target] for one row of logits. */
export function tokenNll(logits: Float32Array, target: number): number {
  if (!Number.isInteger(target) || target < 0 || target >= logits.length) {
    throw new ShapeError(`target token ${target} is outside the vocabulary of ${logits.length}`);
  }
  return logSumExp(logits) - logits[target];
}

/** Metrics from the summed negative log-likelihood over `tokens` scored tokens of a `bytes`-byte text. */
export function lmMetrics(totalNats: number, tokens: number, bytes: number): LmMetrics {
  checkNumber('tokens', tokens, { min: 1, integer: true });
  checkNumber('bytes', bytes, { min: 1, integer: true });
  const crossEntropy = totalNats / tokens;
  return {
    tokens,
    bytes,
    crossEntropy,
    perplexity: Math.exp(crossEntropy),
    bitsPerByte: totalNats / Math.LN2 / bytes,
    bitsPerToken: crossEntropy / Math.LN2,
  };
}

/** One forward pass of the sliding evaluation: input tokens [begin, end), targets [scoreFrom, end). */
export interface EvalWindow {
  begin: number;
  end: number;
  scoreFrom: number;
}

/**
 * The strided plan over n tokens (Hugging Face's strided perplexity, with the window end driving):
 * each window scores the next `stride` targets not scored before and holds the `context` tokens
 * ending at its last target, so every target sees at least `context - stride` tokens of history.
 * Token 0 is never a target (it has no history); every token 1..n-1 is scored exactly once.
 */
export function slidingWindows(n: number, context: number, stride: number): EvalWindow[] {
  checkNumber('tokens', n, { min: 2, integer: true });
  checkNumber('context', context, { min: 2, integer: true });
  checkNumber('stride', stride, { min: 1, integer: true });
  if (stride > context - 1) {
    throw new ConfigError(
      `stride (${stride}) must be at most context - 1 (${context - 1}): a target needs its previous token`,
    );
  }
  const windows: EvalWindow[] = [];
  for (let scored = 1; scored < n; ) {
    const end = Math.min(scored + stride, n);
    windows.push({ begin: Math.max(0, end - context), end, scoreFrom: scored });
    scored = end;
  }
  return windows;
}
