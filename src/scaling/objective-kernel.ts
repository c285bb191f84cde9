/**
 * The Huber objective's per-run loops in WebAssembly, for `huberValueAndGradient` (objective.ts):
 * the runs live in one wasm memory; per evaluation exp(a - alpha log N) and exp(b - beta log D) per
 * distinct size and log s per run come from core/vector-math's kernels bound to that memory, and two
 * scalar float64 loops do the rest in the same operation order as the formulas below, so the
 * results equal a plain JavaScript loop bit for bit. Checked in test/scaling/objective.test.ts.
 */

import { type VectorKernels, vectorKernels } from '../core/vector-math.js';
import {
  assembleModule,
  ensureMemory,
  F64,
  I32,
  instantiateSync,
  loopUntil,
  op,
  type WasmFunction,
} from '../core/wasm.js';

// ---------- sums: s_i = p1 + p2 + exp(e) with p1 = pN[iN[i]], p2 = pD[iD[i]] ----------

const get = op.get;
/** 8 i (f64 offset) and 4 i (i32 offset) of run i held in local `i`. */
const f64At = (base: number, i: number) => [...get(base), ...get(i), ...op.i32(3), ...op.i32Shl, ...op.i32Add];
const i32At = (base: number, i: number) => [...get(base), ...get(i), ...op.i32(2), ...op.i32Shl, ...op.i32Add];
/** table[index[i]] for a distinct-value table of float64 and an int32 index array. */
const gather = (table: number, index: number, i: number) => [
  ...[...get(table), ...i32At(index, i), ...op.i32Load(), ...op.i32(3), ...op.i32Shl, ...op.i32Add],
  ...op.f64Load(),
];

/** Loop over runs i < n (local `i`, `n`): `body` per run. */
const runLoop = (i: number, n: number, body: number[][]) =>
  loopUntil([...get(i), ...get(n), ...op.i32GeU], body, [[...get(i), ...op.i32(1), ...op.i32Add, ...op.set(i)]]);

// sums(iN, iD, pN, pD, sums, n, expE); local 7 = i
const SUMS: WasmFunction = {
  name: 'sums',
  params: [I32, I32, I32, I32, I32, I32, F64],
  results: [],
  locals: [I32],
  body: runLoop(7, 5, [
    [...f64At(4, 7), ...gather(2, 0, 7), ...gather(3, 1, 7), ...op.f64Add, ...get(6), ...op.f64Add, ...op.f64Store()],
  ]),
};

// ---------- huber: the Huber terms and the gradient ----------

// parameters: pointers, n, then theta, delta, exp(e)
const [IN_, ID_, PN, PD, SUM, LOGS, LOGN, LOGD, LOGL, W, OUT, N] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const [A, B, E, ALPHA, BETA, DELTA, EXPE] = [12, 13, 14, 15, 16, 17, 18];
// locals
const [I, WI, S, P1, P2, P3, LSE, T1, T2, M, R, H, C] = [19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];
const ACC = [32, 33, 34, 35, 36, 37]; // f, ga, gb, ge, gAlpha, gBeta
const [EXP, LOG] = [0, 1]; // imported Math.exp, Math.log

/** local = local + (value on the stack), or minus. */
const accumulate = (local: number, value: number[], sign: 1 | -1) => [
  ...get(local),
  ...value,
  ...(sign > 0 ? op.f64Add : op.f64Sub),
  ...op.set(local),
];

/**
 * Per run with weight w != 0: lse = log s (or, when s over/underflows, m + log s' with the terms
 * shifted by m = max(t1, t2, e)); r = log L - lse; h = clamp(r, -delta, delta); f += w h (r - h/2);
 * c = -w h / s; g += c (p1, p2, p3, -p1 log N, -p2 log D).
 */
