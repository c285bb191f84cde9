/**
 * The toy text-to-image denoiser: a patch transformer in the style of U-ViT (Bao et al. 2023, all
 * inputs as tokens) with 2-D RoPE on the image patches (Su et al., RoFormer eq. 13, axial split as
 * in src/rope). Sequence = [time token, caption tokens, image patches]; joint self-attention lets the
 * patches read the caption, and a grounding path (in the spirit of GLIGEN's grounding tokens, Li et
 * al. 2023) adds each object phrase's words to the patches of the cell it names. Output per patch: v (Salimans & Ho 2022, sec. 4) or x0. Shapes are
 * checked in test/toyworld/model.test.ts; the eps it exposes goes through src/diffusion's conversions.
 */
import type { Tensor, Tf, Variable } from '../../core/engine.js';
import { tfSync } from '../../core/engine.js';
import { ShapeError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import {
  type AttentionParams,
  attention,
  attentionInit,
  type LayerNormParams,
  type LinearParams,
  layerNorm,
  layerNormInit,
  linear,
  linearInit,
  type MlpParams,
  mlp,
  mlpInit,
  normalVariable,
  type RopeHook,
} from '../../nn/index.js';
import { applyRopeTf, axialRopeTables, type RopeTables } from '../../rope/index.js';
import { CELL_CENTRES, IMAGE_SIZE, MAX_JITTER, MAX_TOKENS, SEGMENTS, SIZE_RADIUS, VOCAB } from '../world/index.js';
import { type ToyModelConfig, validateToyModelConfig } from './config.js';
import { TOKEN_FEATURES } from './text.js';

/** Shape legend: B batch, S sequence (1 + MAX_TOKENS + P), P patches, D width, H heads, Dh head dim, Q patch values. */
/** Frequencies of the sinusoidal time features (Vaswani et al. 2017, sec. 3.5, on t in [0, 1]). */
export const TIME_FEATURES = 32;

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
  ground: LinearParams;
  time: MlpParams;
  blocks: BlockParams[];
  lnOut: LayerNormParams;
  patchOut: LinearParams;
}

/** Patch geometry: grid side G, patch count P = G^2, values per patch Q = 3 p^2. */
export function patchGeometry(c: ToyModelConfig): { grid: number; patches: number; values: number } {
  const grid = IMAGE_SIZE / c.patch;
  return { grid, patches: grid * grid, values: 3 * c.patch * c.patch };
}

/**
 * Fixed map from segments to patches, [SEGMENTS, P]: row 1 + cell holds, for every patch, the share
 * of the patch inside the disc a large object at that cell can cover (8 x 8 samples per patch);
 * row 0 (words of no object) is zero.
 */
export function segmentPatchMap(c: ToyModelConfig): Float32Array {
  const { grid, patches } = patchGeometry(c);
  const out = new Float32Array(SEGMENTS * patches);
  const r = SIZE_RADIUS.large + MAX_JITTER;
  for (let cell = 0; cell < 9; cell++) {
    const cx = CELL_CENTRES[cell % 3];
    const cy = CELL_CENTRES[Math.floor(cell / 3)];
    for (let pi = 0; pi < patches; pi++) {
      let inside = 0;
      for (let k = 0; k < 64; k++) {
        const x = (pi % grid) * c.patch + ((k % 8) + 0.5) * (c.patch / 8);
        const y = Math.floor(pi / grid) * c.patch + (Math.floor(k / 8) + 0.5) * (c.patch / 8);
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) inside++;
      }
      out[(1 + cell) * patches + pi] = inside / 64;
    }
  }
  return out;
}

/**
 * Grounding path: the summed word embeddings of each object phrase (grouped by segment id) are
 * spread onto the patches of the cell the phrase names and projected: [B, T, D] -> [B, P, D].
 */
function grounding(tf: Tf, p: LinearParams, words: Tensor, segments: Tensor, map: Float32Array): Tensor {
  const [b, , d] = words.shape;
  const patches = map.length / SEGMENTS;
  const perSegment = tf.matMul(segments.transpose([0, 2, 1]), words); // [B, SEGMENTS, D]
  const flat = perSegment.transpose([1, 0, 2]).reshape([SEGMENTS, b * d]); // [SEGMENTS, B*D]
  const spread = tf.matMul(tf.tensor2d(map, [SEGMENTS, patches]).transpose(), flat); // [P, B*D]
  return linear(p, spread.reshape([patches, b, d]).transpose([1, 0, 2])); // [B, P, D]
}

