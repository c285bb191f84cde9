import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import {
  applyRope,
  applyRopeInto,
  applyRopeWithTables,
  isRopeBuffer,
  type RopeLayout,
  ropeBuffer,
  ropeTables,
} from '../../src/rope/index.js';
import { type Rotation, rotateInto, rotateScalar, rotateTiled, sharedKernels } from '../../src/rope/kernels.js';

/**
 * Entry-by-entry rotation in float64 from arbitrary tables [P, half]: row r uses position r mod P;
 * pair j is (2j, 2j+1) interleaved or (j, j + half) half-split; (a, b) -> (a c - b s, a s + b c).
 */
function naiveRotate(x: Float32Array, cos: Float32Array, sin: Float32Array, half: number, layout: RopeLayout) {
  const d = 2 * half;
  const P = cos.length / half;
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    for (let j = 0; j < half; j++) {
      const [c, s] = [cos[(r % P) * half + j], sin[(r % P) * half + j]];
      const [i, k] = layout === 'interleaved' ? [r * d + 2 * j, r * d + 2 * j + 1] : [r * d + j, r * d + j + half];
      out[i] = x[i] * c - x[k] * s;
      out[k] = x[i] * s + x[k] * c;
    }
  }
  return out;
}

/** Max |a - b| relative to max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [err, scale] = [0, 0];
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

/** Random x [rows, 2 half] and random (not unit-norm) tables [P, half]. */
function problem(seed: number, rows: number, P: number, half: number) {
  const rng = new Rng(seed);
  return { x: rng.normals(rows * 2 * half), cos: rng.normals(P * half), sin: rng.normals(P * half) };
}

const LAYOUTS: RopeLayout[] = ['interleaved', 'half'];
const simd = sharedKernels();

/** The rotation run on the tile path (plain arrays through the shared wasm memory). */
function tiled(r: Rotation) {
  if (simd && r.half % 4 === 0) rotateTiled(simd, r);
  else rotateScalar(r);
}

/** The rotation run with x and out in one ropeBuffer: out of place (side by side) and in place. */
function resident(r: Rotation): [Float32Array, Float32Array] {
  const n = r.x.length;
  const buf = ropeBuffer(2 * n + 3); // odd length and offset: views need not be 16-byte aligned
  const [x, out] = [buf.subarray(1, 1 + n), buf.subarray(2 + n, 2 + 2 * n)];
  x.set(r.x);
  rotateInto({ ...r, x, out });
  rotateInto({ ...r, x, out: x });
  return [out, x];
}

