/**
 * The one module that talks to onnxruntime-node: loads an ONNX graph from a file once per run
 * (device -> execution providers, threads, graph optimisation) into the runtime-independent
 * session of ./onnx-session.ts (dtype conversions, dims checks, timing), which onnxruntime-web
 * shares in the browser (./onnx-web.ts). Also a synchronous session over in-memory graph bytes for
 * the training engine's matmul kernel (`loadSyncSession`, test/nn/engine-matmul.test.ts). Checked on
 * tiny generated graphs (test/core/onnx.test.ts and test/pipeline/, written by core/onnx-graph.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { ConfigError, checkNumber, InputError, ModelMathError } from './errors.js';
import { GRAPH_OPTIMIZATIONS, type OnnxOptions } from './onnx-options.js';
import { type HostTensor, OrtSession } from './onnx-session.js';

export { GRAPH_OPTIMIZATIONS, type GraphOptimization, type OnnxOptions } from './onnx-options.js';
export {
  fromFloat16Bits,
  type HostTensor,
  type OnnxSession,
  type TensorInfo,
  toFloat16Bits,
} from './onnx-session.js';

/** Devices the installed onnxruntime-node ships, with their execution provider lists (CPU always last as fallback). */
export function supportedDevices(): Record<string, string[]> {
  const out: Record<string, string[]> = { cpu: ['cpu'] };
  for (const b of ort.listSupportedBackends()) {
    if (b.bundled && b.name !== 'cpu') out[b.name] = [b.name, 'cpu'];
  }
  return out;
}

/** The execution providers of a device name; throws with the list of supported devices. */
export function executionProviders(device: string): string[] {
  const devices = supportedDevices();
  const eps = devices[device];
  if (!eps) {
    throw new ConfigError(
      `device ${JSON.stringify(device)} is not available; supported devices: ${Object.keys(devices).join(', ')}`,
    );
  }
  return eps;
}

/** One loaded ONNX graph on onnxruntime-node. Create with `OnnxModel.load`, release with `dispose()`. */
export class OnnxModel extends OrtSession {
  /** Loads `path` (missing, empty or corrupt files are InputErrors naming the file). */
  static async load(path: string, options: OnnxOptions = {}): Promise<OnnxModel> {
    const device = options.device ?? 'cpu';
    const threads = checkNumber('threads', options.threads ?? 0, { min: 0, max: 256, integer: true });
    const level = options.graphOptimization ?? 'all';
    if (!GRAPH_OPTIMIZATIONS.includes(level)) {
      throw new ConfigError(
        `graphOptimization must be one of ${GRAPH_OPTIMIZATIONS.join(', ')}, got ${JSON.stringify(level)}`,
      );
    }
    const eps = executionProviders(device);
    if (!existsSync(path) || !statSync(path).isFile()) throw new InputError(`ONNX model not found: ${path}`);
    try {
      const session = await ort.InferenceSession.create(path, {
        executionProviders: eps,
        graphOptimizationLevel: level,
        ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
        logSeverityLevel: 3,
      });
      return new OnnxModel(path, session, ort.Tensor);
    } catch (err) {
      const reason = (err as Error).message?.split('\n')[0] ?? String(err);
      const on = device === 'cpu' ? '' : ` on device ${device} (providers ${eps.join(', ')})`;
      throw new InputError(`cannot load ONNX model ${path}${on}: ${reason}`, { cause: err });
    }
  }
}

/** Whether ONNX Runtime loads here, its version and the execution providers its binary ships. */
export function onnxRuntimeInfo(): { loads: boolean; version: string; backends: string } {
  try {
    const backends = ort.listSupportedBackends?.() ?? [];
    return {
      loads: typeof ort.InferenceSession?.create === 'function',
      version: ort.env.versions?.node ?? 'unknown',
      backends: backends
        .filter((b) => b.bundled)
        .map((b) => b.name)
        .join(', '),
    };
  } catch (err) {
    return { loads: false, version: `failed: ${(err as Error).message}`, backends: '' };
  }
}

/**
 * A session that runs synchronously, writing into caller-owned output buffers. Inputs and outputs
 * are float32 views (they may be views of another engine's memory: nothing is copied on our side).
 */
export interface SyncSession {
  run(inputs: Record<string, HostTensor>, outputs: Record<string, HostTensor>): void;
  dispose(): void;
}

/** onnxruntime-node's native session: its JavaScript API only wraps this synchronous call in a Promise. */
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor>, options: object): unknown;
  dispose(): void;
}
interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt: () => void;
}

let nativeBinding: NativeBinding | null | undefined;

/** The native binding of the installed onnxruntime-node (dist/binding.js), or null where it cannot be loaded. */
function loadBinding(): NativeBinding | null {
  if (nativeBinding === undefined) {
    try {
      nativeBinding = createRequire(import.meta.url)('onnxruntime-node/dist/binding.js') as NativeBinding;
      nativeBinding.initOrt();
    } catch {
      nativeBinding = null;
    }
  }
  return nativeBinding;
}

/**
 * Loads graph bytes into a synchronous CPU session with `threads` intra-op threads (idle threads
 * sleep instead of spinning, so a shared machine is not kept busy); null when the native binding
 * is unavailable, so that callers can keep another path.
 */
export function loadSyncSession(bytes: Uint8Array, threads: number): SyncSession | null {
  checkNumber('threads', threads, { min: 1, max: 256, integer: true });
  const native = loadBinding();
  if (!native) return null;
  let session: NativeSession | null;
  try {
    session = new native.binding.InferenceSession();
    session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch {
    return null; // a binding whose interface changed: the caller keeps its other path
  }
  const wrap = (t: HostTensor) => new ort.Tensor('float32', t.data as Float32Array, t.dims);
  const wrapAll = (m: Record<string, HostTensor>) =>
    Object.fromEntries(Object.entries(m).map(([k, t]) => [k, wrap(t)]));
  return {
    run(inputs, outputs) {
      if (!session) throw new ModelMathError('the synchronous ONNX session was disposed');
      session.run(wrapAll(inputs), wrapAll(outputs), {});
    },
    dispose() {
      session?.dispose();
      session = null;
    },
  };
}
