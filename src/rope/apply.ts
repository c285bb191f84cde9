/**
 * Applying RoPE to plain Float32Arrays: cos/sin tables per (position, pair), the fused rotation
 * in both checkpoint layouts, 2-D axial tables for image patches, and the W_q/W_k row permutation
 * that converts a checkpoint between layouts. interleaved pairs (2j, 2j+1): lecture 17 Eq. 13/14
 * (= Eq. 20/21 elementwise); half pairs (j, j + d/2): Hugging Face rotate_half. Checked against
 * the block-diagonal matrix of Eq. 10 and a relative-position property in test/rope.
 */
import { ConfigError, checkFinite, checkNumber, checkOneOf, ShapeError, show } from '../core/errors.js';
import { checkHeadDim, type RopeFrequencyOptions, resolveScaling, ropeInverseFrequencies } from './frequencies.js';

/** 'interleaved': pairs (2j, 2j+1) (RoFormer, Meta Llama); 'half': pairs (j, j+d/2) (Hugging Face). */
export type RopeLayout = 'interleaved' | 'half';
export const ROPE_LAYOUTS: readonly RopeLayout[] = ['interleaved', 'half'];

/** cos(m theta_j) and sin(m theta_j), row-major [P, headDim/2] (YaRN's attention factor folded in). */
export interface RopeTables {
  cos: Float32Array;
  sin: Float32Array;
}

export interface ApplyRopeOptions extends RopeFrequencyOptions {
  /** Size of the last axis of x (even). */
  headDim: number;
  /** Number of positions P (ids 0..P-1), or the P position ids themselves (any reals). */
  positions: number | ArrayLike<number>;
  /** Pairing of dimensions; default 'interleaved' (the lecture's Eq. 13/14). */
  layout?: RopeLayout;
}

/** Position ids as Float64Array from a count or a list (validated finite). */
function positionIds(positions: number | ArrayLike<number>): Float64Array {
  if (typeof positions === 'number') {
    const P = checkNumber('positions', positions, { min: 1, integer: true });
    const ids = new Float64Array(P);
    for (let p = 0; p < P; p++) ids[p] = p;
    return ids;
  }
  if (positions == null || typeof positions.length !== 'number' || positions.length === 0) {
    throw new ConfigError(`positions must be a count >= 1 or a non-empty list of position ids, got ${show(positions)}`);
  }
  checkFinite('positions', positions);
  return Float64Array.from(positions);
}