describe('RoPE kernels against the entry-by-entry rotation', () => {
  // [rows, P, half]: one row; P = rows; 32 heads over 3 positions (groups of 4 heads); 7 heads
  // (groups 4 + 2 + 1); P = 150 at half 64 (two position blocks, the last one partial); head dims
  // where half % 4 != 0 (scalar); headDim 2 * 8200 > 16384 floats (one position per block).
  const shapes: [number, number, number][] = [
    [1, 1, 4],
    [5, 5, 8],
    [96, 3, 4],
    [7 * 150, 150, 64],
    [4, 2, 3],
    [6, 3, 5],
    [3, 3, 8200],
  ];
  for (const layout of LAYOUTS) {
    for (const [rows, P, half] of shapes) {
      it(`${layout}: scalar, tiled and zero-copy paths, rows ${rows}, P ${P}, half ${half}`, () => {
        const { x, cos, sin } = problem(rows * 31 + half, rows, P, half);
        const want = naiveRotate(x, cos, sin, half, layout);
        const scalar = new Float32Array(x.length);
        rotateScalar({ x, out: scalar, cos, sin, half, layout });
        expect(relErr(scalar, want)).toBeLessThan(1e-6);
        const out = new Float32Array(x.length);
        tiled({ x, out, cos, sin, half, layout });
        expect(relErr(out, want)).toBeLessThan(1e-6);
        for (const got of resident({ x, out, cos, sin, half, layout })) expect(relErr(got, want)).toBeLessThan(1e-6);
      });
    }
  }

  it('the SIMD kernels are available on this Node (WebAssembly SIMD)', () => {
    expect(simd).not.toBeNull();
  });

  it('property: the tiled and zero-copy SIMD paths equal the scalar kernel on random shapes (both layouts)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 24 }),
        fc.constantFrom(...LAYOUTS),
        (P, heads, quarter, layout) => {
          const half = 4 * quarter;
          const { x, cos, sin } = problem(P * 1000 + heads * 10 + quarter, heads * P, P, half);
          const [a, b] = [new Float32Array(x.length), new Float32Array(x.length)];
          rotateScalar({ x, out: a, cos, sin, half, layout });
          tiled({ x, out: b, cos, sin, half, layout });
          const [out, inPlace] = resident({ x, out: b, cos, sin, half, layout });
          return relErr(b, a) < 1e-6 && relErr(out, a) < 1e-6 && relErr(inPlace, a) < 1e-6;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('ropeBuffer (x and out in WebAssembly memory)', () => {
  const tables = ropeTables(16, 16);
  const { x } = problem(11, 3 * 16, 16, 8);

  it('is a zero-filled Float32Array; its subarrays are recognised, plain arrays are not', () => {
    const buf = ropeBuffer(10);
    expect(buf).toBeInstanceOf(Float32Array);
    expect(Array.from(buf)).toEqual(new Array(10).fill(0));
    expect(isRopeBuffer(buf) && isRopeBuffer(buf.subarray(3))).toBe(true);
    expect(isRopeBuffer(new Float32Array(10))).toBe(false);
  });

  it('rejects a bad length', () => {
    for (const bad of [0, -1, 2.5, Number.NaN, 2 ** 31]) expect(() => ropeBuffer(bad)).toThrow(ConfigError);
  });

  it('applyRopeInto in place, into a subarray, and mixed with plain arrays equals applyRopeWithTables', () => {
    for (const layout of LAYOUTS) {
      const want = Array.from(applyRopeWithTables(x, tables, 16, layout));
      const buf = ropeBuffer(2 * x.length);
      const [bx, bout] = [buf.subarray(0, x.length), buf.subarray(x.length)];
      bx.set(x);
      expect(applyRopeInto(bx, tables, 16, layout, bout)).toBe(bout);
      expect(Array.from(bout)).toEqual(want);
      const plainOut = new Float32Array(x.length);
      applyRopeInto(bx, tables, 16, layout, plainOut); // x resident, out plain: tile path
      expect(Array.from(plainOut)).toEqual(want);
      bout.fill(0);
      applyRopeInto(x, tables, 16, layout, bout); // x plain, out resident: tile path
      expect(Array.from(bout)).toEqual(want);
      expect(applyRopeInto(bx, tables, 16, layout, bx)).toBe(bx);
      expect(Array.from(bx)).toEqual(want);
    }
  });

  it('stays attached and correct when reused after larger calls (its memory never grows)', () => {
    const buf = ropeBuffer(x.length);
    const bytes = buf.buffer.byteLength;
    // a larger call on the buffer's own memory: 8 positions of headDim 96, then the smaller problem
    const big = ropeTables(8, 96);
    applyRopeInto(buf, big, 96, 'interleaved', buf);
    // a much larger call on plain arrays grows the shared tile memory, not this one
    const large = problem(5, 64 * 64, 64, 32).x;
    applyRopeInto(large, ropeTables(64, 64), 64, 'half', large);
    for (const layout of LAYOUTS) {
      buf.set(x);
      applyRopeInto(buf, tables, 16, layout, buf);
      expect(buf.length).toBe(x.length);
      expect(buf.buffer.byteLength).toBe(bytes);
      expect(relErr(buf, naiveRotate(x, tables.cos, tables.sin, 8, layout))).toBeLessThan(1e-6);
    }
  });
});

describe('applyRopeInto', () => {
  const { x } = problem(7, 2 * 3 * 16, 16, 8);
  const tables = ropeTables(16, 16);

  it('into a reused buffer and in place equals applyRopeWithTables, both layouts', () => {
    for (const layout of LAYOUTS) {
      const want = applyRopeWithTables(x, tables, 16, layout);
      const buf = new Float32Array(x.length).fill(Number.NaN);
      expect(applyRopeInto(x, tables, 16, layout, buf)).toBe(buf);
      expect(Array.from(buf)).toEqual(Array.from(want));
      const inPlace = x.slice();
      applyRopeInto(inPlace, tables, 16, layout, inPlace);
      expect(Array.from(inPlace)).toEqual(Array.from(want));
      expect(relErr(want, naiveRotate(x, tables.cos, tables.sin, 8, layout))).toBeLessThan(1e-6);
    }
  });

  it('equals applyRope with position ids (tables built per call)', () => {
    const buf = new Float32Array(x.length);
    applyRopeInto(x, tables, 16, 'half', buf);
    expect(Array.from(buf)).toEqual(Array.from(applyRope(x, { headDim: 16, positions: 16, layout: 'half' })));
  });

  it('rejects a wrong-length, overlapping or non-Float32Array out', () => {
    expect(() => applyRopeInto(x, tables, 16, 'half', new Float32Array(x.length - 1))).toThrow(ShapeError);
    const big = new Float32Array(x.length + 16);
    big.set(x);
    expect(() => applyRopeInto(big.subarray(0, x.length), tables, 16, 'half', big.subarray(16))).toThrow(/overlap/);
    expect(() => applyRopeInto(x, tables, 16, 'half', new Float64Array(x.length) as never)).toThrow(ShapeError);
    expect(() => applyRopeInto(x, { cos: [1] as never, sin: tables.sin }, 16, 'half', x)).toThrow(ShapeError);
  });
});

describe('ropeTables for a position count (angle-addition recurrence)', () => {
  it('equals the direct cos/sin of the same ids given as a list, to float32 rounding', () => {
    for (const [P, d, options] of [
      [4096, 128, {}],
      [300, 64, { base: 500000 }],
      [130, 32, { scaling: { type: 'yarn', factor: 4, originalMaxPositions: 64 } }],
    ] as const) {
      const fast = ropeTables(P, d, options);
      const direct = ropeTables(
        Array.from({ length: P }, (_, p) => p),
        d,
        options,
      );
      for (const k of ['cos', 'sin'] as const) {
        let err = 0;
        for (let i = 0; i < fast[k].length; i++) err = Math.max(err, Math.abs(fast[k][i] - direct[k][i]));
        expect(err).toBeLessThanOrEqual(2 ** -24);
      }
    }
  });
});
