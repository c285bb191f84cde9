/**
 * The toy text-to-image denoiser: a patch transformer in the style of U-ViT (Bao et al. 2023, all
 * inputs as tokens) with 2-D RoPE on the image patches (Su et al., RoFormer eq. 13, axial split as
 * in src/rope). Sequence = [time token, caption tokens, image patches]; joint self-attention lets the
 * patches read the caption. Output per patch: v (Salimans & Ho 2022, sec. 4) or x0. Shapes are
 * checked in test/toyworld/model.test.ts; the eps it exposes goes through src/diffusion's conversions.
 */
import type { Tensor, Tf, Variable } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import { ConfigError, checkNumber, ShapeError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import {
  type AttentionParams,
  activate,
  attentionInit,
  type LayerNormParams,
  type LinearParams,
  layerNorm,
  layerNormInit,
  linearInit,
  type MlpParams,
  mlpInit,
  normalVariable,
} from '../nn/index.js';
import { applyRopeTf, axialRopeTables, type RopeTables } from '../rope/index.js';
import { MAX_TOKENS, VOCAB } from './caption.js';
import { IMAGE_SIZE } from './scene.js';

/** Shape legend: B batch, S sequence (1 + MAX_TOKENS + P), P patches, D width, H heads, Dh head dim, Q patch values. */
export interface ToyModelConfig {
  /** Patch side in pixels (divides 32; default 8 -> 16 patches of 192 values; 4 costs 2.7x CPU per step). */
  patch: number;
  /** Model width D (default 96, divisible by heads and with D/heads divisible by 4 for axial RoPE). */
  dim: number;
  /** Transformer blocks (default 4). */
  depth: number;
  /** Attention heads (default 3, head dim 32). */
  heads: number;
  /** MLP hidden width as a multiple of D (default 3). */
  mlpRatio: number;
  /** What the output means: 'v_prediction' (default) or 'sample' (x0). */
  prediction: 'v_prediction' | 'sample';
}

export const TOY_MODEL_DEFAULTS: ToyModelConfig = {
  patch: 8,
  dim: 96,
  depth: 4,
  heads: 3,
  mlpRatio: 3,
  prediction: 'v_prediction',
};

/** Frequencies of the sinusoidal time features (Vaswani et al. 2017, sec. 3.5, on t in [0, 1]). */
const TIME_FEATURES = 32;

export interface BlockParams {
  ln1: LayerNormParams;
  attn: AttentionParams;
  ln2: LayerNormParams;
  mlp: MlpParams;
}

export interface ToyModelParams {
  patchIn: LinearParams;
  patchPos: Variable;
  word: LinearParams;
  wordPos: Variable;
  time: MlpParams;
  blocks: BlockParams[];
  lnOut: LayerNormParams;
  patchOut: LinearParams;
}

/** Checks the config's ranges and cross-field rules; returns it. */
export function validateToyModelConfig(c: ToyModelConfig): ToyModelConfig {
  checkNumber('patch', c.patch, { min: 1, max: IMAGE_SIZE, integer: true });
  if (IMAGE_SIZE % c.patch !== 0) throw new ConfigError(`patch must divide ${IMAGE_SIZE}, got ${c.patch}`);
  checkNumber('dim', c.dim, { min: 8, max: 1024, integer: true });
  checkNumber('depth', c.depth, { min: 1, max: 24, integer: true });
  checkNumber('heads', c.heads, { min: 1, integer: true });
  checkNumber('mlpRatio', c.mlpRatio, { min: 1, max: 8, integer: true });
  if (c.dim % c.heads !== 0 || (c.dim / c.heads) % 4 !== 0) {
    throw new ConfigError(`dim/heads must be an integer divisible by 4 (axial RoPE), got ${c.dim}/${c.heads}`);
  }
  if (c.prediction !== 'v_prediction' && c.prediction !== 'sample') {
    throw new ConfigError(`prediction must be 'v_prediction' or 'sample', got ${String(c.prediction)}`);
  }
  return c;
}

/** Patch geometry: grid side G, patch count P = G^2, values per patch Q = 3 p^2. */
export function patchGeometry(c: ToyModelConfig): { grid: number; patches: number; values: number } {
  const grid = IMAGE_SIZE / c.patch;
  return { grid, patches: grid * grid, values: 3 * c.patch * c.patch };
}

/** Initialises every parameter from `rng` (deterministic per seed). */
export function toyModelInit(rng: Rng, config: ToyModelConfig): ToyModelParams {
  const c = validateToyModelConfig(config);
  const { patches, values } = patchGeometry(c);
  const d = c.dim;
  return {
    patchIn: linearInit(rng.fork('patchIn'), values, d),
    patchPos: normalVariable(rng.fork('patchPos'), [patches, d], 0.02),
    word: linearInit(rng.fork('word'), VOCAB.length, d, { bias: false, std: 0.3 }),
    wordPos: normalVariable(rng.fork('wordPos'), [MAX_TOKENS, d], 0.02),
    time: mlpInit(rng.fork('time'), [2 * TIME_FEATURES, d, d]),
    blocks: Array.from({ length: c.depth }, (_, i) => {
      const r = rng.fork(`block${i}`);
      return {
        ln1: layerNormInit(d),
        attn: attentionInit(r.fork('attn'), { dim: d, heads: c.heads }),
        ln2: layerNormInit(d),
        mlp: mlpInit(r.fork('mlp'), [d, c.mlpRatio * d, d]),
      };
    }),
    lnOut: layerNormInit(d),
    patchOut: linearInit(rng.fork('patchOut'), d, values, { std: 0.02 }),
  };
}

/**
 * y = x W (+ b) whose gradient uses explicit transposes: on the tfjs wasm backend a matMul with a
 * transpose flag runs ~10x slower than transpose + matMul (measured: 78 ms vs 7 ms for
 * [2368, 384] x [384, 96]), and the stock matMul gradient uses those flags. Same math as nn/linear.
 */
type MatMulFn = (x: Tensor, w: Tensor) => Tensor;
let fastMatMul: MatMulFn | null = null;
function matMulFast(tf: Tf, x: Tensor, w: Tensor): Tensor {
  if (!fastMatMul) {
    const f = (a: unknown, b: unknown, save: unknown) => {
      const [x2, w2] = [a as Tensor, b as Tensor];
      (save as (ts: Tensor[]) => void)([x2, w2]);
      return {
        value: tf.matMul(x2, w2),
        gradFunc: (dy: Tensor, saved: Tensor[]) => [
          tf.matMul(dy, saved[1].transpose()),
          tf.matMul(saved[0].transpose(), dy),
        ],
      };
    };
    fastMatMul = tf.customGrad(f as unknown as Parameters<Tf['customGrad']>[0]) as unknown as MatMulFn;
  }
  return fastMatMul(x, w);
}

/** Linear layer on nn's LinearParams with the fast gradient above: [..., in] -> [..., out]. */
export function fastLinear(p: LinearParams, x: Tensor): Tensor {
  const tf = tfSync();
  const [inDim, outDim] = p.w.shape;
  const y = matMulFast(tf, x.reshape([-1, inDim]), p.w);
  return (p.b ? y.add(p.b) : y).reshape([...x.shape.slice(0, -1), outDim]);
}

/** RoPE tables for the whole sequence: identity rotation for the 1 + MAX_TOKENS text slots, axial for patches. */
export function sequenceRopeTables(c: ToyModelConfig): RopeTables {
  const { grid } = patchGeometry(c);
  const half = c.dim / c.heads / 2;
  const axial = axialRopeTables(grid, grid, c.dim / c.heads);
  const lead = (1 + MAX_TOKENS) * half;
  const cos = new Float32Array(lead + axial.cos.length).fill(1);
  const sin = new Float32Array(lead + axial.sin.length);
  cos.set(axial.cos, lead);
  sin.set(axial.sin, lead);
  return { cos, sin };
}

/** Sinusoidal features of t in [0, 1] for each batch item: [B, 2F]. */
export function timeFeatures(t: ArrayLike<number>): Float32Array {
  const out = new Float32Array(t.length * 2 * TIME_FEATURES);
  for (let b = 0; b < t.length; b++) {
    for (let j = 0; j < TIME_FEATURES; j++) {
      const freq = 1000 * Math.exp((-Math.log(1000) * j) / TIME_FEATURES);
      out[b * 2 * TIME_FEATURES + j] = Math.sin(t[b] * freq);
      out[b * 2 * TIME_FEATURES + TIME_FEATURES + j] = Math.cos(t[b] * freq);
    }
  }
  return out;
}

/** Multi-head self-attention with RoPE on nn's AttentionParams (fast projections): [B, S, D] -> [B, S, D]. */
function selfAttention(tf: Tf, p: AttentionParams, x: Tensor, rope: RopeTables): Tensor {
  const [b, s, d] = x.shape;
  const h = p.heads;
  const split = (y: Tensor) => y.reshape([b, s, h, d / h]).transpose([0, 2, 1, 3]); // [B, H, S, Dh]
  const q = applyRopeTf(tf, split(fastLinear(p.wq, x)), rope, 'half');
  const k = applyRopeTf(tf, split(fastLinear(p.wk, x)), rope, 'half');
  const v = split(fastLinear(p.wv, x));
  const att = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(d / h)), -1); // [B, H, S, S]
  const o = tf.matMul(att, v).transpose([0, 2, 1, 3]).reshape([b, s, d]); // [B, S, D]
  return fastLinear(p.wo, o);
}

