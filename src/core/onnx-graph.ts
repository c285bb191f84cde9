/**
 * The one ONNX writer of modelmath: the subset of the ONNX protobuf schema we emit (onnx/onnx.proto,
 * IR version 8 = opset 17, so onnx >= 1.12 and older runtimes load the files), encoded with
 * protobufjs, and `OnnxGraphBuilder`, which names values, stores initializers and serialises a graph.
 * Used by the exporters (toy text-to-image model, tiny LM) and by test fixtures; its output is
 * checked by ONNX Runtime and, when installed, by the reference `onnx.checker` (test/core/onnx-graph.test.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { ConfigError, ShapeError } from './errors.js';
import { toFloat16Bits } from './float16.js';

// Field numbers are the official schema's (onnx.proto, proto2).
const ONNX_SUBSET = `
syntax = "proto2";
package onnx;
message AttributeProto {
  optional string name = 1; optional float f = 2; optional int64 i = 3; optional bytes s = 4;
  optional TensorProto t = 5; repeated float floats = 7; repeated int64 ints = 8; optional int32 type = 20;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4;
  repeated AttributeProto attribute = 5; optional string doc_string = 6; optional string domain = 7;
}
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message ModelProto {
  optional int64 ir_version = 1; optional string producer_name = 2; optional string producer_version = 3;
  optional int64 model_version = 5; optional string doc_string = 6; optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8; repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5;
  optional string doc_string = 10; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; optional string name = 8; optional bytes raw_data = 9; }
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1;
}
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
`;

/** ONNX TensorProto.DataType codes of the dtypes we write. */
export const ONNX_DTYPES = { float32: 1, int32: 6, int64: 7, bool: 9, float16: 10 } as const;
export type OnnxDType = keyof typeof ONNX_DTYPES;

/** The IR version that goes with opset 17 (onnx 1.12). */
export const ONNX_IR_VERSION = 8;
/** Highest opset we emit (the bound: older runtimes and onnx 1.12 load it). */
export const MAX_OPSET = 17;

export interface ValueSpec {
  name: string;
  dtype: OnnxDType;
  /** Fixed sizes or symbolic names ('batch_size'). */
  shape: (number | string)[];
}

/** Attribute values, tagged so that ints and floats cannot be confused. */
export type AttrValue = { i: number } | { f: number } | { ints: number[] } | { floats: number[] } | { s: string };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

export interface InitializerSpec {
  name: string;
  dtype: OnnxDType;
  dims: number[];
  values: ArrayLike<number>;
}

export interface GraphSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: InitializerSpec[];
  /** Default 17 (at most 17). */
  opset?: number;
  /** Graph name. Default 'g'. */
  name?: string;
  /** Default 'modelmath'. */
  producer?: string;
  /** What the graph computes (stored as the model's doc_string). */
  doc?: string;
  /** Free-form key/value metadata (ModelProto.metadata_props). */
  metadata?: Record<string, string>;
}

const root = protobuf.parse(ONNX_SUBSET).root;
const Model = root.lookupType('onnx.ModelProto');

function rawBytes(t: InitializerSpec): Uint8Array {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.values.length !== n) {
    throw new ShapeError(`initializer ${t.name}: dims [${t.dims}] hold ${n} values, got ${t.values.length}`);
  }
  const view =
    t.dtype === 'float32'
      ? Float32Array.from(t.values)
      : t.dtype === 'int32'
        ? Int32Array.from(t.values)
        : t.dtype === 'int64'
          ? BigInt64Array.from(Array.from(t.values, (v) => BigInt(v)))
          : t.dtype === 'bool'
            ? Uint8Array.from(t.values, (v) => (v ? 1 : 0))
            : toFloat16Bits(t.values);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function valueInfo(v: ValueSpec) {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPES[v.dtype],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue) {
  if ('i' in v) return { name, i: v.i, type: 2 };
  if ('f' in v) return { name, f: v.f, type: 1 };
  if ('ints' in v) return { name, ints: v.ints, type: 7 };
  if ('floats' in v) return { name, floats: v.floats, type: 6 };
  return { name, s: new TextEncoder().encode(v.s), type: 3 };
}

