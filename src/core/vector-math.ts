/**
 * exp and log over Float64Arrays, two lanes per WebAssembly SIMD instruction: the algorithms of
 * fdlibm's e_exp.c and e_log.c (Sun Microsystems 1993; what V8's Math.exp / Math.log run), with
 * the argument reduction done lane-wise and the branches replaced by selects. Used by the
 * scaling-law objective (hundreds of exp and log per evaluation), which binds them to its own
 * memory (`vectorKernels`). Where SIMD does not validate, scalar kernels call Math.exp / Math.log.
 * Checked against Math.exp / Math.log in test/core/vector-math.test.ts.
 */

import { ModelMathError } from './errors.js';
import {
  assembleModule,
  ensureMemory,
  F64,
  f64x2Const,
  I32,
  i64x2Const,
  instantiateSync,
  loopUntil,
  op,
  V128,
  type WasmFunction,
} from './wasm.js';

/** exp arguments are clamped to [-EXP_LIMIT, EXP_LIMIT]: results stay finite and normal (e^±700 ≈ 1e±304). */
export const EXP_LIMIT = 700;

// fdlibm constants (e_exp.c, e_log.c), written as the shortest decimals of the same doubles
const LN2_HI = 0.6931471803691238; // 0x3fe62e42 fee00000
const LN2_LO = 1.9082149292705877e-10; // 0x3dea39ef 35793c76
const INV_LN2 = Math.LOG2E;
const EXP_P = [0.16666666666666602, -0.0027777777777015593, 0.00006613756321437934];
const EXP_P45 = [-0.0000016533902205465252, 4.1381367970572385e-8];
const LG = [
  0.6666666666666735, 0.3999999999940942, 0.2857142874366239, 0.22222198432149784, 0.1818357216161805,
  0.15313837699209373, 0.14798198605116586,
];

// Locals: parameters (in, out, pairs, then expAffine's c, k) and v128 scratch from index 5.
const [IN, OUT, PAIRS] = [0, 1, 2];
const [X, T, HI, LO, R, TT, C, Y, BITS, HX, K, I, F, S, Z, W, CS, KS] = [
  5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
];
const SCRATCH = new Array(18).fill(V128);

const get = op.get;

/** Vector constants, hoisted into locals that are set once before the loop (V8 rebuilds a v128.const at each use). */
interface Constants {
  f64: (value: number) => number[];
  i64: (value: bigint) => number[];
}

/** A kernel over pairs: `compute(k)` builds the loop body with constants from `k`; locals = pad + scratch + constants. */
function pairKernel(
  name: string,
  params: number[],
  compute: (k: Constants) => number[][],
  setup: number[][] = [],
): WasmFunction {
  const first = 5 + SCRATCH.length;
  const values: number[][] = [];
  const index = new Map<string, number>();
  const ref = (bytes: number[]) => {
    const key = bytes.join();
    if (!index.has(key)) {
      index.set(key, first + values.length);
      values.push(bytes);
    }
    return get(index.get(key) as number);
  };
  const body = pairLoop(simdPair(compute({ f64: (v) => ref(f64x2Const(v)), i64: (v) => ref(i64x2Const(v)) })));
  const pad = new Array(5 - params.length).fill(V128);
  return {
    name,
    params,
    results: [],
    locals: [...pad, ...SCRATCH, ...values.map(() => V128)],
    body: [...setup, ...values.map((bytes, j) => [...bytes, ...op.set(first + j)]), ...body],
  };
}

/** Loops over `pairs` pairs of float64: `perPair` reads at IN and writes at OUT; then in += 16, out += 16. */
const pairLoop = (perPair: number[][]) =>
  loopUntil([...get(PAIRS), ...op.i32Eqz], perPair, [
    [...get(IN), ...op.i32(16), ...op.i32Add, ...op.set(IN)],
    [...get(OUT), ...op.i32(16), ...op.i32Add, ...op.set(OUT)],
    [...get(PAIRS), ...op.i32(1), ...op.i32Sub, ...op.set(PAIRS)],
  ]);

