import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, ShapeError } from '../../src/core/errors.js';
import { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from '../../src/core/float16.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  int64ToInt32,
  readSafetensors,
  readSafetensorsFile,
  writeSafetensors,
} from '../../src/core/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'st-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds a file by hand: 8-byte LE header length, header text, data bytes. */
function rawFile(header: unknown, dataBytes: number, headerLenOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, headerLenOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe('half-precision bit patterns (hand-computed)', () => {
  it('F16 encodes known values', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest finite
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -14, 0x0400], // smallest normal
      [0.1, 0x2e66],
      [1 / 3, 0x3555],
      [65520, 0x7c00], // halfway to 65536 rounds to even → overflow → +Inf
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [-0, 0x8000],
      [1 + 2 ** -11, 0x3c00], // exact tie → even mantissa (0)
      [1 + 3 * 2 ** -11, 0x3c02], // exact tie → even mantissa (2)
      [2 ** -26, 0x0000], // below half the smallest subnormal → 0
    ];
    for (const [x, bits] of cases) expect(floatToF16Bits(x), `f16(${x})`).toBe(bits);
    expect(floatToF16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(Number.isNaN(f16BitsToFloat(0x7e00))).toBe(true);
  });

  it('F16 decode inverts encode on all 63488 finite bit patterns', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      const x = f16BitsToFloat(h);
      if (floatToF16Bits(x) !== h) throw new Error(`f16 pattern ${h.toString(16)} → ${x} did not round-trip`);
    }
    expect(f16BitsToFloat(0x3c00)).toBe(1);
    expect(f16BitsToFloat(0x0001)).toBe(2 ** -24);
    expect(f16BitsToFloat(0x7bff)).toBe(65504);
  });

  it('matches numpy float16 and torch bfloat16 bit patterns (fixtures/make_half.py)', () => {
    const fx = JSON.parse(readFileSync(new URL('./fixtures/half.json', import.meta.url), 'utf8')) as {
      x: number[];
      f16: number[];
      bf16: number[];
    };
    expect(fx.x.map(floatToF16Bits)).toEqual(fx.f16);
    expect(fx.x.map(floatToBf16Bits)).toEqual(fx.bf16);
  });

  it('BF16 encodes known values with round-to-nearest-even', () => {
    const cases: [number, number][] = [
      [1, 0x3f80],
      [-2, 0xc000],
      [0.1, 0x3dcd], // f32 0x3DCCCCCD, low half 0xCCCD > 0x8000 → round up
      [Math.PI, 0x4049], // f32 0x40490FDB, low half < 0x8000 → truncate
      [1.00390625, 0x3f80], // f32 0x3F808000: tie, 0x3F80 even stays
      [1.01171875, 0x3f82], // f32 0x3F818000: tie, 0x3F81 odd → 0x3F82
      [Infinity, 0x7f80],
    ];
    for (const [x, bits] of cases) expect(floatToBf16Bits(x), `bf16(${x})`).toBe(bits);
    expect(floatToBf16Bits(Number.NaN)).toBe(0x7fc0);
    expect(bf16BitsToFloat(0x3f80)).toBe(1);
    expect(bf16BitsToFloat(0x4049)).toBe(3.140625);
  });
});

