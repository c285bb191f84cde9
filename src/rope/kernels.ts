/**
 * Where the RoPE rotation runs (lecture 17 Eq. 13/14; rotate_half), both layouts: in place in the
 * WebAssembly memory of a `ropeBuffer` (zero copy: x read once, out written once), else through a
 * cache-sized tile of a shared wasm memory (copy in, rotate, copy out), with the SIMD kernels of
 * simd.ts; a scalar JS kernel where SIMD is unavailable or headDim/2 is not a multiple of 4. All
 * paths are checked against the entry-by-entry formulas in test/rope/kernels.test.ts.
 */
import { ConfigError, checkNumber } from '../core/errors.js';
import { ensureMemory } from '../core/wasm.js';
import { GROUPS, type RopeKernels, ropeKernels } from './simd.js';

export type KernelLayout = 'interleaved' | 'half';

/** One rotation: x [rows, 2 half] by tables [P, half] (row r uses position r mod P) into out (out may be x). */
export interface Rotation {
  x: Float32Array;
  out: Float32Array;
  cos: Float32Array;
  sin: Float32Array;
  half: number;
  layout: KernelLayout;
}

/** Scalar interleaved rotation: out[2j] = a cos - b sin, out[2j+1] = a sin + b cos, rows cycling over P positions. */
function scalarInterleaved(x: Float32Array, out: Float32Array, cos: Float32Array, sin: Float32Array, half: number) {
  const n = x.length;
  const d = 2 * half;
  const tEnd = cos.length;
  for (let o = 0, t = 0; o < n; o += d) {
    for (let i = o, k = t, end = o + d; i < end; i += 2, k++) {
      const c = cos[k];
      const s = sin[k];
      const a = x[i];
      const b = x[i + 1];
      out[i] = a * c - b * s;
      out[i + 1] = a * s + b * c;
    }
    t += half;
    if (t === tEnd) t = 0;
  }
}

/** Scalar half-split rotation (rotate_half): out[j] = a cos - b sin, out[j + d/2] = b cos + a sin. */
function scalarHalf(x: Float32Array, out: Float32Array, cos: Float32Array, sin: Float32Array, half: number) {
  const n = x.length;
  const d = 2 * half;
  const tEnd = cos.length;
  for (let o = 0, t = 0; o < n; o += d) {
    for (let i = o, k = t, end = o + half; i < end; i++, k++) {
      const c = cos[k];
      const s = sin[k];
      const a = x[i];
      const b = x[i + half];
      out[i] = a * c - b * s;
      out[i + half] = b * c + a * s;
    }
    t += half;
    if (t === tEnd) t = 0;
  }
}

/** Plain-JS kernel. */
export function rotateScalar({ x, out, cos, sin, half, layout }: Rotation): void {
  if (layout === 'interleaved') scalarInterleaved(x, out, cos, sin, half);
  else scalarHalf(x, out, cos, sin, half);
}

// ---------- SIMD: blocks of positions, all heads per block, the block's tables in cache ----------

/** Floats of one head's x per block (64 KiB): a block holds B = TILE_FLOATS / headDim positions. */
const TILE_FLOATS = 16384;

/** Float offsets in wasm memory of a block's compact tables [B, half], expanded tables [B, 2 d] and tile. */
interface Scratch {
  B: number;
  cAt: number;
  sAt: number;
  tAt: number;
  tileAt: number;
}

function scratchLayout(base: number, half: number, P: number): Scratch {
  const d = 2 * half;
  const B = Math.max(1, Math.min(P, Math.floor(TILE_FLOATS / d)));
  const sAt = base + B * half;
  const tAt = sAt + B * half;
  return { B, cAt: base, sAt, tAt, tileAt: tAt + 2 * B * d };
}

/**
 * Loads the tables of positions p0..p0+n-1 (expanded once for all heads in the interleaved layout)
 * and returns the rotation of those positions for `heads` heads (x at byte src, out at dst, heads
 * `stride` bytes apart), run in groups of GROUPS[0] heads, then smaller groups for the rest.
 */
function rotateBlock(k: RopeKernels, heap: Float32Array, s: Scratch, r: Rotation, p0: number, n: number) {
  const { cos, sin, half, layout } = r;
  heap.set(cos.subarray(p0 * half, (p0 + n) * half), s.cAt);
  heap.set(sin.subarray(p0 * half, (p0 + n) * half), s.sAt);
  if (layout === 'interleaved') k.expand(4 * s.cAt, 4 * s.sAt, 4 * s.tAt, 4 * n * half);
  return (src: number, dst: number, heads: number, stride: number) => {
    for (let g = 0, h = 0; g < GROUPS.length; g++) {
      const groups = Math.floor((heads - h) / GROUPS[g]);
      if (groups === 0) continue;
      const [from, to] = [src + h * stride, dst + h * stride];
      if (layout === 'interleaved') k.interleaved[g](from, to, 4 * s.tAt, 8 * n * half, groups, stride);
      else k.half[g](from, to, 4 * s.cAt, 4 * s.sAt, n, 4 * half, groups, stride);
      h += groups * GROUPS[g];
    }
  };
}

