/**
 * The training engine's large matmuls on ONNX Runtime's CPU kernels: a BatchMatMul kernel for
 * TensorFlow.js's wasm backend that hands matmuls of at least `minMacs` multiply-adds to a
 * synchronous ONNX Runtime session (one small MatMul graph per transpose pattern),
 * reading both operands from and writing the result into the wasm heap in place. Smaller or
 * unsupported matmuls, and runtimes without the native binding, keep the wasm kernel. Measured in
 * docs/parts/engine.md; checked against the wasm kernel and finite differences in test/nn/engine-matmul.test.ts.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { checkNumber } from './errors.js';
import { loadSyncSession, type SyncSession } from './onnx.js';
import { OnnxGraphBuilder } from './onnx-graph.js';

export interface MatMulRouting {
  /** Intra-op threads of the ONNX Runtime sessions. Default: MODELMATH_THREADS, else 1. */
  threads: number;
  /** Smallest batch x M x N x K routed to ONNX Runtime (below it the wasm kernel's lower call cost wins). Default 2^16. */
  minMacs: number;
}

const routing: MatMulRouting = { threads: defaultThreads(), minMacs: 1 << 16 };
/** Sessions by transpose pattern (2 transposeA + transposeB); null = not loaded yet, [] = unavailable. */
let sessions: SyncSession[] | null = null;
/** Matmuls run by ONNX Runtime and by the wasm kernel since start-up (for benches and tests). */
export const matMulCounts = { onnx: 0, wasm: 0 };

function defaultThreads(): number {
  const env = Number(process.env.MODELMATH_THREADS);
  return Number.isInteger(env) && env >= 1 && env <= 256 ? env : 1;
}

/** Changes the routing (threads, size threshold); sessions are rebuilt at the next matmul. */
export function configureMatMul(options: Partial<MatMulRouting>): MatMulRouting {
  if (options.threads !== undefined) checkNumber('threads', options.threads, { min: 1, max: 256, integer: true });
  if (options.minMacs !== undefined) checkNumber('minMacs', options.minMacs, { min: 0 });
  Object.assign(routing, options);
  for (const s of sessions ?? []) s.dispose();
  sessions = null;
  return { ...routing };
}

/** The current routing and whether ONNX Runtime is available to it. */
export function matMulRouting(): MatMulRouting & { onnxRuntime: boolean } {
  return { ...routing, onnxRuntime: loaded().length > 0 };
}

/**
 * y = op(a) op(b) on rank-3 operands [batch, rows, cols] (batch 1 broadcasts), in standard ONNX:
 * Transpose (perm 0, 2, 1) where an operand is transposed, then MatMul; ONNX Runtime's optimiser
 * fuses the transposes into its FusedMatMul kernel, so no transposed copy is made.
 */
function matMulGraph(transA: boolean, transB: boolean): Uint8Array {
  const g = new OnnxGraphBuilder();
  const dims = (p: string) => [`${p}0`, `${p}1`, `${p}2`];
  const operand = (name: string, transposed: boolean) => {
    const x = g.input(name, 'float32', dims(name));
    return transposed ? g.op('Transpose', [x], { perm: { ints: [0, 2, 1] } }) : x;
  };
  const [a, b] = [operand('a', transA), operand('b', transB)];
  g.output('y', 'float32', dims('y'), g.op('MatMul', [a, b]));
  return g.build({ doc: `y = ${transA ? 'aᵀ' : 'a'} ${transB ? 'bᵀ' : 'b'} (modelmath engine)` });
}

function loaded(): SyncSession[] {
  if (sessions === null) {
    const made = [false, true].flatMap((tA) =>
      [false, true].map((tB) => loadSyncSession(matMulGraph(tA, tB), routing.threads)),
    );
    sessions = made.every((s) => s !== null) ? (made as SyncSession[]) : [];
  }
  return sessions;
}

/** What the wasm backend offers a kernel: output allocation and zero-copy views of the heap. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

const product = (dims: number[]) => dims.reduce((x, y) => x * y, 1);
const sameDims = (p: number[], q: number[]) => p.length === q.length && p.every((v, i) => v === q[i]);

/**
 * Wraps the wasm BatchMatMul kernel: float32 matmuls with at least `minMacs` multiply-adds whose
 * batch dimensions are equal (or one operand is a matrix) run on ONNX Runtime; the rest, and every
 * matmul when the native binding is missing, run on `fallback`.
 */
export function withOnnxMatMul(fallback: KernelFunc): KernelFunc {
  const kernel = (args: Parameters<KernelFunc>[0]) => {
    const { inputs, attrs, backend } = args as unknown as {
      inputs: { a: TensorInfo; b: TensorInfo };
      attrs: { transposeA?: boolean; transposeB?: boolean };
      backend: WasmBackend;
    };
    const { a, b } = inputs;
    const [tA, tB] = [Boolean(attrs.transposeA), Boolean(attrs.transposeB)];
    const [ra, rb] = [a.shape.length, b.shape.length];
    const [batchA, batchB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
    const [rows, inner] = tA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
    const [innerB, cols] = tB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
    const [ba, bb] = [product(batchA), product(batchB)];
    // anything else (other broadcasts, mismatched inner sizes: the wasm kernel reports them) stays on wasm
    const batchOk = (sameDims(batchA, batchB) || ra === 2 || rb === 2) && inner === innerB;
    const macs = Math.max(ba, bb) * rows * cols * inner;
    const eligible = a.dtype === 'float32' && b.dtype === 'float32' && batchOk && macs >= routing.minMacs && macs > 0;
    const session = eligible ? loaded()[2 * Number(tA) + Number(tB)] : undefined;
    if (!session) {
      matMulCounts.wasm++;
      return fallback(args);
    }
    const out = backend.makeOutput([...(ra >= rb ? batchA : batchB), rows, cols], 'float32');
    // views after makeOutput: allocating may grow the wasm memory and detach older views
    session.run(
      {
        a: { data: backend.typedArrayFromHeap(a), dims: [ba, a.shape[ra - 2], a.shape[ra - 1]] },
        b: { data: backend.typedArrayFromHeap(b), dims: [bb, b.shape[rb - 2], b.shape[rb - 1]] },
      },
      { y: { data: backend.typedArrayFromHeap(out), dims: [Math.max(ba, bb), rows, cols] } },
    );
    matMulCounts.onnx++;
    return out;
  };
  return kernel as KernelFunc;
}
