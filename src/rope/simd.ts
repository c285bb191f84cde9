/**
 * The WebAssembly SIMD RoPE kernels (lecture 17 Eq. 13/14; Hugging Face rotate_half), 4 floats per
 * instruction, on a block of positions for several heads at once, reading x at `src` and writing
 * at `dst` (equal for in place) in a memory the module imports, so one compiled module serves the
 * shared tile memory and every zero-copy buffer of kernels.ts. Addresses and sizes are in bytes.
 */
import { assembleModule, compileSync, I32, loopUntil, op, V128, type WasmFunction, wordLanes } from '../core/wasm.js';

/** Counted loop over `count` items (a local, counted down to 0): runs `body` while count > 0. */
const whileCount = (count: number, body: number[][]) =>
  loopUntil([...op.get(count), ...op.i32Eqz], body, [[...op.get(count), ...op.i32(1), ...op.i32Sub, ...op.set(count)]]);

/** local += step (both locals or a constant step). */
const addTo = (local: number, step: number[]) => [...op.get(local), ...step, ...op.i32Add, ...op.set(local)];

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

/** Heads per table load of the group kernels: rotating several heads at once keeps several memory streams in flight. */
export const GROUPS = [4, 2, 1] as const;
const swapPairs = op.shuffle(wordLanes([1, 0, 3, 2]));
/** SRC += k STRIDE, DST += k STRIDE (locals 0, 1 and stride). */
const nextGroup = (k: number, stride: number) => [
  ...addTo(0, [...op.get(stride), ...op.i32(k), ...op.i32Mul]),
  ...addTo(1, [...op.get(stride), ...op.i32(k), ...op.i32Mul]),
];
/** Pointer locals first[i] = base + i stride for i = 0..k-1. */
const spread = (k: number, base: number, first: (i: number) => number, stride: number) =>
  Array.from({ length: k }, (_, i) =>
    i === 0
      ? [...op.get(base), ...op.set(first(0))]
      : [...op.get(first(i - 1)), ...op.get(stride), ...op.i32Add, ...op.set(first(i))],
  ).flat();

/**
 * interleaved<k>(src, dst, t, nb, groups, stride): rotates `groups` groups of k heads (head blocks
 * of nb bytes, `stride` bytes apart): out = x cos2 + swap_pairs(x) sin2 with the expanded tables
 * at t, i.e. (a c - b s, b c + a s) per pair (a, b); one shuffle per 4 floats, tables loaded once per k heads.
 */
