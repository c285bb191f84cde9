/**
 * The one module that talks to onnxruntime-node: loads an ONNX graph once per run (device ->
 * execution providers, threads, graph optimisation), reads input/output names, dtypes and shapes
 * from the session metadata, converts our Float32Array / Int32Array tensors to the dtypes the graph
 * wants (float16 as IEEE 754 binary16 bits, int64 as BigInt64Array) and back, and times every run.
 * Checked on tiny generated graphs (test/core/onnx.test.ts and test/pipeline/, written by core/onnx-graph.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { ConfigError, checkNumber, InputError, ModelMathError, ShapeError } from './errors.js';
import { GRAPH_OPTIMIZATIONS, type OnnxOptions } from './onnx-options.js';
import { f16BitsToFloat, floatToF16Bits } from './safetensors.js';

export { GRAPH_OPTIMIZATIONS, type GraphOptimization, type OnnxOptions } from './onnx-options.js';

/** One input or output as the model declares it: dtype ('float32', 'float16', 'int64', ...) and dims (number or symbolic name). */
export interface TensorInfo {
  name: string;
  dtype: string;
  shape: (number | string)[];
}

/** A tensor on our side: float data is always Float32Array, integer data Int32Array. */
export interface HostTensor {
  data: Float32Array | Int32Array;
  dims: number[];
}

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

/** float32 -> IEEE 754 binary16 bits per element (`floatToF16Bits`: nearest even, overflow -> Inf, NaN -> 0x7e00). */
export function toFloat16Bits(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = floatToF16Bits(src[i]);
  return out;
}

/** IEEE 754 binary16 bits -> float32; per element `f16BitsToFloat`. */
export function fromFloat16Bits(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f16BitsToFloat(src[i]);
  return out;
}

/** Our tensor as an ort.Tensor of the dtype the graph declares. */
function toOrt(t: HostTensor, info: TensorInfo): ort.Tensor {
  const { data, dims } = t;
  switch (info.dtype) {
    case 'float32':
      return new ort.Tensor('float32', data instanceof Float32Array ? data : Float32Array.from(data), dims);
    case 'float16':
      return new ort.Tensor(
        'float16',
        toFloat16Bits(data instanceof Float32Array ? data : Float32Array.from(data)),
        dims,
      );
    case 'int32':
      return new ort.Tensor('int32', data instanceof Int32Array ? data : Int32Array.from(data, Math.round), dims);
    case 'int64':
      return new ort.Tensor(
        'int64',
        BigInt64Array.from(data, (v) => BigInt(Math.round(v))),
        dims,
      );
    default:
      throw new InputError(
        `input ${JSON.stringify(info.name)} has dtype ${info.dtype}; supported: float32, float16, int32, int64`,
      );
  }
}

/** An ort.Tensor back as our tensor (float16/float64 -> Float32Array, integers -> Int32Array). */
function fromOrt(name: string, t: ort.Tensor): HostTensor {
  const dims = t.dims.map(Number);
  switch (t.type) {
    case 'float32':
      return { data: t.data as Float32Array, dims };
    case 'float16':
      return {
        data: t.data instanceof Uint16Array ? fromFloat16Bits(t.data) : Float32Array.from(t.data as ArrayLike<number>),
        dims,
      };
    case 'float64':
      return { data: Float32Array.from(t.data as Float64Array), dims };
    case 'int32':
      return { data: t.data as Int32Array, dims };
    case 'int64':
      return { data: Int32Array.from(t.data as BigInt64Array, Number), dims };
    default:
      throw new ModelMathError(`output ${JSON.stringify(name)} has unsupported dtype ${t.type}`);
  }
}

function describe(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, dtype: m.type, shape: [...m.shape] }
      : { name: m.name, dtype: 'non-tensor', shape: [] },
  );
}

/**
 * What model code may use of a loaded graph (the pipeline and the causal LM type against this, so
 * that another backend, e.g. onnxruntime-web in the browser, can stand in for `OnnxModel`).
 */
