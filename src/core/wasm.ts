/**
 * A minimal WebAssembly module assembler for small hand-written kernels (RoPE, vector exp/log):
 * the binary format's sections (WebAssembly Core Specification 2.0, ch. 5: types, functions, one
 * memory, exports, code), LEB128 integers and the opcodes those kernels use, including fixed-width
 * SIMD (the 0xfd prefix). Kernels compile synchronously at first use; `compileSync` returns null
 * where this runtime does not validate them (no SIMD), so callers can keep a plain-JS path.
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128 (counts, sizes, indices, memory offsets). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Memory access immediate: log2 alignment and a constant byte offset. */
const memarg = (alignLog2: number, offset: number) => [alignLog2, ...uleb(offset)];
const simd = (op: number) => [0xfd, ...uleb(op)];

/** The instructions the kernels use, as byte sequences (the Core Specification's opcode table). */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  i32Eqz: [0x45],
  i32LtU: [0x49],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32And: [0x71],
  if: [0x04, 0x40],
  else: [0x05],
  call: (index: number) => [0x10, ...uleb(index)],
  i32Load: (offset = 0) => [0x28, ...memarg(2, offset)],
  f64Load: (offset = 0) => [0x2b, ...memarg(3, offset)],
  f64Store: (offset = 0) => [0x39, ...memarg(3, offset)],
  f64Const: (value: number) => [0x44, ...new Uint8Array(new Float64Array([value]).buffer)],
  f64Ne: [0x62],
  f64Lt: [0x63],
  f64Gt: [0x64],
  f64Neg: [0x9a],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Div: [0xa3],
  f64Min: [0xa4],
  f64Max: [0xa5],
  v128Load: (offset = 0) => [...simd(0x00), ...memarg(2, offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...memarg(2, offset)],
  v128Const: (bytes: number[]) => [...simd(0x0c), ...bytes],
  /** i8x16.shuffle of two vectors by 16 byte-lane indices (0-15 first operand, 16-31 second). */
  shuffle: (lanes: number[]) => [...simd(0x0d), ...lanes],
  f32x4Neg: simd(0xe1),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  /** Two-lane float64 and int64 operations (the vector math kernels). */
  f64x2Splat: simd(0x14),
  v128And: simd(0x4e),
  v128Or: simd(0x50),
  v128Xor: simd(0x51),
  /** v128.bitselect(a, b, mask): bits of a where mask is 1, else of b. */
  v128Bitselect: simd(0x52),
  f64x2Trunc: simd(0x7a),
  i64x2ExtendLowI32x4S: simd(0xc7),
  i64x2Shl: simd(0xcb),
  i64x2ShrU: simd(0xcd),
  i64x2Add: simd(0xce),
  i64x2Sub: simd(0xd1),
  i64x2GtS: simd(0xd9),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  f64x2Div: simd(0xf3),
  f64x2Min: simd(0xf4),
  f64x2Max: simd(0xf5),
  i32x4TruncSatF64x2SZero: simd(0xfc),
  f64x2ConvertLowI32x4S: simd(0xfe),
};

/**
 * The one loop shape of the kernels: block { loop { br_if 1 (exit); body; next; br 0 } }: exits as soon as
 * the i32 condition `exit` holds, else runs `body`, then `next` (the counter and pointer updates).
 */
export function loopUntil(exit: number[], body: number[][], next: number[][]): number[][] {
  return [op.block, op.loop, [...exit, ...op.brIf(1)], ...body, ...next, op.br(0), op.end, op.end];
}

/** v128.const of two equal float64 lanes. */
export function f64x2Const(value: number): number[] {
  const bytes = new Uint8Array(new Float64Array([value, value]).buffer);
  return op.v128Const([...bytes]);
}

/** v128.const of two equal int64 lanes. */
export function i64x2Const(value: bigint): number[] {
  const bytes = new Uint8Array(new BigInt64Array([value, value]).buffer);
  return op.v128Const([...bytes]);
}

/** Byte lanes of a shuffle that picks 32-bit lanes `words` (0-3 from the first operand, 4-7 from the second). */
export function wordLanes(words: number[]): number[] {
  return words.flatMap((w) => [4 * w, 4 * w + 1, 4 * w + 2, 4 * w + 3]);
}

/** One exported function: parameter and result types, extra locals, and its body (without the final `end`). */
export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  locals: number[];
  body: number[][];
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
};

/** A function the module imports from "env" (called by index: imports come first in the index space). */
export interface WasmImport {
  name: string;
  params: number[];
  results: number[];
}

export interface ModuleOptions {
  /** Initial 64 KiB pages of the module's own memory. Default 1. */
  pages?: number;
  /** Import the memory as env.memory instead of defining one (kernels that share a caller's memory). */
  importMemory?: boolean;
  /** Functions imported from env (e.g. Math.exp), indices 0..n-1. */
  imports?: WasmImport[];
}

const funcType = (f: { params: number[]; results: number[] }) => [
  0x60,
  ...vec(f.params.map((t) => [t])),
  ...vec(f.results.map((t) => [t])),
];

/**
 * Encodes a module with the given functions, its memory exported as "memory" (defined with `pages`
 * initial pages, or imported), and optional imported functions.
 */
export function assembleModule(functions: WasmFunction[], options: ModuleOptions = {}): Uint8Array<ArrayBuffer> {
  const imports = options.imports ?? [];
  const types = [...imports, ...functions].map(funcType);
  const bodies = functions.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const code = [...locals, ...f.body.flat(), ...op.end];
    return [...uleb(code.length), ...code];
  });
  const importEntries = [
    ...imports.map((f, i) => [...name('env'), ...name(f.name), 0x00, ...uleb(i)]),
    ...(options.importMemory ? [[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]] : []),
  ];
  const exports = [
    [...name('memory'), 0x02, 0],
    ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(imports.length + i)]),
  ];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...(importEntries.length ? section(2, vec(importEntries)) : []),
    ...section(3, vec(functions.map((_, i) => uleb(imports.length + i)))),
    ...(options.importMemory ? [] : section(5, vec([[0x00, ...uleb(options.pages ?? 1)]]))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

/** The module compiled synchronously; null when this runtime rejects the bytes (e.g. no SIMD). */
export function compileSync(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return null;
  return new WebAssembly.Module(bytes);
}

/** A synchronously compiled module's exports; null when this runtime rejects the bytes (e.g. no SIMD). */
export function instantiateSync(
  bytes: Uint8Array<ArrayBuffer>,
  imports: WebAssembly.Imports = {},
): WebAssembly.Exports | null {
  const module = compileSync(bytes);
  return module && new WebAssembly.Instance(module, imports).exports;
}

/** Grows `memory` to hold at least `bytes` bytes (never shrinks). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const need = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (need > 0) memory.grow(need);
}
