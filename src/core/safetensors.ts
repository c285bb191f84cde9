/**
 * safetensors read/write (format spec: github.com/huggingface/safetensors, "Format" section):
 * an 8-byte little-endian u64 header length N, N bytes of JSON `{name: {dtype, shape, data_offsets}}`
 * (+ optional `__metadata__` string map), then the raw little-endian tensor bytes.
 * Every header field is validated before any tensor is allocated; F16/BF16 are converted to and
 * from Float32 here (bit patterns checked by hand in test/core/safetensors.test.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError, ShapeError, show } from './errors.js';
import { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './float16.js';
import { writeFileAtomic } from './outputs.js';

/** The dtypes modelmath reads and writes. */
export const SAFETENSORS_DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'U8'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1 };

/**
 * Tensor data as returned by the reader: F32/F16/BF16 → Float32Array, F64 → Float64Array,
 * I32 → Int32Array, I64 → BigInt64Array (use `int64ToInt32` for ids), U8 → Uint8Array.
 */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** One named tensor: `shape` is row-major, `data.length` = product of `shape`. */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

/** A tensor to write; `dtype` defaults from the array type (Float32Array → F32, ...). */
export interface TensorToWrite {
  dtype?: SafetensorsDtype;
  shape: readonly number[];
  data: TensorData;
}

/** A parsed file: tensors in file order (by offset) and the `__metadata__` string map. */
export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** The spec caps the JSON header at 100 MB; a larger claim is rejected before allocating. */
const MAX_HEADER_BYTES = 100_000_000;

/** Converts I64 data to Int32Array, throwing a ShapeError naming `name` if a value does not fit. */
export function int64ToInt32(name: string, data: BigInt64Array): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v > 2147483647n || v < -2147483648n) throw new ShapeError(`${name}[${i}] = ${v} does not fit in int32`);
    out[i] = Number(v);
  }
  return out;
}

// ---------- reading ----------

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Copies `len` bytes at `offset` into a fresh (aligned) ArrayBuffer. */
function copyBytes(bytes: Uint8Array, offset: number, len: number): ArrayBuffer {
  const out = new Uint8Array(len);
  out.set(bytes.subarray(offset, offset + len));
  return out.buffer;
}

function decodeTensor(dtype: SafetensorsDtype, bytes: Uint8Array, offset: number, n: number): TensorData {
  const buf = copyBytes(bytes, offset, n * DTYPE_BYTES[dtype]);
  switch (dtype) {
    case 'F32':
      return new Float32Array(buf);
    case 'F64':
      return new Float64Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'I64':
      return new BigInt64Array(buf);
    case 'U8':
      return new Uint8Array(buf);
    case 'F16':
    case 'BF16': {
      const h = new Uint16Array(buf);
      const out = new Float32Array(n);
      const conv = dtype === 'F16' ? f16BitsToFloat : bf16BitsToFloat;
      for (let i = 0; i < n; i++) out[i] = conv(h[i]);
      return out;
    }
  }
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Validates one header entry (dtype known, shape non-negative integers, offsets consistent). */
function parseEntry(file: string, name: string, raw: unknown, dataLength: number): Entry {
  const where = `${file}: tensor ${show(name)}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(`${where}: header entry must be an object, got ${show(raw)}`);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
    throw new InputError(
      `${where}: unsupported dtype ${show(dtype)}, expected one of ${SAFETENSORS_DTYPES.join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InputError(`${where}: shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new InputError(`${where}: data_offsets must be [begin, end] non-negative integers, got ${show(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new InputError(`${where}: data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section`);
  }
  const bytes = numel(shape) * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (end - begin !== bytes) {
    throw new InputError(
      `${where}: data_offsets span ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${bytes}`,
    );
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end };
}

/** Checks that the tensors tile the data section exactly: sorted by offset, no overlap, no hole. */
function checkTiling(file: string, entries: Entry[], dataLength: number): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    if (e.begin < pos) throw new InputError(`${file}: tensor ${show(e.name)} overlaps the previous tensor`);
    if (e.begin > pos) throw new InputError(`${file}: unused bytes [${pos}, ${e.begin}) before tensor ${show(e.name)}`);
    pos = e.end;
  }
  if (pos !== dataLength) {
    throw new InputError(`${file}: data section is ${dataLength} bytes but the tensors cover ${pos} (truncated?)`);
  }
}

/** Reads and validates the header; returns the entries (by offset), metadata and data start. */
function parseHeader(bytes: Uint8Array, file: string) {
  if (bytes.length < 8) {
    throw new InputError(`${file}: truncated safetensors file (${bytes.length} bytes, need an 8-byte header length)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(bytes.length - 8) || headerLen > BigInt(MAX_HEADER_BYTES)) {
    throw new InputError(`${file}: header length ${headerLen} exceeds the ${bytes.length - 8} bytes after it`);
  }
  const n = Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new InputError(`${file}: header is not valid UTF-8 JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new InputError(`${file}: header must be a JSON object, got ${show(header)}`);
  }
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new InputError(`${file}: __metadata__ must be an object of strings, got ${show(raw)}`);
      }
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw new InputError(`${file}: __metadata__.${k} must be a string, got ${show(v)}`);
        metadata[k] = v;
      }
    } else {
      entries.push(parseEntry(file, name, raw, dataLength));
    }
  }
  checkTiling(file, entries, dataLength);
  return { entries, metadata, dataStart };
}

