/**
 * Builder of small ONNX graphs: the engine's matmul graphs (engine-matmul.ts) and the tests' tiny
 * models. A minimal subset of the ONNX protobuf schema (onnx/onnx.proto, IR version 8: ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto.Tensor,
 * TensorShapeProto), written here with the field numbers of the official schema, encoded with protobufjs.
 */
import protobuf from 'protobufjs';
import { ShapeError } from './errors.js';
import { floatToF16Bits } from './safetensors.js';

const ONNX_SUBSET = `
syntax = "proto2";
package onnx;
message AttributeProto {
  optional string name = 1; optional float f = 2; optional int64 i = 3; optional bytes s = 4;
  optional TensorProto t = 5; repeated float floats = 7; repeated int64 ints = 8; optional int32 type = 20;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4;
  repeated AttributeProto attribute = 5; optional string domain = 7;
}
message ModelProto {
  optional int64 ir_version = 1; optional string producer_name = 2; optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
message GraphProto {
  repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
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

/** ONNX TensorProto.DataType codes. */
export const DTYPE_CODES = { float32: 1, int32: 6, int64: 7, float16: 10 } as const;
export type DType = keyof typeof DTYPE_CODES;

export interface ValueSpec {
  name: string;
  dtype: DType;
  /** Fixed sizes or symbolic names ('batch_size'). */
  shape: (number | string)[];
}

/** Attribute values: tagged so that ints and floats cannot be confused. */
export type AttrValue = { i: number } | { f: number } | { ints: number[] } | { floats: number[] } | { s: string };

export interface NodeSpec {
  op: string;
  /** Operator domain: '' (ONNX, default) or e.g. 'com.microsoft' (ONNX Runtime's contrib operators). */
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

export interface InitializerSpec {
  name: string;
  dtype: DType;
  dims: number[];
  values: ArrayLike<number>;
}

export interface GraphSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: InitializerSpec[];
  /** Default opset 17. */
  opset?: number;
  /** Extra operator sets by domain, e.g. { 'com.microsoft': 1 }. */
  domains?: Record<string, number>;
}

const root = protobuf.parse(ONNX_SUBSET).root;
const Model = root.lookupType('onnx.ModelProto');

function rawBytes(dtype: DType, values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const view =
    dtype === 'float32'
      ? Float32Array.from(values)
      : dtype === 'int32'
        ? Int32Array.from(values)
        : dtype === 'int64'
          ? BigInt64Array.from(Array.from(values, (v) => BigInt(v)))
          : Uint16Array.from(Array.from(values, floatToF16Bits));
  if (view.length !== n) throw new ShapeError(`initializer holds ${view.length} values, expected ${n}`);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function valueInfo(v: ValueSpec) {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: DTYPE_CODES[v.dtype],
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
  const message = Model.fromObject({
    irVersion: 8,
    producerName: 'modelmath',
    opsetImport: [
      { domain: '', version: spec.opset ?? 17 },
      ...Object.entries(spec.domains ?? {}).map(([domain, version]) => ({ domain, version })),
    ],
    graph: {
      name: 'g',
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.initializers ?? []).map((t) => ({
        name: t.name,
        dims: t.dims,
        dataType: DTYPE_CODES[t.dtype],
        rawData: rawBytes(t.dtype, t.values),
      })),
      node: spec.nodes.map((n, k) => ({
        name: `n${k}`,
        opType: n.op,
        ...(n.domain ? { domain: n.domain } : {}),
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([name, v]) => attribute(name, v)),
      })),
    },
  });
  return Model.encode(message).finish();
}