/** A SIMD pair: X = load(in); store(out, compute(X)). */
const simdPair = (compute: number[][]) => [
  [...get(IN), ...op.v128Load(), ...op.set(X)],
  [...get(OUT), ...compute.flat(), ...op.v128Store()],
];

/** Horner: c0 + v (c1 + v (c2 + ...)) with v a local; leaves the value on the stack. */
function horner(k: Constants, v: number, coefficients: number[]): number[] {
  const rev = [...coefficients].reverse();
  const out = [...k.f64(rev[0])];
  for (const c of rev.slice(1)) out.push(...get(v), ...op.f64x2Mul, ...k.f64(c), ...op.f64x2Add);
  return out;
}

/**
 * exp(X) as e_exp.c: k = trunc(X / ln2 ± 1/2), r = (X - k ln2_hi) - k ln2_lo,
 * c = r - r^2 P(r^2), y = 1 - ((lo - r c / (2 - c)) - hi), result y 2^k (2^k built from its bits).
 */
const expOfX = (k: Constants): number[][] => [
  [...get(X), ...k.f64(EXP_LIMIT), ...op.f64x2Min, ...k.f64(-EXP_LIMIT), ...op.f64x2Max, ...op.set(X)],
  // halF[sign]: 0.5 with the sign of X
  [...get(X), ...k.f64(INV_LN2), ...op.f64x2Mul, ...get(X), ...k.i64(-(2n ** 63n)), ...op.v128And],
  [...k.f64(0.5), ...op.v128Or, ...op.f64x2Add, ...op.f64x2Trunc, ...op.set(T)],
  [...get(X), ...get(T), ...k.f64(LN2_HI), ...op.f64x2Mul, ...op.f64x2Sub, ...op.set(HI)],
  [...get(T), ...k.f64(LN2_LO), ...op.f64x2Mul, ...op.set(LO)],
  [...get(HI), ...get(LO), ...op.f64x2Sub, ...op.tee(R), ...get(R), ...op.f64x2Mul, ...op.set(TT)],
  [...get(R), ...horner(k, TT, [...EXP_P, ...EXP_P45]), ...get(TT), ...op.f64x2Mul, ...op.f64x2Sub, ...op.set(C)],
  [
    ...k.f64(1),
    ...get(LO),
    ...get(R),
    ...get(C),
    ...op.f64x2Mul,
    ...k.f64(2),
    ...get(C),
    ...op.f64x2Sub,
    ...op.f64x2Div,
  ],
  [...op.f64x2Sub, ...get(HI), ...op.f64x2Sub, ...op.f64x2Sub, ...op.set(Y)],
  // 2^k = bits (k + 1023) << 52, k in [-1010, 1010] after the clamp
  [...get(Y), ...get(T), ...op.i32x4TruncSatF64x2SZero, ...op.i64x2ExtendLowI32x4S, ...k.i64(1023n)],
  [...op.i64x2Add, ...op.i32(52), ...op.i64x2Shl, ...op.f64x2Mul],
];

/** exp(c - k v) for each v: arguments c, k (float64) after in, out, pairs. */
const expAffineKernel = pairKernel(
  'expAffine',
  [I32, I32, I32, F64, F64],
  (k) => [[...get(CS), ...get(KS), ...get(X), ...op.f64x2Mul, ...op.f64x2Sub, ...op.set(X)], ...expOfX(k)],
  [
    [...get(3), ...op.f64x2Splat, ...op.set(CS)],
    [...get(4), ...op.f64x2Splat, ...op.set(KS)],
  ],
);

/**
 * log(X) for positive normal X as e_log.c: X = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)),
 * s = f / (2 + f), R = polynomial in s^2; result k ln2_hi - ((s (f - R) - k ln2_lo) - f), or the
 * half-square form k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f) where e_log.c uses it.
 */