/** Initialises every parameter from `rng` (deterministic per seed). */
export function toyModelInit(rng: Rng, config: ToyModelConfig): ToyModelParams {
  const c = validateToyModelConfig(config);
  const { patches, values } = patchGeometry(c);
  const d = c.dim;
  return {
    patchIn: linearInit(rng.fork('patchIn'), values, d),
    patchPos: normalVariable(rng.fork('patchPos'), [patches, d], 0.02),
    word: linearInit(rng.fork('word'), TOKEN_FEATURES, d, { bias: false, std: 0.3 }),
    wordPos: normalVariable(rng.fork('wordPos'), [MAX_TOKENS, d], 0.02),
    ground: linearInit(rng.fork('ground'), d, d),
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

/** Pre-norm transformer block: x + attn(LN(x)) with 2-D RoPE on q, k; then h + MLP(LN(h)). [B, S, D] -> [B, S, D]. */
function block(tf: Tf, p: BlockParams, x: Tensor, rope: RopeTables): Tensor {
  const hook: RopeHook = (q, k) => [applyRopeTf(tf, q, rope, 'half'), applyRopeTf(tf, k, rope, 'half')];
  const h = x.add(attention(p.attn, layerNorm(p.ln1, x), { rope: hook }));
  return h.add(mlp(p.mlp, layerNorm(p.ln2, h)));
}

export interface ToyModelInput {
  /** Noisy patches [B, P, Q] (see `patchify`). */
  patches: Tensor;
  /** Noise level t = index / 999 per item, [B]. */
  t: Float32Array;
  /** Encoded caption tokens [B, MAX_TOKENS, V + SEGMENTS] (text.ts). */
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
    const temb = mlp(p.time, tf.tensor2d(timeFeatures(input.t), [b, 2 * TIME_FEATURES]), { activation: 'silu' });
    const tok = temb.reshape([b, 1, c.dim]); // [B, 1, D]
    const wordEmb = linear(p.word, input.words); // [B, T, D]
    const segments = input.words.slice([0, 0, VOCAB.length], [b, MAX_TOKENS, SEGMENTS]); // [B, T, SEGMENTS]
    const ground = grounding(tf, p.ground, wordEmb, segments, segmentPatchMap(c)); // [B, P, D]
    const words = wordEmb.add(p.wordPos); // [B, T, D]
    const img = linear(p.patchIn, input.patches).add(p.patchPos).add(tok).add(ground); // [B, P, D]
    let x = tf.concat([tok, words, img], 1); // [B, S, D]
    for (const blk of p.blocks) x = block(tf, blk, x, rope);
    const out = x.slice([0, 1 + MAX_TOKENS, 0], [b, patches, c.dim]); // [B, P, D]
    return linear(p.patchOut, layerNorm(p.lnOut, out)); // [B, P, Q]
  });
}

/** For every CHW pixel of one 32 x 32 image, its flat index in the patch layout [P, Q], patches in (c, dy, dx) order. */
function patchOrder(patch: number): Int32Array {
  const n = IMAGE_SIZE;
  const g = n / patch;
  const q = 3 * patch * patch;
  const order = new Int32Array(3 * n * n);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const pi = Math.floor(y / patch) * g + Math.floor(x / patch);
        order[(c * n + y) * n + x] = pi * q + (c * patch + (y % patch)) * patch + (x % patch);
      }
    }
  }
  return order;
}

/** CHW images [B, 3, 32, 32] (flat) -> patches [B, P, Q] (flat), each patch in (c, dy, dx) order. */
export function patchify(images: Float32Array, batch: number, patch: number): Float32Array {
  const size = 3 * IMAGE_SIZE * IMAGE_SIZE;
  if (images.length !== batch * size)
    throw new ShapeError(`patchify: expected ${batch * size} values, got ${images.length}`);
  const order = patchOrder(patch);
  const out = new Float32Array(images.length);
  for (let b = 0; b < batch; b++) for (let i = 0; i < size; i++) out[b * size + order[i]] = images[b * size + i];
  return out;
}

/** Inverse of `patchify`. */
export function unpatchify(patches: Float32Array, batch: number, patch: number): Float32Array {
  const size = 3 * IMAGE_SIZE * IMAGE_SIZE;
  const order = patchOrder(patch);
  const out = new Float32Array(patches.length);
  for (let b = 0; b < batch; b++) for (let i = 0; i < size; i++) out[b * size + i] = patches[b * size + order[i]];
  return out;
}
