/**
 * The training engine: TensorFlow.js with the WebAssembly backend; under Node its large matmuls run
 * on ONNX Runtime's CPU kernels (engine-matmul.ts; decision and measurements in
 * docs/parts/engine.md, bench/engine/engine.ts). Only this module loads tfjs packages and chooses
 * the backend; everything trained in modelmath calls `await getTf()` once and then uses the
 * returned namespace (or `tfSync()` after that).
 *
 * Engine rule (memory and ownership), followed by every function in nn/ and expected of callers:
 * 1. Tensors made inside `tf.tidy(() => ...)` are freed when the callback returns, except the
 *    returned tensor(s); compute losses and forward passes inside tidy.
 * 2. Tensors kept across steps (parameters, optimiser moments) are `tf.Variable`s; their owner
 *    disposes them exactly once (`disposeParams(tree)` for a parameter tree).
 * 3. A function that returns a tensor hands ownership to its caller; a function never disposes
 *    tensors it was given.
 * 4. Read values back with `dataSync()`/`arraySync()` only at step boundaries (one sync per step),
 *    and outside `tf.tidy`: never return a TypedArray or big JS array from a tidy callback (tfjs walks
 *    the returned value element by element looking for tensors; a 1024² matmul read back inside
 *    tidy measured 1.7 instead of 20+ GFLOPS). `readAndDispose(tf.tidy(() => ...))` does this.
 *
 * Additions to stock tfjs-wasm made here (measured in docs/parts/engine.md):
 * - under Node, matmuls of at least 2^16 multiply-adds run on ONNX Runtime (MLAS), in place on the
 *   wasm heap, with `MODELMATH_THREADS` (default 1) intra-op threads: the paper-size physics
 *   encoder's [1280, 5600]·[5600, 1000] went from 0.7 s to about 0.13 s (`configureMatMul` in
 *   engine-matmul.ts); in a browser page every matmul stays on the wasm kernels;
 * - an `UnsortedSegmentSum` kernel (in JS) so that `tf.gather` has a gradient on wasm (it is the
 *   gradient of gather; the stock wasm backend lacks it);
 * - matmuls with `transposeA/transposeB` (all matmul gradients) transpose explicitly and then take
 *   the fast path: x^T·dy for [128, 5600]^T·[128, 1000] went from 0.71 s to 0.05 s.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ModelMathError } from './errors.js';

export type Tf = typeof tf;
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
export type Scalar = tf.Scalar;

let ready: Promise<Tf> | null = null;
let initialised = false;

/** Σ over equal segment ids: out[s, :] = Σ_{i: ids[i] = s} x[i, :]; ids outside [0, S) are dropped (TF semantics). */
function unsortedSegmentSumWasm(args: {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  attrs: { numSegments: number };
  backend: tf.KernelBackend;
}): tf.TensorInfo {
  const { x, segmentIds } = args.inputs;
  const backend = args.backend as tf.KernelBackend & {
    readSync(id: tf.DataId): unknown;
    makeOutput(shape: number[], dtype: tf.DataType, offset?: number, values?: ArrayLike<number>): tf.TensorInfo;
  };
  const numSegments = args.attrs.numSegments;
  const ids = backend.readSync(segmentIds.dataId) as ArrayLike<number>;
  const values = backend.readSync(x.dataId) as ArrayLike<number>;
  const inner = ids.length === 0 ? 0 : values.length / ids.length;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    for (let j = 0; j < inner; j++) out[s * inner + j] += values[i * inner + j];
  }
  return backend.makeOutput(outShape, x.dtype, undefined, out);
}

const sizeOf = (t: tf.TensorInfo) => t.shape.reduce((x, y) => x * y, 1);

/**
 * The same matmul kernel, but transposed operands are materialised first (wasm's transposed
 * matmul path is ~10× slower). For a plain BatchMatMul it picks the cheaper of two forms:
 * op(A)·op(B) with the transposed operands copied, or (op(B)ᵀ·op(A)ᵀ)ᵀ, which copies the other
 * operands and the output. For dX = dY·Wᵀ with a large W, the second form avoids copying W.
 */
