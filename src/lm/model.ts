/**
 * A tiny decoder-only transformer LM (GPT-2 block order, nanoGPT style) with RoPE instead of
 * learned positions: x = Emb(ids); per block x += Attn(RMSNorm(x)) with rotary q, k (RoFormer;
 * src/rope) and a causal mask, x += MLP(RMSNorm(x)); logits = Head(RMSNorm(x)).
 * Built from src/nn layers; LoRA/DoRA layers (src/lora) may replace any linear layer.
 * Checked in test/lm: shapes, causality (future tokens do not change past logits), loss at init ~ ln V.
 */
import type { Scalar, Tensor } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import { ShapeError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { loraView } from '../lora/index.js';
import {
  type AttentionParams,
  attention,
  attentionInit,
  type EmbeddingParams,
  embedding,
  embeddingInit,
  type LinearParams,
  linear,
  linearInit,
  type MlpParams,
  mlp,
  mlpInit,
  type RmsNormParams,
  rmsNorm,
  rmsNormInit,
} from '../nn/index.js';
import { applyRopeTf, type RopeTables, ropeTables } from '../rope/index.js';
import { type TinyLmConfig, validateTinyLmConfig } from './config.js';

export interface BlockParams {
  ln1: RmsNormParams;
  attn: AttentionParams;
  ln2: RmsNormParams;
  mlp: MlpParams;
}

export interface TinyLmParams {
  tokEmb: EmbeddingParams;
  blocks: BlockParams[];
  lnF: RmsNormParams;
  head: LinearParams;
}

/** Fresh parameters (GPT-2 style init: N(0, 0.02) embeddings, 1/sqrt(in) linears). */
export function tinyLmInit(rng: Rng, config: TinyLmConfig): TinyLmParams {
  const c = validateTinyLmConfig(config);
  return {
    tokEmb: embeddingInit(rng.fork('tokEmb'), c.vocabSize, c.dim),
    blocks: Array.from({ length: c.nLayer }, (_, i) => ({
      ln1: rmsNormInit(c.dim),
      attn: attentionInit(rng.fork(`attn${i}`), { dim: c.dim, heads: c.nHead, bias: false }),
      ln2: rmsNormInit(c.dim),
      mlp: mlpInit(rng.fork(`mlp${i}`), [c.dim, c.mlpRatio * c.dim, c.dim], { bias: false }),
    })),
    lnF: rmsNormInit(c.dim),
    head: linearInit(rng.fork('head'), c.dim, c.vocabSize, { bias: false }),
  };
}

const tableCache = new Map<string, RopeTables>();

/** cos/sin tables for T positions (cached per (T, Dh, base)). */
function tablesFor(T: number, headDim: number, base: number): RopeTables {
  const key = `${T}/${headDim}/${base}`;
  let t = tableCache.get(key);
  if (!t) {
    t = ropeTables(T, headDim, { base });
    tableCache.set(key, t);
  }
  return t;
}

/** Logits [B, T, V] for token ids [B, T] (int32), T <= blockSize. */
export function tinyLmForward(params: TinyLmParams, config: TinyLmConfig, ids: Tensor): Tensor {
  const tf = tfSync();
  if (ids.rank !== 2 || ids.dtype !== 'int32') {
    throw new ShapeError(`tiny LM input must be int32 [B, T], got ${ids.dtype} [${ids.shape.join(', ')}]`);
  }
  const T = ids.shape[1] as number;
  if (T > config.blockSize) throw new ShapeError(`sequence length ${T} exceeds blockSize ${config.blockSize}`);
  const tables = tablesFor(T, config.dim / config.nHead, config.ropeBase);
  const rope = (q: Tensor, k: Tensor): [Tensor, Tensor] => [
    applyRopeTf(tf, q, tables, config.ropeLayout),
    applyRopeTf(tf, k, tables, config.ropeLayout),
  ];
  return tf.tidy(() => {
    const p = loraView(params); // LoRA layers become their effective weights
    let x = embedding(p.tokEmb, ids); // [B, T, D]
    for (const b of p.blocks) {
      x = x.add(attention(b.attn, rmsNorm(b.ln1, x), { causal: true, rope }));
      x = x.add(mlp(b.mlp, rmsNorm(b.ln2, x)));
    }
    return linear(p.head, rmsNorm(p.lnF, x)); // [B, T, V]
  });
}

/** Mean next-token cross-entropy (nats) of logits [B, T, V] against targets [B, T] (int32). */
export function crossEntropyLoss(logits: Tensor, targets: Tensor): Scalar {
  const tf = tfSync();
  return tf.tidy(() => {
    const V = logits.shape[2] as number;
    const logp = tf.logSoftmax(logits.reshape([-1, V])); // [N, V]
    const onehot = tf.oneHot(targets.reshape([-1]), V); // [N, V]
    return tf.neg(tf.mean(tf.sum(logp.mul(onehot), 1))) as Scalar;
  });
}