export interface OnnxSession {
  readonly path: string;
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  /** Total milliseconds spent inside `run`. */
  readonly runMs: number;
  /** Number of `run` calls. */
  readonly runs: number;
  input(name: string): TensorInfo;
  output(name: string, fallbackToFirst?: boolean): TensorInfo;
  run(feeds: Record<string, HostTensor>, outputNames?: string[]): Promise<Record<string, HostTensor>>;
  dispose(): Promise<void>;
}

/** One loaded ONNX graph. Create with `OnnxModel.load`, release with `dispose()`. */
export class OnnxModel implements OnnxSession {
  /** Total milliseconds spent inside `run`. */
  runMs = 0;
  /** Number of `run` calls. */
  runs = 0;
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];

  private constructor(
    readonly path: string,
    private session: ort.InferenceSession | null,
  ) {
    this.inputs = describe(session?.inputMetadata ?? []);
    this.outputs = describe(session?.outputMetadata ?? []);
  }

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
      return new OnnxModel(path, session);
    } catch (err) {
      const reason = (err as Error).message?.split('\n')[0] ?? String(err);
      const on = device === 'cpu' ? '' : ` on device ${device} (providers ${eps.join(', ')})`;
      throw new InputError(`cannot load ONNX model ${path}${on}: ${reason}`, { cause: err });
    }
  }

  /** The declared input named `name`; throws listing the inputs the graph has. */
  input(name: string): TensorInfo {
    const info = this.inputs.find((i) => i.name === name);
    if (!info) {
      throw new InputError(
        `${this.path} has no input ${JSON.stringify(name)}; its inputs are: ${this.inputs.map((i) => i.name).join(', ')}`,
      );
    }
    return info;
  }

  /** The output named `name`, else (when `name` is absent and `fallbackToFirst`) the first output. */
  output(name: string, fallbackToFirst = true): TensorInfo {
    const info = this.outputs.find((o) => o.name === name) ?? (fallbackToFirst ? this.outputs[0] : undefined);
    if (!info) {
      throw new InputError(
        `${this.path} has no output ${JSON.stringify(name)}; its outputs are: ${this.outputs.map((o) => o.name).join(', ')}`,
      );
    }
    return info;
  }

  /** Runs the graph; feeds are converted to the declared dtypes, outputs come back as float32 / int32. */
  async run(feeds: Record<string, HostTensor>, outputNames?: string[]): Promise<Record<string, HostTensor>> {
    if (!this.session) throw new ModelMathError(`${this.path}: the session was disposed`);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const info of this.inputs) {
      const t = feeds[info.name];
      if (!t) throw new InputError(`${this.path}: missing feed for input ${JSON.stringify(info.name)}`);
      checkDims(this.path, info, t.dims);
      ortFeeds[info.name] = toOrt(t, info);
    }
    const t0 = performance.now();
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = outputNames ? await this.session.run(ortFeeds, outputNames) : await this.session.run(ortFeeds);
    } catch (err) {
      throw new ModelMathError(`${this.path}: inference failed: ${(err as Error).message?.split('\n')[0]}`, 1, {
        cause: err,
      });
    } finally {
      this.runMs += performance.now() - t0;
      this.runs += 1;
    }
    const out: Record<string, HostTensor> = {};
    for (const [name, value] of Object.entries(result)) out[name] = fromOrt(name, value as ort.Tensor);
    return out;
  }

  /** Releases the native session. */
  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await s.release();
  }
}

/** Throws a ShapeError when a feed contradicts a fixed dimension of the declared input. */
function checkDims(path: string, info: TensorInfo, dims: number[]): void {
  const fixed = info.shape;
  const bad =
    fixed.length > 0 &&
    (fixed.length !== dims.length || fixed.some((d, i) => typeof d === 'number' && d > 0 && d !== dims[i]));
  if (bad) {
    throw new ShapeError(
      `${path}: input ${JSON.stringify(info.name)} expects shape [${fixed.join(', ')}], got [${dims.join(', ')}]`,
    );
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