const logOfX = (k: Constants): number[][] => [
  [...get(X), ...op.tee(BITS), ...op.i32(32), ...op.i64x2ShrU, ...op.tee(HX)],
  [...op.i32(20), ...op.i64x2ShrU, ...k.i64(1023n), ...op.i64x2Sub, ...op.set(K)],
  [...get(HX), ...k.i64(0xfffffn), ...op.v128And, ...op.set(HX)],
  [...get(HX), ...k.i64(0x95f64n), ...op.i64x2Add, ...k.i64(0x100000n), ...op.v128And, ...op.set(I)],
  // x or x/2 normalised into [sqrt(2)/2, sqrt(2)): high word hx | (i ^ 0x3ff00000), low word kept
  [...get(HX), ...get(I), ...k.i64(0x3ff00000n), ...op.v128Xor, ...op.v128Or, ...op.i32(32), ...op.i64x2Shl],
  [...get(BITS), ...k.i64(0xffffffffn), ...op.v128And, ...op.v128Or, ...k.f64(1), ...op.f64x2Sub, ...op.set(F)],
  [...get(K), ...get(I), ...op.i32(20), ...op.i64x2ShrU, ...op.i64x2Add, ...op.set(K)],
  [...get(F), ...k.f64(2), ...get(F), ...op.f64x2Add, ...op.f64x2Div, ...op.tee(S), ...get(S), ...op.f64x2Mul],
  [...op.tee(Z), ...get(Z), ...op.f64x2Mul, ...op.set(W)],
  // R = z (Lg1 + w (Lg3 + w (Lg5 + w Lg7))) + w (Lg2 + w (Lg4 + w Lg6))
  [...get(Z), ...horner(k, W, [LG[0], LG[2], LG[4], LG[6]]), ...op.f64x2Mul],
  [...get(W), ...horner(k, W, [LG[1], LG[3], LG[5]]), ...op.f64x2Mul, ...op.f64x2Add, ...op.set(R)],
  // dk = k as float64: the low 32 bits of each int64 lane into lanes 0, 1, converted
  [...get(K), ...get(K), ...op.shuffle([0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11])],
  [...op.f64x2ConvertLowI32x4S, ...op.set(T)],
  // plain form: dk ln2_hi - ((s (f - R) - dk ln2_lo) - f)  -> Y
  [...get(T), ...k.f64(LN2_HI), ...op.f64x2Mul, ...get(S), ...get(F), ...get(R), ...op.f64x2Sub, ...op.f64x2Mul],
  [
    ...get(T),
    ...k.f64(LN2_LO),
    ...op.f64x2Mul,
    ...op.f64x2Sub,
    ...get(F),
    ...op.f64x2Sub,
    ...op.f64x2Sub,
    ...op.set(Y),
  ],
  // half-square form with hfsq = 0.5 f^2  -> C
  [...k.f64(0.5), ...get(F), ...op.f64x2Mul, ...get(F), ...op.f64x2Mul, ...op.set(HI)],
  [...get(T), ...k.f64(LN2_HI), ...op.f64x2Mul, ...get(HI), ...get(S), ...get(HI), ...get(R), ...op.f64x2Add],
  [...op.f64x2Mul, ...get(T), ...k.f64(LN2_LO), ...op.f64x2Mul, ...op.f64x2Add, ...op.f64x2Sub, ...get(F)],
  [...op.f64x2Sub, ...op.f64x2Sub, ...op.set(C)],
  // e_log.c takes the half-square form when (hx - 0x6147a) | (0x6b851 - hx) > 0 (32-bit)
  [...get(HX), ...k.i64(0x6147an), ...op.i64x2Sub, ...k.i64(0x6b851n), ...get(HX), ...op.i64x2Sub],
  [...op.v128Or, ...op.i32(32), ...op.i64x2Shl, ...k.i64(0n), ...op.i64x2GtS, ...op.set(I)],
  [...get(C), ...get(Y), ...get(I), ...op.v128Bitselect],
];

/** log(x) for each x (its locals are padded to expAffine's layout, so that scratch indices agree). */
const logKernel = pairKernel('log', [I32, I32, I32], logOfX);

/** Imports of the scalar stand-ins: Math.exp and Math.log, function indices 0 and 1. */
const MATH_IMPORTS = [
  { name: 'exp', params: [F64], results: [F64] },
  { name: 'log', params: [F64], results: [F64] },
];

