import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { applyRope, applyRopeInto, applyRopeWithTables, type RopeLayout, ropeTables } from '../../src/rope/index.js';
import { ropeSimd, rotateScalar, rotateSimd } from '../../src/rope/kernels.js';

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
const simd = ropeSimd();

describe('RoPE kernels against the entry-by-entry rotation', () => {
  // [rows, P, half]: one row; P = rows; many heads over few positions (tables repeated in the
  // SIMD tile); long P with a tile boundary inside a period; head dims where half % 4 != 0.
  const shapes: [number, number, number][] = [
    [1, 1, 4],
    [5, 5, 8],
    [96, 3, 4],
    [600, 150, 64],
    [4, 2, 3],
    [6, 3, 5],
  ];
  for (const layout of LAYOUTS) {
    for (const [rows, P, half] of shapes) {
      it(`${layout}: scalar and SIMD kernels, rows ${rows}, P ${P}, half ${half}`, () => {
        const { x, cos, sin } = problem(rows * 31 + half, rows, P, half);
        const want = naiveRotate(x, cos, sin, half, layout);
        const scalar = new Float32Array(x.length);
        rotateScalar({ x, out: scalar, cos, sin, half, layout });
        expect(relErr(scalar, want)).toBeLessThan(1e-6);
        if (simd && half % 4 === 0) {
          const out = new Float32Array(x.length);
          rotateSimd(simd, { x, out, cos, sin, half, layout });
          expect(relErr(out, want)).toBeLessThan(1e-6);
        }
      });
    }
  }

  it('the SIMD kernel is available on this Node (WebAssembly SIMD)', () => {
    expect(simd).not.toBeNull();
  });

  it('property: SIMD equals scalar on random shapes (both layouts)', () => {
    if (!simd) return;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 24 }),
        fc.constantFrom(...LAYOUTS),
        (P, heads, quarter, layout) => {
          const half = 4 * quarter;
          const { x, cos, sin } = problem(P * 1000 + heads * 10 + quarter, heads * P, P, half);
          const [a, b] = [new Float32Array(x.length), new Float32Array(x.length)];
          rotateScalar({ x, out: a, cos, sin, half, layout });
          rotateSimd(simd, { x, out: b, cos, sin, half, layout });
          return relErr(b, a) < 1e-6;
        },
      ),
      { numRuns: 60 },
    );
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
