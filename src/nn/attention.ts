/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017, eq. 1 and §3.2.2):
 * Attention(Q, K, V) = softmax(Q Kᵀ / √Dh + mask) V, per head, then an output projection.
 * Self-attention by default; cross-attention when `context` is given (keys/values from it);
 * a rotary hook `rope(q, k)` sees q [B, H, T, Dh] and k [B, H, S, Dh] before the scores.
 * Checked against a naive Float64 loop and finite differences in test/nn/attention.test.ts.
 */
import type { Tensor } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import { ConfigError, checkNumber, ShapeError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { type LinearParams, linear, linearInit } from './layers.js';

/** Attention params: projections (wk, wv map contextDim → D) and the head count (static, not saved). */
export interface AttentionParams {
  /** Number of heads H (a plain number: `flattenParams` skips it). */
  heads: number;
  wq: LinearParams;
  wk: LinearParams;
  wv: LinearParams;
  wo: LinearParams;
}

export interface AttentionConfig {
  /** Model dimension D (input and output width); must be divisible by `heads`. */
  dim: number;
  /** Number of heads H; head dimension Dh = D / H. */
  heads: number;
  /** Width of the cross-attention context (default: `dim`). */
  contextDim?: number;
  /** Biases on the projections (default true). */
  bias?: boolean;
}

/** Rotary hook: receives q [B, H, T, Dh] and k [B, H, S, Dh], returns rotated [q, k]. */
export type RopeHook = (q: Tensor, k: Tensor) => [Tensor, Tensor];

export interface AttentionOptions {
  /** Causal mask: position t attends to s ≤ t (self-attention only, needs S = T). */
  causal?: boolean;
  /** Rotary position hook applied to q and k per head. */
  rope?: RopeHook;
  /** Cross-attention context [B, S, contextDim]: keys and values come from it. */
  context?: Tensor;
  /** Keep-mask broadcastable to [B, H, T, S]: 1 = attend, 0 = masked out. */
  mask?: Tensor;
}

/** Multi-head attention init; heads H must divide dim D. */
export function attentionInit(rng: Rng, config: AttentionConfig): AttentionParams {
  const { dim, heads, contextDim = dim, bias = true } = config;
  checkNumber('attention dim', dim, { min: 1, integer: true });
  checkNumber('attention heads', heads, { min: 1, integer: true });
  checkNumber('attention contextDim', contextDim, { min: 1, integer: true });
  if (dim % heads !== 0) throw new ConfigError(`attention dim ${dim} must be divisible by heads ${heads}`);
  return {
    heads,
    wq: linearInit(rng.fork('wq'), dim, dim, { bias }),
    wk: linearInit(rng.fork('wk'), contextDim, dim, { bias }),
    wv: linearInit(rng.fork('wv'), contextDim, dim, { bias }),
    wo: linearInit(rng.fork('wo'), dim, dim, { bias }),
  };
}

/** [B, T, D] → [B, H, T, Dh]. */
function splitHeads(x: Tensor, heads: number): Tensor {
  const [b, t, d] = x.shape;
  return x.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]);
}

/** [B, H, T, Dh] → [B, T, D]. */
function mergeHeads(x: Tensor): Tensor {
  const [b, h, t, dh] = x.shape;
  return x.transpose([0, 2, 1, 3]).reshape([b, t, h * dh]);
}

/** Cached additive causal masks by "T×S" (engine-owned, kept for the life of the process; tiny). */
const CAUSAL_MASKS = new Map<string, Tensor>();

/** Additive causal mask [T, S]: 0 for s ≤ t, −1e9 above the diagonal. */
function causalMask(t: number, s: number): Tensor {
  const tf = tfSync();
  const key = `${t}x${s}`;
  let mask = CAUSAL_MASKS.get(key);
  if (!mask || mask.isDisposed) {
    mask = tf.keep(tf.tidy(() => tf.sub(1, tf.linalg.bandPart(tf.ones([t, s]), -1, 0)).mul(-1e9)));
    CAUSAL_MASKS.set(key, mask);
  }
  return mask;
}

/** Additive mask: 0 where allowed, −1e9 where masked; [T, S] causal and/or the keep-mask. */
function additiveMask(t: number, s: number, opts: AttentionOptions): Tensor | null {
  const tf = tfSync();
  const causal = opts.causal ? causalMask(t, s) : null;
  const user = opts.mask ? tf.sub(1, tf.cast(opts.mask, 'float32')).mul(-1e9) : null;
  if (causal && user) return tf.minimum(causal, user);
  return causal ?? user;
}

/**
 * out = W_o · concat_h softmax(q_h k_hᵀ / √Dh + mask) v_h: x [B, T, D] → [B, T, D].
 * q = x W_q; k, v = (context ?? x) W_k, W_v.
 */
export function attention(p: AttentionParams, x: Tensor, opts: AttentionOptions = {}): Tensor {
  const tf = tfSync();
  const dim = p.wq.w.shape[1] as number;
  const heads = p.heads;
  if (!Number.isInteger(heads) || heads < 1 || dim % heads !== 0) {
    throw new ConfigError(`attention: heads ${heads} must be a positive divisor of dim ${dim}`);
  }
  if (x.rank !== 3 || x.shape[2] !== p.wq.w.shape[0]) {
    throw new ShapeError(`attention: x must be [B, T, ${p.wq.w.shape[0]}], got [${x.shape.join(', ')}]`);
  }
  const src = opts.context ?? x;
  if (src.rank !== 3 || src.shape[0] !== x.shape[0]) {
    throw new ShapeError(`attention: context must be [B=${x.shape[0]}, S, Dc], got [${src.shape.join(', ')}]`);
  }
  const [t, s] = [x.shape[1] as number, src.shape[1] as number];
  if (opts.causal && s !== t) throw new ConfigError(`attention: causal needs S = T, got S=${s}, T=${t}`);
  return tf.tidy(() => {
    let q = splitHeads(linear(p.wq, x), heads); // [B, H, T, Dh]
    let k = splitHeads(linear(p.wk, src), heads); // [B, H, S, Dh]
    const v = splitHeads(linear(p.wv, src), heads); // [B, H, S, Dh]
    if (opts.rope) [q, k] = opts.rope(q, k);
    let scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(dim / heads)); // [B, H, T, S]
    const mask = additiveMask(t, s, opts);
    if (mask) scores = scores.add(mask);
    const att = tf.softmax(scores, -1); // [B, H, T, S]
    return linear(p.wo, mergeHeads(tf.matMul(att, v))); // [B, T, D]
  });
}
