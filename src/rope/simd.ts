/**
 * The WebAssembly SIMD RoPE kernels (lecture 17 Eq. 13/14; Hugging Face rotate_half), 4 floats per
 * instruction, on a block of positions for several heads at once, reading x at `src` and writing
 * at `dst` (equal for in place) in a memory the module imports, so one compiled module serves the
 * shared tile memory and every zero-copy buffer of kernels.ts. Addresses and sizes are in bytes.
 */
import { assembleModule, I32, op, V128, type WasmFunction, wordLanes } from '../core/wasm.js';

/** Counted loop over `count` items (a local, counted down to 0): runs `body` while count > 0. */
function whileCount(count: number, body: number[][]): number[][] {
  return [
    op.block,
    op.loop,
    [...op.get(count), ...op.i32Eqz, ...op.brIf(1)],
    ...body,
    [...op.get(count), ...op.i32(1), ...op.i32Sub, ...op.set(count)],
    op.br(0),
    op.end,
    op.end,
  ];
}

/** local += step (both locals or a constant step). */
const addTo = (local: number, step: number[]) => [...op.get(local), ...step, ...op.i32Add, ...op.set(local)];
/** local = a + b (locals). */
const sum = (local: number, a: number, b: number) => [...op.get(a), ...op.get(b), ...op.i32Add, ...op.set(local)];

/**
 * expand(cp, sp, t, nb): from compact tables cos, sin (nb bytes each) writes, per 4 pairs, the
 * duplicated cos2 = (c0 c0 c1 c1), signed sin2 = (-s0 s0 -s1 s1), then the same for pairs 2-3:
 * 4 nb bytes at t that the interleaved kernel multiplies lane by lane.
 */
const [CP, SP, T2, NB, J, T, V, NV] = [0, 1, 2, 3, 4, 5, 6, 7];
const expandKernel: WasmFunction = {
  name: 'expand',
  params: [I32, I32, I32, I32],
  results: [],
  locals: [I32, I32, V128, V128],
  body: [
    [...op.i32(0), ...op.set(J)],
    op.loop,
    [...op.get(SP), ...op.get(J), ...op.i32Add, ...op.v128Load(), ...op.tee(V), ...op.f32x4Neg, ...op.set(NV)],
    [...op.get(T2), ...op.get(J), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.tee(T)],
    [...op.get(NV), ...op.get(V), ...op.shuffle(wordLanes([0, 4, 1, 5])), ...op.v128Store(16)],
    [...op.get(T), ...op.get(NV), ...op.get(V), ...op.shuffle(wordLanes([2, 6, 3, 7])), ...op.v128Store(48)],
    [...op.get(CP), ...op.get(J), ...op.i32Add, ...op.v128Load(), ...op.set(V)],
    [...op.get(T), ...op.get(V), ...op.get(V), ...op.shuffle(wordLanes([0, 0, 1, 1])), ...op.v128Store(0)],
    [...op.get(T), ...op.get(V), ...op.get(V), ...op.shuffle(wordLanes([2, 2, 3, 3])), ...op.v128Store(32)],
    [...op.get(J), ...op.i32(16), ...op.i32Add, ...op.tee(J), ...op.get(NB), ...op.i32LtU, ...op.brIf(0)],
    op.end,
  ],
};

/**
 * interleaved(src, dst, t, nb, heads, stride): for each of `heads` blocks of nb bytes (one head's
 * rows of this position block, `stride` bytes apart), out = x cos2 + swap_pairs(x) sin2 with the
 * expanded tables at t, i.e. (a c - b s, b c + a s) per pair (a, b): one shuffle per 4 floats.
 */
const [SRC, DST, TC, BYTES, HEADS, STRIDE, PS, PD, PT, TEND, X] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const swapPairs = op.shuffle(wordLanes([1, 0, 3, 2]));
/** Four floats at byte `offset` of x with the cos2/sin2 vectors at table offsets 2 offset and 2 offset + 16. */
const interleavedStep = (offset: number) => [
  ...[...op.get(PD), ...op.get(PS), ...op.v128Load(offset), ...op.tee(X)],
  ...[...op.get(PT), ...op.v128Load(2 * offset), ...op.f32x4Mul],
  ...[...op.get(X), ...op.get(X), ...swapPairs, ...op.get(PT), ...op.v128Load(2 * offset + 16), ...op.f32x4Mul],
  ...[...op.f32x4Add, ...op.v128Store(offset)],
];
const interleavedKernel: WasmFunction = {
  name: 'interleaved',
  params: [I32, I32, I32, I32, I32, I32],
  results: [],
  locals: [I32, I32, I32, I32, V128],
  body: [
    [...op.get(TC), ...op.get(BYTES), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.set(TEND)],
    ...whileCount(HEADS, [
      [...op.get(SRC), ...op.set(PS), ...op.get(DST), ...op.set(PD), ...op.get(TC), ...op.set(PT)],
      op.loop,
      interleavedStep(0),
      interleavedStep(16),
      [...addTo(PS, op.i32(32)), ...addTo(PD, op.i32(32)), ...addTo(PT, op.i32(64))],
      [...op.get(PT), ...op.get(TEND), ...op.i32LtU, ...op.brIf(0)],
      op.end,
      [...addTo(SRC, op.get(STRIDE)), ...addTo(DST, op.get(STRIDE))],
    ]),
  ],
};