function block(tf: Tf, p: BlockParams, x: Tensor, rope: RopeTables): Tensor {
  const h = x.add(selfAttention(tf, p.attn, layerNorm(p.ln1, x), rope));
  const [l1, l2] = p.mlp.layers;
  return h.add(fastLinear(l2, activate('gelu', fastLinear(l1, layerNorm(p.ln2, h)))));
}

export interface ToyModelInput {
  /** Noisy patches [B, P, Q] (see `patchify`). */
  patches: Tensor;
  /** Noise level t = index / 999 per item, [B]. */
  t: Float32Array;
  /** One-hot caption tokens [B, MAX_TOKENS, V]. */
  words: Tensor;
}

/** The forward pass: returns the prediction (v or x0, per config) as patches [B, P, Q]. */
export function toyModelApply(p: ToyModelParams, c: ToyModelConfig, input: ToyModelInput, rope: RopeTables): Tensor {
  const tf = tfSync();
  const { patches, values } = patchGeometry(c);
  const b = input.patches.shape[0];
  if (input.patches.rank !== 3 || input.patches.shape[1] !== patches || input.patches.shape[2] !== values) {
    throw new ShapeError(`toy model: patches must be [B, ${patches}, ${values}], got [${input.patches.shape}]`);
  }
  if (input.t.length !== b || input.words.shape[0] !== b) {
    throw new ShapeError(`toy model: t has ${input.t.length} and words ${input.words.shape[0]} items, patches ${b}`);
  }
  return tf.tidy(() => {
    const temb = fastLinear(
      p.time.layers[1],
      activate('silu', fastLinear(p.time.layers[0], tf.tensor2d(timeFeatures(input.t), [b, 2 * TIME_FEATURES]))),
    );
    const tok = temb.reshape([b, 1, c.dim]); // [B, 1, D]
    const words = fastLinear(p.word, input.words).add(p.wordPos); // [B, T, D]
    const img = fastLinear(p.patchIn, input.patches).add(p.patchPos).add(tok); // [B, P, D]
    let x = tf.concat([tok, words, img], 1); // [B, S, D]
    for (const blk of p.blocks) x = block(tf, blk, x, rope);
    const out = x.slice([0, 1 + MAX_TOKENS, 0], [b, patches, c.dim]); // [B, P, D]
    return fastLinear(p.patchOut, layerNorm(p.lnOut, out)); // [B, P, Q]
  });
}