const HUBER: WasmFunction = {
  name: 'huber',
  params: [...new Array(12).fill(I32), ...new Array(7).fill(F64)],
  results: [],
  locals: [I32, ...new Array(18).fill(F64)],
  body: [
    ...runLoop(I, N, [
      [...f64At(W, I), ...op.f64Load(), ...op.tee(WI), ...op.f64Const(0), ...op.f64Ne],
      op.if,
      [...f64At(SUM, I), ...op.f64Load(), ...op.set(S), ...f64At(LOGS, I), ...op.f64Load(), ...op.set(LSE)],
      [...gather(PN, IN_, I), ...op.set(P1), ...gather(PD, ID_, I), ...op.set(P2), ...get(EXPE), ...op.set(P3)],
      [...get(S), ...op.f64Const(1e-290), ...op.f64Gt, ...get(S), ...op.f64Const(1e290), ...op.f64Lt, ...op.i32And],
      [...op.i32Eqz, ...op.if],
      [...get(A), ...get(ALPHA), ...f64At(LOGN, I), ...op.f64Load(), ...op.f64Mul, ...op.f64Sub, ...op.set(T1)],
      [...get(B), ...get(BETA), ...f64At(LOGD, I), ...op.f64Load(), ...op.f64Mul, ...op.f64Sub, ...op.set(T2)],
      [...get(T1), ...get(T2), ...op.f64Max, ...get(E), ...op.f64Max, ...op.set(M)],
      [...get(T1), ...get(M), ...op.f64Sub, ...op.call(EXP), ...op.set(P1)],
      [...get(T2), ...get(M), ...op.f64Sub, ...op.call(EXP), ...op.set(P2)],
      [...get(E), ...get(M), ...op.f64Sub, ...op.call(EXP), ...op.set(P3)],
      [...get(P1), ...get(P2), ...op.f64Add, ...get(P3), ...op.f64Add, ...op.set(S)],
      [...get(M), ...get(S), ...op.call(LOG), ...op.f64Add, ...op.set(LSE)],
      op.end,
      [...f64At(LOGL, I), ...op.f64Load(), ...get(LSE), ...op.f64Sub, ...op.set(R)],
      [...get(R), ...get(DELTA), ...op.f64Neg, ...op.f64Max, ...get(DELTA), ...op.f64Min, ...op.set(H)],
      accumulate(
        ACC[0],
        [
          ...get(WI),
          ...get(H),
          ...get(R),
          ...op.f64Const(0.5),
          ...get(H),
          ...op.f64Mul,
          ...op.f64Sub,
          ...op.f64Mul,
          ...op.f64Mul,
        ],
        1,
      ),
      [...get(WI), ...op.f64Neg, ...get(H), ...op.f64Mul, ...get(S), ...op.f64Div, ...op.set(C)],
      accumulate(ACC[1], [...get(C), ...get(P1), ...op.f64Mul], 1),
      accumulate(ACC[2], [...get(C), ...get(P2), ...op.f64Mul], 1),
      accumulate(ACC[3], [...get(C), ...get(P3), ...op.f64Mul], 1),
      accumulate(ACC[4], [...get(C), ...get(P1), ...op.f64Mul, ...f64At(LOGN, I), ...op.f64Load(), ...op.f64Mul], -1),
      accumulate(ACC[5], [...get(C), ...get(P2), ...op.f64Mul, ...f64At(LOGD, I), ...op.f64Load(), ...op.f64Mul], -1),
      op.end,
    ]),
    ...ACC.map((local, k) => [...get(OUT), ...get(local), ...op.f64Store(8 * k)]),
  ],
};

// ---------- the driver ----------

/** What the kernel needs of one data set: distinct log N and log D, each run's index into them. */
export interface KernelRuns {
  logN: Float64Array;
  logD: Float64Array;
  logL: Float64Array;
  vN: Float64Array;
  iN: Int32Array;
  vD: Float64Array;
  iD: Int32Array;
}

/** Byte offsets of the loaded data set's arrays (float64 arrays padded to pairs). */
interface Layout {
  runs: KernelRuns;
  n: number;
  at: Record<
    'vN' | 'pN' | 'vD' | 'pD' | 'iN' | 'iD' | 'logN' | 'logD' | 'logL' | 'w' | 'sums' | 'logs' | 'out',
    number
  >;
  /** The weight region holds ones (false after a weighted call). */
  unitWeights: boolean;
}

interface Kernel {
  vec: VectorKernels;
  sums: (...args: number[]) => void;
  huber: (...args: number[]) => void;
  layout: Layout | null;
  heap: Float64Array;
}

