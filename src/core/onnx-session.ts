/**
 * One loaded ONNX graph behind the small interface model code types against (`OnnxSession`), for
 * any ONNX Runtime build: onnxruntime-node (core/onnx.ts) and onnxruntime-web (core/onnx-web.ts)
 * share onnxruntime-common's InferenceSession and Tensor. Converts our Float32Array / Int32Array
 * tensors to the dtypes the graph declares (float16 as IEEE 754 binary16 bits, int64 as
 * BigInt64Array) and back, checks fixed dims, and times every run. No Node API (the browser uses it).
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { InputError, ModelMathError, ShapeError } from './errors.js';
import { fromFloat16Bits, toFloat16Bits } from './float16.js';

export { fromFloat16Bits, toFloat16Bits } from './float16.js';

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

/**
 * What model code may use of a loaded graph (the pipeline and the causal LM type against this, so
 * that onnxruntime-node in Node and onnxruntime-web in the browser stand in for each other).
 */
export interface OnnxSession {
  /** The graph's file, as messages name it. */
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

/** The Tensor constructor of the runtime build in use (ort.Tensor of -node or -web). */
export type TensorClass = typeof Tensor;

/** Our tensor as a runtime Tensor of the dtype the graph declares. */
function toOrt(T: TensorClass, t: HostTensor, info: TensorInfo): Tensor {
  const { data, dims } = t;
  const floats = () => (data instanceof Float32Array ? data : Float32Array.from(data));
  switch (info.dtype) {
    case 'float32':
      return new T('float32', floats(), dims);
    case 'float16':
      return new T('float16', toFloat16Bits(floats()), dims);
    case 'int32':
      return new T('int32', data instanceof Int32Array ? data : Int32Array.from(data, Math.round), dims);
    case 'int64':
      return new T(
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

/** A runtime Tensor back as our tensor (float16/float64 -> Float32Array, integers -> Int32Array). */
function fromOrt(name: string, t: Tensor): HostTensor {
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

function describe(meta: readonly InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, dtype: m.type, shape: [...m.shape] }
      : { name: m.name, dtype: 'non-tensor', shape: [] },
  );
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

/** A loaded graph of either runtime build; made by `OnnxModel.load` (Node) or `loadWebSession` (browser). */
export class OrtSession implements OnnxSession {
  /** Total milliseconds spent inside `run`. */
  runMs = 0;
  /** Number of `run` calls. */
  runs = 0;
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];

  constructor(
    readonly path: string,
    private session: InferenceSession | null,
    private readonly TensorType: TensorClass,
  ) {
    this.inputs = describe(session?.inputMetadata ?? []);
    this.outputs = describe(session?.outputMetadata ?? []);
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
    const ortFeeds: Record<string, Tensor> = {};
    for (const info of this.inputs) {
      const t = feeds[info.name];
      if (!t) throw new InputError(`${this.path}: missing feed for input ${JSON.stringify(info.name)}`);
      checkDims(this.path, info, t.dims);
      ortFeeds[info.name] = toOrt(this.TensorType, t, info);
    }
    const t0 = performance.now();
    let result: InferenceSession.OnnxValueMapType;
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
    for (const [name, value] of Object.entries(result)) out[name] = fromOrt(name, value as Tensor);
    return out;
  }

  /** Releases the runtime's session. */
  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await s.release();
  }
}