/**
 * half(src, dst, cp, sp, rows, hb, heads, stride): for each head, rows of 2 hb bytes against table
 * rows of hb bytes: a = x[j], b = x[j + d/2] -> (a c - b s, b c + a s).
 */
const [HSRC, HDST, HCP, HSP, ROWS, HB, HHEADS, HSTRIDE, R, HJ, XS, XD, HC, HS, PA, PB, A, B, C, S] = Array.from(
  { length: 20 },
  (_, i) => i,
);
const halfKernel: WasmFunction = {
  name: 'half',
  params: [I32, I32, I32, I32, I32, I32, I32, I32],
  results: [],
  locals: [I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128],
  body: whileCount(HHEADS, [
    [...op.get(HSRC), ...op.set(XS), ...op.get(HDST), ...op.set(XD)],
    [...op.get(HCP), ...op.set(HC), ...op.get(HSP), ...op.set(HS), ...op.get(ROWS), ...op.set(R)],
    ...whileCount(R, [
      [...op.i32(0), ...op.set(HJ)],
      op.loop,
      [...op.get(XS), ...op.get(HJ), ...op.i32Add, ...op.tee(PA), ...op.v128Load(), ...op.set(A)],
      [...op.get(PA), ...op.get(HB), ...op.i32Add, ...op.v128Load(), ...op.set(B)],
      [...op.get(HC), ...op.get(HJ), ...op.i32Add, ...op.v128Load(), ...op.set(C)],
      [...op.get(HS), ...op.get(HJ), ...op.i32Add, ...op.v128Load(), ...op.set(S)],
      [...op.get(XD), ...op.get(HJ), ...op.i32Add, ...op.tee(PB)],
      [...op.get(A), ...op.get(C), ...op.f32x4Mul, ...op.get(B), ...op.get(S), ...op.f32x4Mul, ...op.f32x4Sub],
      op.v128Store(),
      [...op.get(PB), ...op.get(HB), ...op.i32Add],
      [...op.get(B), ...op.get(C), ...op.f32x4Mul, ...op.get(A), ...op.get(S), ...op.f32x4Mul, ...op.f32x4Add],
      op.v128Store(),
      [...op.get(HJ), ...op.i32(16), ...op.i32Add, ...op.tee(HJ), ...op.get(HB), ...op.i32LtU, ...op.brIf(0)],
      op.end,
      [...addTo(XS, op.get(HB)), ...addTo(XS, op.get(HB)), ...addTo(XD, op.get(HB)), ...addTo(XD, op.get(HB))],
      [...addTo(HC, op.get(HB)), ...addTo(HS, op.get(HB))],
    ]),
    [...sum(HSRC, HSRC, HSTRIDE), ...sum(HDST, HDST, HSTRIDE)],
  ]),
};

/** The three kernels, bound to one memory. */
export interface RopeKernels {
  memory: WebAssembly.Memory;
  expand(cp: number, sp: number, t: number, nb: number): void;
  interleaved(src: number, dst: number, t: number, nb: number, heads: number, stride: number): void;
  half(src: number, dst: number, cp: number, sp: number, rows: number, hb: number, heads: number, stride: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The kernels on `memory`, or null where this runtime has no WebAssembly SIMD. */
export function ropeKernels(memory: WebAssembly.Memory): RopeKernels | null {
  if (compiled === undefined) {
    const bytes = assembleModule([expandKernel, interleavedKernel, halfKernel], { importMemory: true });
    compiled = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  if (!compiled) return null;
  const { exports } = new WebAssembly.Instance(compiled, { env: { memory } });
  return { ...(exports as unknown as Omit<RopeKernels, 'memory'>), memory };
}