let kernel: Kernel | undefined;

function compile(): Kernel {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const imports = { env: { memory, exp: Math.exp, log: Math.log } };
  const bytes = assembleModule([SUMS, HUBER], {
    importMemory: true,
    imports: [
      { name: 'exp', params: [F64], results: [F64] },
      { name: 'log', params: [F64], results: [F64] },
    ],
  });
  const exports = instantiateSync(bytes, imports) as unknown as Pick<Kernel, 'sums' | 'huber'>;
  return {
    vec: vectorKernels(memory),
    sums: exports.sums,
    huber: exports.huber,
    layout: null,
    heap: new Float64Array(0),
  };
}

const pairsOf = (n: number) => 2 * Math.ceil(n / 2);

/** Places `runs` in the kernel memory (once per data set: later calls with the same object reuse it). */
function load(k: Kernel, runs: KernelRuns): Layout {
  const n = runs.logL.length;
  const sizes = {
    vN: pairsOf(runs.vN.length),
    pN: pairsOf(runs.vN.length),
    vD: pairsOf(runs.vD.length),
    pD: pairsOf(runs.vD.length),
    iN: Math.ceil(n / 2), // int32 arrays in float64 slots
    iD: Math.ceil(n / 2),
    ...{ logN: n, logD: n, logL: n, w: n, sums: pairsOf(n), logs: pairsOf(n), out: 6 },
  };
  const at = {} as Layout['at'];
  let offset = 0;
  for (const [key, size] of Object.entries(sizes)) {
    at[key as keyof Layout['at']] = 8 * offset;
    offset += size;
  }
  ensureMemory(k.vec.memory, 8 * offset);
  k.heap = new Float64Array(k.vec.memory.buffer);
  const heap = k.heap;
  const ints = new Int32Array(k.vec.memory.buffer);
  heap.fill(1, 0, offset); // padding lanes: harmless values for exp and log
  heap.set(runs.vN, at.vN / 8);
  heap.set(runs.vD, at.vD / 8);
  ints.set(runs.iN, at.iN / 4);
  ints.set(runs.iD, at.iD / 4);
  for (const key of ['logN', 'logD', 'logL'] as const) heap.set(runs[key], at[key] / 8);
  return { runs, n, at, unitWeights: true };
}

/**
 * The fused value and gradient of the Huber objective (see objective.ts) for `runs`, parameters
 * (a, b, e, alpha, beta) and optional per-run weights; writes the gradient into `grad`.
 */
export function huberKernel(
  runs: KernelRuns,
  theta: ArrayLike<number>,
  delta: number,
  grad: Float64Array,
  weights?: Float64Array,
): number {
  kernel ??= compile();
  const k = kernel;
  if (k.layout?.runs !== runs) k.layout = load(k, runs);
  const L = k.layout;
  const { at, n } = L;
  if (weights) {
    k.heap.set(weights, at.w / 8);
    L.unitWeights = false;
  } else if (!L.unitWeights) {
    k.heap.fill(1, at.w / 8, at.w / 8 + n);
    L.unitWeights = true;
  }
  const [a, b, e, alpha, beta] = [theta[0], theta[1], theta[2], theta[3], theta[4]];
  const expE = Math.exp(e);
  k.vec.expAffine(at.vN, at.pN, pairsOf(runs.vN.length) / 2, a, alpha);
  k.vec.expAffine(at.vD, at.pD, pairsOf(runs.vD.length) / 2, b, beta);
  k.sums(at.iN, at.iD, at.pN, at.pD, at.sums, n, expE);
  k.vec.log(at.sums, at.logs, pairsOf(n) / 2);
  k.huber(
    at.iN,
    at.iD,
    at.pN,
    at.pD,
    at.sums,
    at.logs,
    at.logN,
    at.logD,
    at.logL,
    at.w,
    at.out,
    n,
    a,
    b,
    e,
    alpha,
    beta,
    delta,
    expE,
  );
  const out = at.out / 8;
  for (let j = 0; j < 5; j++) grad[j] = k.heap[out + 1 + j];
  return k.heap[out];
}