/** Parses safetensors bytes; `file` names the source in error messages. */
export function decodeSafetensors(bytes: Uint8Array, file = '<bytes>'): SafetensorsFile {
  const { entries, metadata, dataStart } = parseHeader(bytes, file);
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    const n = numel(e.shape);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decodeTensor(e.dtype, bytes, dataStart + e.begin, n) });
  }
  return { tensors, metadata };
}

/** Reads a safetensors file (path) or buffer and returns its tensors by name (metadata: `readSafetensorsFile`). */
export function readSafetensors(source: string | Uint8Array): Map<string, SafeTensor> {
  return readSafetensorsFile(source).tensors;
}

/** Reads a safetensors file or buffer: tensors and `__metadata__`. Missing/unreadable file → InputError. */
export function readSafetensorsFile(source: string | Uint8Array): SafetensorsFile {
  if (typeof source !== 'string') return decodeSafetensors(source);
  let bytes: Uint8Array;
  try {
    if (!statSync(source).isFile()) throw new Error('not a regular file');
    bytes = readFileSync(source);
  } catch (err) {
    throw new InputError(`${source}: cannot read safetensors file (${(err as Error).message})`, { cause: err });
  }
  return decodeSafetensors(bytes, source);
}

// ---------- writing ----------

function defaultDtype(data: TensorData): SafetensorsDtype {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof BigInt64Array) return 'I64';
  return 'U8';
}

/** Encodes one tensor's data as little-endian bytes of `dtype` (floats convert, I32 widens to I64). */
function encodeData(name: string, dtype: SafetensorsDtype, data: TensorData): Uint8Array {
  const isFloat = data instanceof Float32Array || data instanceof Float64Array;
  const fail = () => new ShapeError(`tensor ${show(name)}: cannot write ${data.constructor.name} as ${dtype}`);
  const n = data.length;
  switch (dtype) {
    case 'F32':
      if (!isFloat) throw fail();
      return new Uint8Array(Float32Array.from(data as Float32Array).buffer);
    case 'F64':
      if (!isFloat) throw fail();
      return new Uint8Array(Float64Array.from(data as Float32Array).buffer);
    case 'F16':
    case 'BF16': {
      if (!isFloat) throw fail();
      const conv = dtype === 'F16' ? floatToF16Bits : floatToBf16Bits;
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = conv(data[i] as number);
      return new Uint8Array(out.buffer);
    }
    case 'I32':
      if (!(data instanceof Int32Array)) throw fail();
      return new Uint8Array(data.slice().buffer);
    case 'I64':
      if (data instanceof BigInt64Array) return new Uint8Array(data.slice().buffer);
      if (data instanceof Int32Array) return new Uint8Array(BigInt64Array.from(data, (v) => BigInt(v)).buffer);
      throw fail();
    case 'U8':
      if (!(data instanceof Uint8Array)) throw fail();
      return data.slice();
  }
}

/** Encodes tensors (+ string metadata) as safetensors bytes; larger dtypes first so offsets stay aligned. */
export function encodeSafetensors(
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  const prepared = list.map(([name, t]) => {
    if (!name || name === '__metadata__') throw new ShapeError(`invalid tensor name ${show(name)}`);
    const dtype = t.dtype ?? defaultDtype(t.data);
    if (!(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
      throw new ShapeError(`tensor ${show(name)}: unsupported dtype ${show(dtype)}`);
    }
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || numel(t.shape) !== t.data.length) {
      throw new ShapeError(
        `tensor ${show(name)}: shape ${show([...t.shape])} does not match ${t.data.length} elements`,
      );
    }
    return { name, dtype, shape: [...t.shape], bytes: encodeData(name, dtype, t.data) };
  });
  prepared.sort((a, b) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (a.name < b.name ? -1 : 1));
  const header: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new ShapeError(`metadata ${show(k)} must be a string, got ${show(v)}`);
  }
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const p of prepared) {
    header[p.name] = { dtype: p.dtype, shape: p.shape, data_offsets: [offset, offset + p.bytes.length] };
    offset += p.bytes.length;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const json = new Uint8Array(Math.ceil(raw.length / 8) * 8).fill(0x20); // trailing spaces (allowed) keep data 8-aligned
  json.set(raw);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const p of prepared) {
    out.set(p.bytes, pos);
    pos += p.bytes.length;
  }
  return out;
}

/** Writes tensors (+ string metadata) to `path` atomically (temp file + rename). */
export function writeSafetensors(
  path: string,
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