describe('safetensors round trip', () => {
  it('writes and reads every dtype, with metadata, atomically', () => {
    const path = join(dir, 'all.safetensors');
    writeSafetensors(
      path,
      {
        f32: { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7]) },
        f16: { dtype: 'F16', shape: [3], data: new Float32Array([1, -2, 0.1]) },
        bf16: { dtype: 'BF16', shape: [2], data: new Float32Array([1, Math.PI]) },
        f64: { shape: [2], data: new Float64Array([Math.PI, -1e300]) },
        i32: { shape: [1, 2], data: new Int32Array([-5, 2147483647]) },
        i64: { shape: [2], data: new BigInt64Array([-(2n ** 40n), 7n]) },
        ids: { dtype: 'I64', shape: [2], data: new Int32Array([3, -4]) },
        u8: { shape: [3], data: new Uint8Array([0, 128, 255]) },
        empty: { shape: [0, 4], data: new Float32Array(0) },
      },
      { format: 'pt', note: 'é' },
    );
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const { tensors, metadata } = readSafetensorsFile(path);
    expect(metadata).toEqual({ format: 'pt', note: 'é' });
    expect(tensors.get('f32')).toEqual({
      dtype: 'F32',
      shape: [2, 3],
      data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7]),
    });
    expect(tensors.get('f16')?.data).toEqual(new Float32Array([1, -2, f16BitsToFloat(0x2e66)]));
    expect(tensors.get('bf16')?.data).toEqual(new Float32Array([1, 3.140625]));
    expect(tensors.get('f64')?.data).toEqual(new Float64Array([Math.PI, -1e300]));
    expect(tensors.get('i32')?.data).toEqual(new Int32Array([-5, 2147483647]));
    expect(tensors.get('i64')?.data).toEqual(new BigInt64Array([-(2n ** 40n), 7n]));
    expect(int64ToInt32('ids', tensors.get('ids')?.data as BigInt64Array)).toEqual(new Int32Array([3, -4]));
    expect(tensors.get('u8')?.data).toEqual(new Uint8Array([0, 128, 255]));
    expect(tensors.get('empty')?.shape).toEqual([0, 4]);
  });

  it('stores the header length, JSON and offsets as the spec says (hand-decoded)', () => {
    const bytes = encodeSafetensors({ a: { shape: [2], data: new Float32Array([1, 2]) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
  });

  it('round-trips random F32 tensors (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== '__metadata__'),
          fc.array(fc.float({ noNaN: true }), { maxLength: 20 }),
          { maxKeys: 5 },
        ),
        (dict) => {
          const input = Object.fromEntries(
            Object.entries(dict).map(([k, v]) => [k, { shape: [v.length], data: new Float32Array(v) }]),
          );
          const out = readSafetensors(encodeSafetensors(input));
          expect(out.size).toBe(Object.keys(dict).length);
          for (const [k, v] of Object.entries(input)) expect(out.get(k)?.data).toEqual(v.data);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects bad tensors on write', () => {
    expect(() => encodeSafetensors({ a: { shape: [3], data: new Float32Array(2) } })).toThrow(ShapeError);
    expect(() => encodeSafetensors({ a: { dtype: 'I32', shape: [2], data: new Float32Array(2) } })).toThrow(
      /cannot write Float32Array as I32/,
    );
    expect(() => int64ToInt32('ids', new BigInt64Array([2n ** 31n]))).toThrow(/does not fit/);
  });
});

describe('safetensors corrupt files → InputError naming file and problem', () => {
  const expectBad = (bytes: Uint8Array, pattern: RegExp) => {
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, bytes);
    let error: unknown;
    try {
      readSafetensors(path);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(pattern);
  };
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };

  it('a valid hand-built file reads (control for the cases below)', () => {
    expect(readSafetensors(rawFile(ok, 8)).get('a')?.shape).toEqual([2]);
  });
  it('missing file', () => expect(() => readSafetensors(join(dir, 'nope.safetensors'))).toThrow(/cannot read/));
  it('shorter than 8 bytes', () => expectBad(new Uint8Array(5), /truncated/));
  it('header length larger than the file (no huge allocation)', () => {
    expectBad(rawFile(ok, 8, 2n ** 62n), /header length .* exceeds/);
    expectBad(rawFile(ok, 8, 1000n), /header length 1000 exceeds/);
  });
  it('header not JSON', () => expectBad(rawFile('{"a": [', 0), /not valid UTF-8 JSON/));
  it('header not an object', () => expectBad(rawFile([1, 2], 0), /must be a JSON object/));
  it('unknown dtype', () =>
    expectBad(rawFile({ a: { dtype: 'F8', shape: [2], data_offsets: [0, 2] } }, 2), /unsupported dtype "F8"/));
  it('negative or fractional shape', () => {
    expectBad(rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, 0), /non-negative integers/);
    expectBad(rawFile({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 6] } }, 6), /non-negative integers/);
  });
  it('offsets beyond the data (truncated data)', () => expectBad(rawFile(ok, 4), /outside the 4-byte data section/));
  it('offsets inconsistent with shape × dtype', () =>
    expectBad(rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /span 8 bytes .* needs 12/));
  it('begin after end', () =>
    expectBad(rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, 8), /outside/));
  it('overlapping tensors', () =>
    expectBad(
      rawFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        12,
      ),
      /overlaps/,
    ));
  it('hole between tensors', () =>
    expectBad(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /unused bytes \[0, 4\)/));
  it('trailing bytes not covered by any tensor', () => expectBad(rawFile(ok, 12), /cover 8/));
  it('non-string metadata', () => expectBad(rawFile({ __metadata__: { step: 3 } }, 0), /__metadata__.step/));
  it('entry not an object', () => expectBad(rawFile({ a: 3 }, 0), /must be an object/));
});

describe('decodeSafetensors on bytes', () => {
  it('names <bytes> when no file is given', () => {
    expect(() => decodeSafetensors(new Uint8Array(3))).toThrow(/<bytes>: truncated/);
  });
});