/** Fills cos/sin of angle(p, j) = pos[p] * theta[j] (Eq. 9) times a scale, into [P, half] tables. */
function fillTables(pos: Float64Array, theta: Float64Array, scale: number): RopeTables {
  const half = theta.length;
  const cos = new Float32Array(pos.length * half);
  const sin = new Float32Array(pos.length * half);
  for (let p = 0; p < pos.length; p++) {
    for (let j = 0; j < half; j++) {
      const angle = pos[p] * theta[j];
      cos[p * half + j] = scale * Math.cos(angle);
      sin[p * half + j] = scale * Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * cos/sin tables [P, headDim/2] for the given position ids. For dynamic NTK the sequence length
 * defaults to max(position) + 1; for YaRN cos and sin carry the attention factor.
 */
export function ropeTables(
  positions: Float64Array | number[] | number,
  headDim: number,
  options: RopeFrequencyOptions = {},
): RopeTables {
  const pos = positionIds(positions);
  let seqLen = options.seqLen;
  if (seqLen === undefined && options.scaling?.type === 'dynamic') {
    let max = 0;
    for (const p of pos) max = Math.max(max, p);
    seqLen = Math.floor(max) + 1;
  }
  const theta = ropeInverseFrequencies(headDim, { ...options, seqLen });
  const scale = options.scaling ? resolveScaling(options.scaling).attentionFactor : 1;
  return fillTables(pos, theta, scale);
}

/**
 * 2-D (axial) RoPE tables for a gridH x gridW patch grid, patches in row-major order: the first
 * half of the pairs rotate by the row index, the second half by the column index, each with the
 * frequencies of a headDim/2 RoPE. Returns [gridH * gridW, headDim/2]. headDim must be a multiple of 4.
 */
export function axialRopeTables(
  gridH: number,
  gridW: number,
  headDim: number,
  options: RopeFrequencyOptions = {},
): RopeTables {
  checkNumber('gridH', gridH, { min: 1, integer: true });
  checkNumber('gridW', gridW, { min: 1, integer: true });
  const d = checkHeadDim(headDim);
  if (d % 4 !== 0) throw new ConfigError(`axial RoPE needs headDim divisible by 4, got ${d}`);
  const quarter = d / 4;
  const rows = ropeTables(gridH, d / 2, options);
  const cols = ropeTables(gridW, d / 2, options);
  const half = d / 2;
  const cos = new Float32Array(gridH * gridW * half);
  const sin = new Float32Array(gridH * gridW * half);
  for (let r = 0; r < gridH; r++) {
    for (let c = 0; c < gridW; c++) {
      const o = (r * gridW + c) * half;
      cos.set(rows.cos.subarray(r * quarter, (r + 1) * quarter), o);
      sin.set(rows.sin.subarray(r * quarter, (r + 1) * quarter), o);
      cos.set(cols.cos.subarray(c * quarter, (c + 1) * quarter), o + quarter);
      sin.set(cols.sin.subarray(c * quarter, (c + 1) * quarter), o + quarter);
    }
  }
  return { cos, sin };
}

/** Interleaved rotation of `rows` rows (Eq. 13/14): out[2j] = a cos - b sin, out[2j+1] = a sin + b cos. */
function rotateInterleaved(x: Float32Array, out: Float32Array, t: RopeTables, P: number, half: number): void {
  const { cos, sin } = t;
  const d = 2 * half;
  const rows = x.length / d;
  for (let r = 0, p = 0; r < rows; r++) {
    const o = r * d;
    const to = p * half;
    for (let j = 0; j < half; j++) {
      const c = cos[to + j];
      const s = sin[to + j];
      const a = x[o + 2 * j];
      const b = x[o + 2 * j + 1];
      out[o + 2 * j] = a * c - b * s;
      out[o + 2 * j + 1] = a * s + b * c;
    }
    p = p + 1 === P ? 0 : p + 1;
  }
}

/** Half-split rotation (rotate_half): out[j] = a cos - b sin, out[j + d/2] = b cos + a sin. */
function rotateHalf(x: Float32Array, out: Float32Array, t: RopeTables, P: number, half: number): void {
  const { cos, sin } = t;
  const d = 2 * half;
  const rows = x.length / d;
  for (let r = 0, p = 0; r < rows; r++) {
    const o = r * d;
    const oh = o + half;
    const to = p * half;
    for (let j = 0; j < half; j++) {
      const c = cos[to + j];
      const s = sin[to + j];
      const a = x[o + j];
      const b = x[oh + j];
      out[o + j] = a * c - b * s;
      out[oh + j] = b * c + a * s;
    }
    p = p + 1 === P ? 0 : p + 1;
  }
}

/** Internal: the fused kernel once shapes are known. */
function rotate(x: Float32Array, tables: RopeTables, P: number, half: number, layout: RopeLayout): Float32Array {
  const out = new Float32Array(x.length);
  if (layout === 'interleaved') rotateInterleaved(x, out, tables, P, half);
  else rotateHalf(x, out, tables, P, half);
  return out;
}

/**
 * Rotates x, row-major [..., P, headDim], with precomputed tables [P, headDim/2] in one pass and
 * returns a new Float32Array (x is not modified). Leading dimensions (batch, heads) are any size.
 */
export function applyRopeWithTables(
  x: Float32Array,
  tables: RopeTables,
  headDim: number,
  layout: RopeLayout = 'interleaved',
): Float32Array {
  const d = checkHeadDim(headDim);
  checkOneOf('layout', layout, ROPE_LAYOUTS);
  const half = d / 2;
  const n = tables.cos.length;
  if (n !== tables.sin.length || n === 0 || n % half !== 0) {
    throw new ShapeError(`RoPE tables must both be [P, ${half}], got cos ${n}, sin ${tables.sin.length} elements`);
  }
  const P = n / half;
  if (!(x instanceof Float32Array) || x.length === 0 || x.length % (P * d) !== 0) {
    throw new ShapeError(`x must be a Float32Array [..., ${P}, ${d}], got ${show(x)}`);
  }
  return rotate(x, tables, P, half, layout);
}

/**
 * RoPE on x, row-major [..., P, headDim]: `applyRope(q, { headDim: 128, positions: 4096, layout: 'half' })`.
 * Returns a new Float32Array; options add base (default 10000) and scaling (linear/dynamic/yarn/llama3).
 */
export function applyRope(x: ArrayLike<number>, options: ApplyRopeOptions): Float32Array {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`applyRope options must be an object { headDim, positions, ... }, got ${show(options)}`);
  }
  const d = checkHeadDim(options.headDim);
  const layout = checkOneOf('layout', options.layout ?? 'interleaved', ROPE_LAYOUTS);
  const pos = positionIds(options.positions);
  const P = pos.length;
  if (x == null || typeof x.length !== 'number' || x.length === 0 || x.length % (P * d) !== 0) {
    throw new ShapeError(
      `x must be row-major [..., ${P} positions, ${d}] (length a multiple of ${P * d}), got length ${x?.length}`,
    );
  }
  const tables = ropeTables(pos, d, options);
  const xf = x instanceof Float32Array ? x : Float32Array.from(x);
  return rotate(xf, tables, P, d / 2, layout);
}

/**
 * Row order that converts a projection's rows from layout `from` to layout `to` within each
 * head: W_to[i] = W_from[perm[i]]. interleaved -> half for d = 8: [0, 2, 4, 6, 1, 3, 5, 7].
 */
export function ropeRowPermutation(headDim: number, from: RopeLayout, to: RopeLayout): Int32Array {
  const d = checkHeadDim(headDim);
  checkOneOf('from', from, ROPE_LAYOUTS);
  checkOneOf('to', to, ROPE_LAYOUTS);
  const half = d / 2;
  const perm = new Int32Array(d);
  for (let i = 0; i < d; i++) {
    if (from === to) perm[i] = i;
    else if (from === 'interleaved') perm[i] = i < half ? 2 * i : 2 * (i - half) + 1;
    else perm[i] = (i % 2) * half + (i >> 1);
  }
  return perm;
}

/**
 * Permutes the rows of W_q or W_k (row-major [heads * headDim, inDim]) from layout `from` to
 * `to`, head by head, so attention scores stay identical after the layout change.
 */
export function permuteRopeRows(
  w: Float32Array,
  inDim: number,
  headDim: number,
  from: RopeLayout,
  to: RopeLayout,
): Float32Array {
  checkNumber('inDim', inDim, { min: 1, integer: true });
  const perm = ropeRowPermutation(headDim, from, to);
  if (w.length % (headDim * inDim) !== 0) {
    throw new ShapeError(`W must be [heads * ${headDim}, ${inDim}], got length ${w.length}`);
  }
  const out = new Float32Array(w.length);
  const heads = w.length / (headDim * inDim);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < headDim; i++) {
      const src = (h * headDim + perm[i]) * inDim;
      out.set(w.subarray(src, src + inDim), (h * headDim + i) * inDim);
    }
  }
  return out;
}
