/**
 * The RoPE rotation kernels behind apply.ts, both layouts (lecture 17 Eq. 13/14; rotate_half):
 * a WebAssembly SIMD kernel (4 pairs per instruction) that streams x through a cache-sized tile of
 * its memory, so main memory is read once and written once as in a plain copy, and a scalar JS
 * kernel used where SIMD is unavailable or headDim/2 is not a multiple of 4. Both are checked
 * against the entry-by-entry formulas in test/rope/kernels.test.ts.
 */
import {
  assembleModule,
  ensureMemory,
  I32,
  instantiateSync,
  op,
  V128,
  type WasmFunction,
  wordLanes,
} from '../core/wasm.js';

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

// ---------- the SIMD kernels: in place on `rows` rows at byte address xp, table rows at cp / sp ----------

/** Locals shared by both kernels: parameters xp, cp, sp, rows, hb (= half * 4 bytes), then scratch. */
const [XP, CP, SP, ROWS, HB, J, PA, CV, SV, A, B, X0, X1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const PARAMS = [I32, I32, I32, I32, I32];
const LOCALS = [I32, I32, V128, V128, V128, V128];

/** Wraps a per-row body in the row loop: exit at rows = 0; after a row xp += 2 hb, cp += hb, sp += hb. */
function rowLoop(row: number[][]): number[][] {
  return [
    op.block,
    op.loop,
    [...op.get(ROWS), ...op.i32Eqz, ...op.brIf(1)],
    [...op.i32(0), ...op.set(J)],
    ...row,
    [...op.get(XP), ...op.get(HB), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.set(XP)],
    [...op.get(CP), ...op.get(HB), ...op.i32Add, ...op.set(CP)],
    [...op.get(SP), ...op.get(HB), ...op.i32Add, ...op.set(SP)],
    [...op.get(ROWS), ...op.i32(1), ...op.i32Sub, ...op.set(ROWS)],
    op.br(0),
    op.end,
    op.end,
  ];
}

/** cv = cos[j..j+3], sv = sin[j..j+3] (j in bytes). */
const loadTables = [
  [...op.get(CP), ...op.get(J), ...op.i32Add, ...op.v128Load(), ...op.set(CV)],
  [...op.get(SP), ...op.get(J), ...op.i32Add, ...op.v128Load(), ...op.set(SV)],
];
/** j += 16 bytes; loop while j < hb. */
const nextJ = [...op.get(J), ...op.i32(16), ...op.i32Add, ...op.tee(J), ...op.get(HB), ...op.i32LtU, ...op.brIf(0)];

/** The rotation of lanes (a, b) by (cv, sv): a cos - b sin ... */
const rotatedA = (a: number, b: number) => [
  ...[...op.get(a), ...op.get(CV), ...op.f32x4Mul, ...op.get(b), ...op.get(SV), ...op.f32x4Mul],
  ...op.f32x4Sub,
];
/** ... and a sin + b cos. */
const rotatedB = (a: number, b: number) => [
  ...[...op.get(a), ...op.get(SV), ...op.f32x4Mul, ...op.get(b), ...op.get(CV), ...op.f32x4Mul],
  ...op.f32x4Add,
];

/** Half-split: a = x[j..j+3], b = x[j+half..j+half+3] rotated in place; pa = xp + j. */
const halfKernel: WasmFunction = {
  name: 'half',
  params: PARAMS,
  results: [],
  locals: LOCALS,
  body: rowLoop([
    op.loop,
    ...loadTables,
    [...op.get(XP), ...op.get(J), ...op.i32Add, ...op.tee(PA), ...op.v128Load(), ...op.set(A)],
    [...op.get(PA), ...op.get(HB), ...op.i32Add, ...op.v128Load(), ...op.set(B)],
    [...op.get(PA), ...rotatedA(A, B), ...op.v128Store()],
    [...op.get(PA), ...op.get(HB), ...op.i32Add, ...rotatedB(A, B), ...op.v128Store()],
    nextJ,
    op.end,
  ]),
};

/**
 * Interleaved: x0 = (a0 b0 a1 b1) and x1 = (a2 b2 a3 b3) are split into a = (a0..a3) and
 * b = (b0..b3), rotated as in the half layout, and interleaved again; pa = xp + 2 j.
 */
const interleavedKernel: WasmFunction = {
  name: 'interleaved',
  params: PARAMS,
  results: [],
  locals: [...LOCALS, V128, V128],
  body: rowLoop([
    op.loop,
    ...loadTables,
    [...op.get(XP), ...op.get(J), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.tee(PA)],
    [...op.v128Load(0), ...op.set(X0), ...op.get(PA), ...op.v128Load(16), ...op.set(X1)],
    [...op.get(X0), ...op.get(X1), ...op.shuffle(wordLanes([0, 2, 4, 6])), ...op.set(A)],
    [...op.get(X0), ...op.get(X1), ...op.shuffle(wordLanes([1, 3, 5, 7])), ...op.set(B)],
    [...rotatedA(A, B), ...op.set(X0), ...rotatedB(A, B), ...op.set(X1)],
    [...op.get(PA), ...op.get(X0), ...op.get(X1), ...op.shuffle(wordLanes([0, 4, 1, 5])), ...op.v128Store(0)],
    [...op.get(PA), ...op.get(X0), ...op.get(X1), ...op.shuffle(wordLanes([2, 6, 3, 7])), ...op.v128Store(16)],
    nextJ,
    op.end,
  ]),
};

type SimdKernel = (xp: number, cp: number, sp: number, rows: number, hb: number) => void;
interface SimdModule {
  memory: WebAssembly.Memory;
  half: SimdKernel;
  interleaved: SimdKernel;
}

let simdModule: SimdModule | null | undefined;

/** The compiled SIMD module, or null where this runtime has no WebAssembly SIMD. */
export function ropeSimd(): SimdModule | null {
  if (simdModule === undefined) {
    const exports = instantiateSync(assembleModule([halfKernel, interleavedKernel]));
    simdModule = exports ? (exports as unknown as SimdModule) : null;
  }
  return simdModule;
}

/** Floats per tile (16 KiB): the tile and its table rows stay in the first-level caches. */
const TILE_FLOATS = 4096;

/**
 * SIMD kernel: copies the tables once (repeated so that a tile never wraps around P), then
 * streams x tile by tile: copy in, rotate in place, copy out into `out` (which may be x).
 * Needs half % 4 === 0.
 */
export function rotateSimd(module: SimdModule, { x, out, cos, sin, half, layout }: Rotation): void {
  const d = 2 * half;
  const P = cos.length / half;
  const rows = x.length / d;
  const tileRows = Math.max(1, Math.floor(TILE_FLOATS / d));
  const copies = Math.min(Math.ceil(rows / P), 1 + Math.ceil(tileRows / P)); // table periods held
  const tableFloats = copies * cos.length;
  const [cosAt, sinAt, tileAt] = [0, tableFloats, 2 * tableFloats]; // float offsets
  ensureMemory(module.memory, 4 * (tileAt + tileRows * d));
  const heap = new Float32Array(module.memory.buffer);
  for (let c = 0; c < copies; c++) {
    heap.set(cos, cosAt + c * cos.length);
    heap.set(sin, sinAt + c * cos.length);
  }
  const kernel = layout === 'interleaved' ? module.interleaved : module.half;
  const hb = 4 * half;
  for (let r = 0; r < rows; ) {
    const p = r % P;
    const n = Math.min(tileRows, rows - r, copies * P - p);
    heap.set(x.subarray(r * d, (r + n) * d), tileAt);
    kernel(4 * tileAt, 4 * (cosAt + p * half), 4 * (sinAt + p * half), n, hb);
    out.set(heap.subarray(tileAt, tileAt + n * d), r * d);
    r += n;
  }
}

/** Rotates with the SIMD kernel where available and half % 4 === 0, else with the scalar one. */
export function rotateInto(r: Rotation): void {
  const module = r.half % 4 === 0 ? ropeSimd() : null;
  if (module) rotateSimd(module, r);
  else rotateScalar(r);
}