/** Serialises a graph to ONNX ModelProto bytes. */
export function buildModel(spec: GraphSpec): Uint8Array {
  const opset = spec.opset ?? MAX_OPSET;
  if (!Number.isInteger(opset) || opset < 7 || opset > MAX_OPSET) {
    throw new ConfigError(`opset must be an integer in [7, ${MAX_OPSET}], got ${opset}`);
  }
  const message = Model.fromObject({
    irVersion: ONNX_IR_VERSION,
    producerName: spec.producer ?? 'modelmath',
    docString: spec.doc ?? '',
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.name ?? 'g',
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.initializers ?? []).map((t) => ({
        name: t.name,
        dims: t.dims,
        dataType: ONNX_DTYPES[t.dtype],
        rawData: rawBytes(t),
      })),
      node: spec.nodes.map((n, k) => ({
        name: `n${k}_${n.op}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([name, v]) => attribute(name, v)),
      })),
    },
  });
  return Model.encode(message).finish();
}

/**
 * Builds a graph one node at a time with generated value names: `g.op('MatMul', [x, w])` returns
 * the output's name. Initializers are added with `g.tensor(...)` (float32) or `g.int64(...)`.
 * @example const g = new OnnxGraphBuilder(); const x = g.input('x', 'float32', ['batch', 4]);
 * g.output('y', 'float32', ['batch', 4], g.op('Relu', [x])); const bytes = g.build();
 */
export class OnnxGraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inits: InitializerSpec[] = [];
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private readonly used = new Set<string>();
  private count = 0;

  /** A fresh value name starting with `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.used.has(name)) name = `${hint}_${++this.count}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input and returns its name. */
  input(name: string, dtype: OnnxDType, shape: (number | string)[]): string {
    this.claim(name);
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  /** Declares `value` as the graph output `name` (through an Identity node when the names differ). */
  output(name: string, dtype: OnnxDType, shape: (number | string)[], value: string): void {
    if (value !== name) {
      this.claim(name);
      this.nodes.push({ op: 'Identity', inputs: [value], outputs: [name] });
    }
    this.outputs.push({ name, dtype, shape });
  }

  /** A float32 initializer (weights, tables). */
  tensor(hint: string, dims: number[], values: ArrayLike<number>): string {
    return this.initializer(hint, 'float32', dims, values);
  }

  /** An int64 initializer (shapes, axes, indices); a 1-D list by default. */
  int64(hint: string, values: number[], dims: number[] = [values.length]): string {
    return this.initializer(hint, 'int64', dims, values);
  }

  /** A float32 scalar initializer. */
  scalar(hint: string, value: number): string {
    return this.initializer(hint, 'float32', [], [value]);
  }

  initializer(hint: string, dtype: OnnxDType, dims: number[], values: ArrayLike<number>): string {
    const name = this.fresh(hint);
    this.inits.push({ name, dtype, dims, values });
    return name;
  }

  /** Adds one node with a single output and returns the output's name. */
  op(op: string, inputs: string[], attrs?: Record<string, AttrValue>, hint = op.toLowerCase()): string {
    return this.opN(op, inputs, 1, attrs, hint)[0];
  }

  /** Adds one node with `outputs` outputs and returns their names. */
  opN(op: string, inputs: string[], outputs: number, attrs?: Record<string, AttrValue>, hint = op.toLowerCase()) {
    const names = Array.from({ length: outputs }, () => this.fresh(hint));
    this.nodes.push({ op, inputs, outputs: names, attrs });
    return names;
  }

  /** Number of nodes so far. */
  get size(): number {
    return this.nodes.length;
  }

  /** Serialises the graph (see `buildModel` for the options). */
  build(options: Omit<GraphSpec, 'inputs' | 'outputs' | 'nodes' | 'initializers'> = {}): Uint8Array {
    if (this.outputs.length === 0) throw new ConfigError('an ONNX graph needs at least one output');
    return buildModel({
      ...options,
      inputs: this.inputs,
      outputs: this.outputs,
      nodes: this.nodes,
      initializers: this.inits,
    });
  }

  private claim(name: string): void {
    if (this.used.has(name)) throw new ConfigError(`ONNX value name ${JSON.stringify(name)} is already used`);
    this.used.add(name);
  }
}

/** Writes a model folder's files (relative path -> contents: graphs, configs, tokenizer) under `dir`. */
export function writeModelFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
}