/** CHW images [B, 3, 32, 32] (flat) -> patches [B, P, Q] (flat), each patch in (c, dy, dx) order. */
export function patchify(images: Float32Array, batch: number, patch: number): Float32Array {
  const n = IMAGE_SIZE;
  const g = n / patch;
  const q = 3 * patch * patch;
  if (images.length !== batch * 3 * n * n)
    throw new ShapeError(`patchify: expected ${batch * 3 * n * n} values, got ${images.length}`);
  const out = new Float32Array(images.length);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          const pi = Math.floor(y / patch) * g + Math.floor(x / patch);
          const qi = (c * patch + (y % patch)) * patch + (x % patch);
          out[(b * g * g + pi) * q + qi] = images[((b * 3 + c) * n + y) * n + x];
        }
      }
    }
  }
  return out;
}

/** Inverse of `patchify`. */
export function unpatchify(patches: Float32Array, batch: number, patch: number): Float32Array {
  const n = IMAGE_SIZE;
  const g = n / patch;
  const q = 3 * patch * patch;
  const out = new Float32Array(patches.length);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          const pi = Math.floor(y / patch) * g + Math.floor(x / patch);
          const qi = (c * patch + (y % patch)) * patch + (x % patch);
          out[((b * 3 + c) * n + y) * n + x] = patches[(b * g * g + pi) * q + qi];
        }
      }
    }
  }
  return out;
}