/**
 * Zero copy: x and out are views on the memory of `k`, tables at float `scratchAt`. Returns false
 * (the caller takes the tile path) when a block's tables do not fit, i.e. headDim > TILE_FLOATS.
 */
function rotateResident(k: RopeKernels, scratchAt: number, r: Rotation): boolean {
  const d = 2 * r.half;
  const P = r.cos.length / r.half;
  const s = scratchLayout(scratchAt, r.half, P);
  if (4 * s.tileAt > k.memory.buffer.byteLength) return false;
  const heap = new Float32Array(k.memory.buffer);
  const heads = r.x.length / (P * d);
  for (let p0 = 0; p0 < P; p0 += s.B) {
    const n = Math.min(s.B, P - p0);
    const rotate = rotateBlock(k, heap, s, r, p0, n);
    rotate(r.x.byteOffset + 4 * p0 * d, r.out.byteOffset + 4 * p0 * d, heads, 4 * P * d);
  }
  return true;
}

/**
 * Through a tile of the shared memory: per block of positions, each head's rows (or, when one block
 * holds all P positions, as many whole heads as fill a tile) are copied in, rotated and copied out.
 */
export function rotateTiled(k: RopeKernels, r: Rotation): void {
  const d = 2 * r.half;
  const P = r.cos.length / r.half;
  const s = scratchLayout(0, r.half, P);
  const perTile = s.B === P ? Math.max(1, Math.floor(TILE_FLOATS / (P * d))) : 1;
  ensureMemory(k.memory, 4 * (s.tileAt + perTile * s.B * d));
  const heap = new Float32Array(k.memory.buffer);
  const heads = r.x.length / (P * d);
  for (let p0 = 0; p0 < P; p0 += s.B) {
    const n = Math.min(s.B, P - p0);
    const rotate = rotateBlock(k, heap, s, r, p0, n);
    for (let h = 0; h < heads; h += perTile) {
      const at = (h * P + p0) * d;
      const len = Math.min(perTile, heads - h) * n * d; // contiguous: n === P whenever perTile > 1
      heap.set(r.x.subarray(at, at + len), s.tileAt);
      rotate(4 * s.tileAt, 4 * s.tileAt, len / (n * d), 4 * n * d);
      r.out.set(heap.subarray(s.tileAt, s.tileAt + len), at);
    }
  }
}

let shared: RopeKernels | null | undefined;

/** The kernels on the shared, growable tile memory; null where this runtime has no WebAssembly SIMD. */
export function sharedKernels(): RopeKernels | null {
  if (shared === undefined) shared = ropeKernels(new WebAssembly.Memory({ initial: 1 }));
  return shared;
}

// ---------- zero-copy buffers ----------

/** Scratch after a buffer's data: a block's compact and expanded tables (3 B d <= 3 TILE_FLOATS floats for d <= TILE_FLOATS). */
const SCRATCH_BYTES = 12 * TILE_FLOATS;
const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, the limit of a 32-bit WebAssembly memory

/** Kernels and scratch offset of each buffer's memory, by its ArrayBuffer (which never changes: no grow). */
const residents = new WeakMap<ArrayBufferLike, { kernels: RopeKernels; scratchAt: number }>();

/**
 * A zero-filled Float32Array of `length` floats that lives in its own WebAssembly memory, so that
 * `applyRopeInto(x, ..., out)` with x and out on it (the buffer itself or subarrays of it) rotates
 * with no copy. The memory is created at its final size with that size as its maximum: it can
 * never grow, so the array is never detached. Where SIMD is unavailable it is a plain Float32Array.
 */
export function ropeBuffer(length: number): Float32Array {
  checkNumber('length', length, { min: 1, integer: true });
  const dataBytes = 16 * Math.ceil(length / 4);
  const pages = Math.ceil((dataBytes + SCRATCH_BYTES) / PAGE);
  if (pages > MAX_PAGES) {
    throw new ConfigError(`ropeBuffer length must leave room in a 4 GiB WebAssembly memory, got ${length} floats`);
  }
  if (!sharedKernels()) return new Float32Array(length);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const kernels = ropeKernels(memory) as RopeKernels;
  residents.set(memory.buffer, { kernels, scratchAt: dataBytes / 4 });
  return new Float32Array(memory.buffer, 0, length);
}

/** Whether `a` is a view on a `ropeBuffer` memory. */
export function isRopeBuffer(a: Float32Array): boolean {
  return residents.has(a.buffer);
}

/**
 * Rotates by the fastest path: zero copy when x and out share a ropeBuffer memory, else the SIMD
 * tile path (half % 4 === 0), else the scalar kernel.
 */
export function rotateInto(r: Rotation): void {
  if (r.half % 4 === 0) {
    const resident = r.x.buffer === r.out.buffer ? residents.get(r.out.buffer) : undefined;
    if (resident && rotateResident(resident.kernels, resident.scratchAt, r)) return;
    const k = sharedKernels();
    if (k) {
      rotateTiled(k, r);
      return;
    }
  }
  rotateScalar(r);
}