/** Scalar stand-in (the same signature): `value(offset)` maps in[offset] to the result, two values per pair. */
function scalarKernel(name: string, params: number[], value: (at: number) => number[]): WasmFunction {
  const store = (at: number) => [...get(OUT), ...value(at), ...op.f64Store(at)];
  return { name, params, results: [], locals: [], body: pairLoop([store(0), store(8)]) };
}

const scalarExp = scalarKernel('expAffine', [I32, I32, I32, F64, F64], (at) => [
  ...[...get(3), ...get(4), ...get(IN), ...op.f64Load(at), ...op.f64Mul, ...op.f64Sub],
  ...[...op.f64Const(EXP_LIMIT), ...op.f64Min, ...op.f64Const(-EXP_LIMIT), ...op.f64Max, ...op.call(0)],
]);
const scalarLog = scalarKernel('log', [I32, I32, I32], (at) => [...get(IN), ...op.f64Load(at), ...op.call(1)]);

/** The kernels over pairs of float64 at byte addresses of one memory (input and output may coincide). */
export interface VectorKernels {
  memory: WebAssembly.Memory;
  /** out[j] = exp(c - k in[j]) for 2 pairs values, the argument clamped to [-EXP_LIMIT, EXP_LIMIT]. */
  expAffine: (input: number, output: number, pairs: number, c: number, k: number) => void;
  /** out[j] = log(in[j]) for 2 pairs values; exact for positive normal values, unspecified for others. */
  log: (input: number, output: number, pairs: number) => void;
  /** Whether the SIMD kernels run (else scalar stand-ins calling Math.exp / Math.log, the same values). */
  simd: boolean;
}

/**
 * The kernels bound to `memory` (shared with the caller's own kernels): SIMD where it validates,
 * else (or with `simd: false`) the scalar stand-ins.
 */
export function vectorKernels(memory: WebAssembly.Memory, options: { simd?: boolean } = {}): VectorKernels {
  const imports = { env: { memory, exp: Math.exp, log: Math.log } };
  const simd =
    options.simd === false
      ? null
      : instantiateSync(assembleModule([expAffineKernel, logKernel], { importMemory: true }), imports);
  const exports =
    simd ??
    instantiateSync(assembleModule([scalarExp, scalarLog], { importMemory: true, imports: MATH_IMPORTS }), imports);
  if (!exports) throw new ModelMathError('WebAssembly is unavailable: vector exp/log cannot run');
  const { expAffine, log } = exports as unknown as VectorKernels;
  return { memory, expAffine, log, simd: simd !== null };
}

let shared: VectorKernels | undefined;
let heapView = new Float64Array(0);

/** Copies `x` to byte 0 of the shared kernels' memory; the output goes right after the padded input. */
function stage(x: Float64Array): { k: VectorKernels; pairs: number } {
  shared ??= vectorKernels(new WebAssembly.Memory({ initial: 1 }));
  const pairs = Math.ceil(x.length / 2);
  ensureMemory(shared.memory, 32 * pairs);
  if (heapView.buffer !== shared.memory.buffer) heapView = new Float64Array(shared.memory.buffer);
  heapView.set(x, 0);
  if (x.length % 2) heapView[x.length] = 1; // a harmless value in the padding lane
  return { k: shared, pairs };
}

/** out[j] = exp(c - k values[j]), the argument clamped to [-EXP_LIMIT, EXP_LIMIT]. */
export function expAffine(values: Float64Array, c: number, k: number, out: Float64Array): Float64Array {
  const { k: kernels, pairs } = stage(values);
  kernels.expAffine(0, 16 * pairs, pairs, c, k);
  out.set(heapView.subarray(2 * pairs, 2 * pairs + values.length));
  return out;
}

/** out[i] = log(x[i]) for any x (positive normal values by the kernel, the rest through Math.log). */
export function logInto(x: Float64Array, out: Float64Array): Float64Array {
  const { k: kernels, pairs } = stage(x);
  kernels.log(0, 16 * pairs, pairs);
  out.set(heapView.subarray(2 * pairs, 2 * pairs + x.length));
  for (let i = 0; i < x.length; i++) if (!(x[i] >= 2.2250738585072014e-308 && x[i] < Infinity)) out[i] = Math.log(x[i]);
  return out;
}