function withExplicitTransposes(kernel: tf.KernelConfig, allowSwap: boolean): tf.KernelConfig {
  const run = (args: Parameters<tf.KernelFunc>[0]) => {
    const { inputs, attrs, backend } = args as unknown as {
      inputs: Record<string, tf.TensorInfo>;
      attrs: { transposeA?: boolean; transposeB?: boolean };
      backend: tf.KernelBackend;
    };
    const [tA, tB] = [Boolean(attrs.transposeA), Boolean(attrs.transposeB)];
    if (!tA && !tB) return kernel.kernelFunc(args);
    const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
    const temps: tf.TensorInfo[] = [];
    const swapLast = (t: tf.TensorInfo, keep = false): tf.TensorInfo => {
      const r = t.shape.length;
      const perm = t.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
      const out = transpose({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
      if (!keep) temps.push(out);
      return out;
    };
    const matmul = (a: tf.TensorInfo, b: tf.TensorInfo) =>
      kernel.kernelFunc({
        ...args,
        inputs: { ...inputs, a, b },
        attrs: { ...attrs, transposeA: false, transposeB: false },
      } as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const { a, b } = inputs;
    const [ra, rb] = [a.shape.length, b.shape.length];
    const rows = tA ? a.shape[ra - 1] : a.shape[ra - 2];
    const cols = tB ? b.shape[rb - 2] : b.shape[rb - 1];
    const batch = Math.max(
      sizeOf(a) / (a.shape[ra - 1] * a.shape[ra - 2]),
      sizeOf(b) / (b.shape[rb - 1] * b.shape[rb - 2]),
    );
    const copyDirect = (tA ? sizeOf(a) : 0) + (tB ? sizeOf(b) : 0);
    const copySwapped = (tA ? 0 : sizeOf(a)) + (tB ? 0 : sizeOf(b)) + batch * rows * cols;
    let out: tf.TensorInfo;
    if (allowSwap && copySwapped < copyDirect) {
      const outT = matmul(tB ? b : swapLast(b), tA ? a : swapLast(a)); // [..., cols, rows]
      temps.push(outT);
      out = swapLast(outT, true);
    } else {
      out = matmul(tA ? swapLast(a) : a, tB ? swapLast(b) : b);
    }
    for (const t of temps) backend.disposeData(t.dataId);
    return out;
  };
  return { ...kernel, kernelFunc: run as tf.KernelFunc };
}

/** Wraps a BatchMatMul kernel function (the ONNX Runtime path of engine-matmul.ts), or undefined. */
type MatMulWrapper = ((kernel: tf.KernelFunc) => tf.KernelFunc) | undefined;

/**
 * engine-matmul.ts under Node, else undefined. It is Node-only (onnxruntime-node), so it is loaded
 * by a specifier that bundlers leave alone: the browser build of this module never contains it.
 */
async function nodeMatMul(): Promise<MatMulWrapper> {
  if (typeof process === 'undefined' || !process.versions?.node) return undefined;
  const specifier = ['.', 'engine-matmul.js'].join('/');
  const m = (await import(/* @vite-ignore */ specifier)) as typeof import('./engine-matmul.js');
  return m.withOnnxMatMul;
}

function registerMissingKernels(withMatMul: MatMulWrapper): void {
  // Matmuls with transposed operands (every matmul gradient, q·kᵀ) take the fast non-transposed path.
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const kernel = tf.getKernel(name, 'wasm');
    if (kernel && !(kernel as { wrapped?: boolean }).wrapped) {
      tf.unregisterKernel(name, 'wasm');
      // the swapped form would move _FusedMatMul's bias/activation onto the transposed output
      const wrapped = withExplicitTransposes(kernel, name === 'BatchMatMul');
      // large plain matmuls (BatchMatMul: every nn layer and gradient) go to ONNX Runtime under Node
      if (name === 'BatchMatMul' && withMatMul) wrapped.kernelFunc = withMatMul(wrapped.kernelFunc);
      tf.registerKernel({ ...wrapped, wrapped: true } as tf.KernelConfig);
    }
  }
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
    });
  }
}

/**
 * Where the wasm backend's .wasm files are served from, for a browser page (a URL prefix ending in
 * '/'); call before the first `getTf()`. Node finds them in the package and needs no call.
 */
export function setEngineWasmPath(prefix: string): void {
  if (ready) throw new ModelMathError('setEngineWasmPath must be called before the first getTf()');
  setWasmPaths(prefix);
}

/** The engine namespace with the wasm backend ready (falls back to 'cpu' only if wasm fails). */
export function getTf(): Promise<Tf> {
  if (!ready) {
    ready = (async () => {
      registerMissingKernels(await nodeMatMul());
      const ok = await tf.setBackend('wasm').catch(() => false);
      if (!ok) await tf.setBackend('cpu');
      await tf.ready();
      initialised = true;
      return tf;
    })();
  }
  return ready;
}

/** The engine namespace, synchronously; throws unless `await getTf()` has completed once. */
export function tfSync(): Tf {
  if (!initialised) throw new ModelMathError('the engine is not initialised: call `await getTf()` first');
  return tf;
}

/** A tensor's values, read outside any tidy (engine rule 4); the tensor is then disposed. */
export function readAndDispose(t: Tensor): Float32Array {
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

/** Name of the active backend ('wasm' normally). */
export function engineBackend(): string {
  return tf.getBackend();
}