function interleavedKernel(k: number): WasmFunction {
  const [TC, BYTES, GROUPS_, STRIDE, PT, TEND, C, S, X] = [2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [ps, pd] = [(i: number) => 11 + 2 * i, (i: number) => 12 + 2 * i];
  const step = (offset: number) => [
    ...[
      ...op.get(PT),
      ...op.v128Load(2 * offset),
      ...op.set(C),
      ...op.get(PT),
      ...op.v128Load(2 * offset + 16),
      ...op.set(S),
    ],
    ...Array.from({ length: k }, (_, i) => [
      ...[...op.get(pd(i)), ...op.get(ps(i)), ...op.v128Load(offset), ...op.tee(X), ...op.get(C), ...op.f32x4Mul],
      ...[
        ...op.get(X),
        ...op.get(X),
        ...swapPairs,
        ...op.get(S),
        ...op.f32x4Mul,
        ...op.f32x4Add,
        ...op.v128Store(offset),
      ],
    ]).flat(),
  ];
  return {
    name: `interleaved${k}`,
    params: [I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, V128, V128, V128, ...Array(2 * k).fill(I32)],
    body: [
      [...op.get(TC), ...op.get(BYTES), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.set(TEND)],
      ...whileCount(GROUPS_, [
        [...spread(k, 0, ps, STRIDE), ...spread(k, 1, pd, STRIDE), ...op.get(TC), ...op.set(PT)],
        op.loop,
        step(0),
        step(16),
        Array.from({ length: k }, (_, i) => [...addTo(ps(i), op.i32(32)), ...addTo(pd(i), op.i32(32))]).flat(),
        [...addTo(PT, op.i32(64)), ...op.get(PT), ...op.get(TEND), ...op.i32LtU, ...op.brIf(0)],
        op.end,
        nextGroup(k, STRIDE),
      ]),
    ],
  };
}

/**
 * half<k>(src, dst, cp, sp, rows, hb, groups, stride): for `groups` groups of k heads, rows of
 * 2 hb bytes against table rows of hb bytes: a = x[j], b = x[j + d/2] -> (a c - b s, b c + a s).
 */
function halfKernel(k: number): WasmFunction {
  const [CP_, SP_, ROWS, HB, GROUPS_, STRIDE, R, HJ, TC, TS, C, S, A, B, PA, PB] = Array.from(
    { length: 16 },
    (_, i) => i + 2,
  );
  const [xs, xd] = [(i: number) => 18 + 2 * i, (i: number) => 19 + 2 * i];
  const head = (i: number) => [
    ...[...op.get(xs(i)), ...op.get(HJ), ...op.i32Add, ...op.tee(PA), ...op.v128Load(), ...op.set(A)],
    ...[...op.get(PA), ...op.get(HB), ...op.i32Add, ...op.v128Load(), ...op.set(B)],
    ...[...op.get(xd(i)), ...op.get(HJ), ...op.i32Add, ...op.tee(PB)],
    ...[...op.get(A), ...op.get(C), ...op.f32x4Mul, ...op.get(B), ...op.get(S), ...op.f32x4Mul, ...op.f32x4Sub],
    ...[...op.v128Store(), ...op.get(PB), ...op.get(HB), ...op.i32Add],
    ...[...op.get(B), ...op.get(C), ...op.f32x4Mul, ...op.get(A), ...op.get(S), ...op.f32x4Mul, ...op.f32x4Add],
    ...op.v128Store(),
  ];
  const twice = (local: number) => [...addTo(local, op.get(HB)), ...addTo(local, op.get(HB))];
  return {
    name: `half${k}`,
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, I32, V128, V128, V128, V128, I32, I32, ...Array(2 * k).fill(I32)],
    body: whileCount(GROUPS_, [
      [...spread(k, 0, xs, STRIDE), ...spread(k, 1, xd, STRIDE)],
      [...op.get(CP_), ...op.set(TC), ...op.get(SP_), ...op.set(TS), ...op.get(ROWS), ...op.set(R)],
      ...whileCount(R, [
        [...op.i32(0), ...op.set(HJ)],
        op.loop,
        [...op.get(TC), ...op.get(HJ), ...op.i32Add, ...op.v128Load(), ...op.set(C)],
        [...op.get(TS), ...op.get(HJ), ...op.i32Add, ...op.v128Load(), ...op.set(S)],
        ...Array.from({ length: k }, (_, i) => head(i)),
        [...op.get(HJ), ...op.i32(16), ...op.i32Add, ...op.tee(HJ), ...op.get(HB), ...op.i32LtU, ...op.brIf(0)],
        op.end,
        Array.from({ length: k }, (_, i) => [...twice(xs(i)), ...twice(xd(i))]).flat(),
        [...addTo(TC, op.get(HB)), ...addTo(TS, op.get(HB))],
      ]),
      nextGroup(k, STRIDE),
    ]),
  };
}

type Interleaved = (src: number, dst: number, t: number, nb: number, groups: number, stride: number) => void;
type Half = (
  src: number,
  dst: number,
  cp: number,
  sp: number,
  rows: number,
  hb: number,
  groups: number,
  stride: number,
) => void;

/** The kernels bound to one memory; interleaved[i] and half[i] take GROUPS[i] heads per group. */
export interface RopeKernels {
  memory: WebAssembly.Memory;
  expand(cp: number, sp: number, t: number, nb: number): void;
  interleaved: Interleaved[];
  half: Half[];
}

let compiled: WebAssembly.Module | null | undefined;

/** The kernels on `memory`, or null where this runtime has no WebAssembly SIMD. */
export function ropeKernels(memory: WebAssembly.Memory): RopeKernels | null {
  if (compiled === undefined) {
    const kernels = [expandKernel, ...GROUPS.map(interleavedKernel), ...GROUPS.map(halfKernel)];
    compiled = compileSync(assembleModule(kernels, { importMemory: true }));
  }
  if (!compiled) return null;
  const exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as Record<string, CallableFunction>;
  return {
    memory,
    expand: exports.expand as RopeKernels['expand'],
    interleaved: GROUPS.map((k) => exports[`interleaved${k}`] as Interleaved),
    half: GROUPS.map((k) => exports[`half${k}`] as Half),
  };
}
