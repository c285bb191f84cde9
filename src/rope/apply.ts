/**
 * Applying RoPE to plain Float32Arrays: cos/sin tables per (position, pair), the fused rotation
 * in both checkpoint layouts, 2-D axial tables for image patches, and the W_q/W_k row permutation
 * that converts a checkpoint between layouts. interleaved pairs (2j, 2j+1): lecture 17 Eq. 13/14
 * (= Eq. 20/21 elementwise); half pairs (j, j + d/2): Hugging Face rotate_half. Checked against
 * the block-diagonal matrix of Eq. 10 and a relative-position property in test/rope. The rotation
 * itself is kernels.ts (WebAssembly SIMD, with a scalar JS fallback).
 */
import { ConfigError, checkFinite, checkNumber, checkOneOf, ShapeError, show } from '../core/errors.js';
import { checkHeadDim, type RopeFrequencyOptions, resolveScaling, ropeInverseFrequencies } from './frequencies.js';
import { rotateInto } from './kernels.js';

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

/** Positions between exact cos/sin evaluations when the ids are 0, 1, ..., P-1 (see fillTables). */
const RESEED = 64;

/**
 * Fills cos/sin of angle(p, j) = pos[p] * theta[j] (Eq. 9) times a scale, into [P, half] tables.
 * For consecutive ids 0..P-1 the angle advances by theta[j] per position, so the table is built by
 * the angle-addition formula (one complex multiply per entry) from exact values every RESEED
 * positions; in float64 the drift over RESEED steps is ~1e-14, far below float32 rounding.
 */
function fillTables(pos: Float64Array, theta: Float64Array, scale: number, consecutive: boolean): RopeTables {
  const half = theta.length;
  const cos = new Float32Array(pos.length * half);
  const sin = new Float32Array(pos.length * half);
  const stepC = theta.map(Math.cos);
  const stepS = theta.map(Math.sin);
  const c = new Float64Array(half);
  const s = new Float64Array(half);
  for (let p = 0, o = 0; p < pos.length; p++, o += half) {
    for (let j = 0; j < half; j++) {
      if (!consecutive || p % RESEED === 0) {
        c[j] = Math.cos(pos[p] * theta[j]);
        s[j] = Math.sin(pos[p] * theta[j]);
      } else {
        const cj = c[j];
        c[j] = cj * stepC[j] - s[j] * stepS[j];
        s[j] = s[j] * stepC[j] + cj * stepS[j];
      }
      cos[o + j] = scale * c[j];
      sin[o + j] = scale * s[j];
    }
  }
  return { cos, sin };
}

/**
 * cos/sin tables [P, headDim/2] for the given position ids. For dynamic NTK the sequence length
 * defaults to max(position) + 1; for YaRN cos and sin carry the attention factor.
 */
export function ropeTables(
  positions: number | ArrayLike<number>,
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
  return fillTables(pos, theta, scale, typeof positions === 'number');
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

/** Checks tables [P, headDim/2] and x [..., P, headDim]; returns P. */
function checkShapes(x: Float32Array, tables: RopeTables, half: number): number {
  const n = tables.cos?.length;
  if (!(tables.cos instanceof Float32Array) || !(tables.sin instanceof Float32Array)) {
    throw new ShapeError(`RoPE tables must be Float32Arrays { cos, sin }, got ${show(tables)}`);
  }
  if (n !== tables.sin.length || n === 0 || n % half !== 0) {
    throw new ShapeError(`RoPE tables must both be [P, ${half}], got cos ${n}, sin ${tables.sin.length} elements`);
  }
  const P = n / half;
  if (!(x instanceof Float32Array) || x.length === 0 || x.length % (P * 2 * half) !== 0) {
    throw new ShapeError(`x must be a Float32Array [..., ${P}, ${2 * half}], got ${show(x)}`);
  }
  return P;
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
  // A bad x is reported by applyRopeInto's shape check before the fresh buffer is used.
  return applyRopeInto(x, tables, headDim, layout, new Float32Array(x?.length ?? 0));
}

/**
 * `applyRopeWithTables` into a caller's buffer: writes RoPE(x) into `out` (same length as x) and
 * returns it. `out` may be x itself (in place), or a buffer reused across calls, as with
 * `torch.mul(..., out=buf)`; any other overlap of x and out is an error. Fastest when x and out are
 * views on one `ropeBuffer` (rotated where they are, no copy through WebAssembly memory).
 */
export function applyRopeInto(
  x: Float32Array,
  tables: RopeTables,
  headDim: number,
  layout: RopeLayout,
  out: Float32Array,
): Float32Array {
  const half = checkHeadDim(headDim) / 2;
  checkOneOf('layout', layout, ROPE_LAYOUTS);
  checkShapes(x, tables, half);
  if (!(out instanceof Float32Array) || out.length !== x.length) {
    throw new ShapeError(`out must be a Float32Array of x's length ${x.length}, got ${show(out)}`);
  }
  if (out !== x && overlaps(x, out)) {
    throw new ShapeError('out must be x itself or a buffer that does not overlap x');
  }
  rotateInto({ x, out, cos: tables.cos, sin: tables.sin, half, layout });
  return out;
}

/** Whether two views share any byte of the same buffer. */
function overlaps(a: Float32Array, b: Float32Array): boolean {
  return (
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
  );
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
  // The positions as given: a count takes ropeTables' consecutive (angle-addition) path.
  const tables = ropeTables(options.positions, d, options);
  const P = tables.cos.length / (d / 2);
  if (x == null || typeof x.length !== 'number' || x.length === 0 || x.length % (P * d) !== 0) {
    throw new ShapeError(
      `x must be row-major [..., ${P} positions, ${d}] (length a multiple of ${P * d}), got length ${x?.length}`,
    );
  }
  const xf = x instanceof Float32Array ? x : Float32Array.from(x);
  const out = new Float32Array(xf.length);
  rotateInto({ x: xf, out, cos: tables.cos, sin: tables.sin, half: d / 2, layout });
  return out;
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
