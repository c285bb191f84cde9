import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelMathError, ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import {
  applyRope,
  applyRopeWithTables,
  axialRopeTables,
  permuteRopeRows,
  ropeInverseFrequencies,
  ropeRowPermutation,
  ropeTables,
} from '../../src/rope/index.js';

/** Block-diagonal rotation matrix R_{Theta,m} of lecture Eq. 10, built entry by entry in Float64. */
function blockDiagonalMatrix(m: number, d: number, base = 10000): Float64Array {
  const R = new Float64Array(d * d);
  for (let j = 1; j <= d / 2; j++) {
    const theta = base ** ((-2 * (j - 1)) / d);
    const r0 = 2 * j - 2; // zero-based row of q_{2j-1}
    R[r0 * d + r0] = Math.cos(m * theta);
    R[r0 * d + r0 + 1] = -Math.sin(m * theta);
    R[(r0 + 1) * d + r0] = Math.sin(m * theta);
    R[(r0 + 1) * d + r0 + 1] = Math.cos(m * theta);
  }
  return R;
}

function matVec(M: Float64Array, v: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) out[i] += M[i * d + k] * v[k];
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Lecture Eq. 20/21: q * cos(m Theta) + Flip(q) * sin(m Theta) with Theta repeated per pair. */
function flipForm(q: ArrayLike<number>, m: number, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const theta = 10000 ** ((-2 * Math.floor(i / 2)) / d);
    const flipped = i % 2 === 0 ? -q[i + 1] : q[i - 1];
    out[i] = q[i] * Math.cos(m * theta) + flipped * Math.sin(m * theta);
  }
  return out;
}

/** Hugging Face style: q * cat(cos, cos) + rotate_half(q) * cat(sin, sin), rotate_half = cat(-x2, x1). */
function rotateHalfForm(q: ArrayLike<number>, m: number, d: number): Float64Array {
  const h = d / 2;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const theta = 10000 ** ((-2 * (i % h)) / d);
    const rotated = i < h ? -q[i + h] : q[i - h];
    out[i] = q[i] * Math.cos(m * theta) + rotated * Math.sin(m * theta);
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol) {
      throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
    }
  }
}

describe('RoPE frequencies and tables', () => {
  it('matches a float64 reference vector (head dim 8, base 1e4, position 3)', () => {
    const { cos, sin } = ropeTables([3], 8);
    expectClose(cos, [-0.9899925, 0.95533649, 0.99955003, 0.9999955], 1e-7);
    expectClose(sin, [0.14112001, 0.29552021, 0.0299955, 0.00299999], 1e-7);
    expectClose(ropeInverseFrequencies(8), [1, 0.1, 0.01, 0.001], 1e-15);
  });

  it('rejects bad head dims, bases, positions and options with ConfigError', () => {
    expect(() => ropeInverseFrequencies(7)).toThrow(/headDim must be even/);
    expect(() => ropeInverseFrequencies(0)).toThrow(/headDim/);
    expect(() => ropeInverseFrequencies(8, { base: 1 })).toThrow(/base/);
    expect(() => ropeTables([0, Number.NaN], 8)).toThrow(/positions/);
    expect(() => ropeInverseFrequencies(8, { scaling: { type: 'cubic' as 'linear', factor: 2 } })).toThrow(
      /scaling.type must be one of/,
    );
    expect(() => ropeInverseFrequencies(8, { scaling: { type: 'linear', factor: 0 } })).toThrow(/scaling.factor/);
    expect(() => applyRope(new Float32Array(8), { headDim: 8, positions: 2 })).toThrow(ShapeError);
    expect(() => applyRope(new Float32Array(8), { headDim: 8, positions: 1, layout: 'x' as 'half' })).toThrow(
      /layout must be one of/,
    );
    try {
      applyRope(new Float32Array(10), { headDim: 8, positions: 1 });
    } catch (e) {
      expect(e).toBeInstanceOf(ModelMathError);
      expect((e as ModelMathError).exitCode).toBe(2);
    }
  });
});

describe('applyRope', () => {
  it('interleaved equals the block-diagonal matrix form (Eq. 10/11) and the Flip form (Eq. 20/21)', () => {
    const rng = new Rng(1);
    const d = 16;
    const P = 7;
    const x = rng.normals(P * d);
    const y = applyRope(x, { headDim: d, positions: P });
    for (let m = 0; m < P; m++) {
      const q = x.subarray(m * d, (m + 1) * d);
      expectClose(y.subarray(m * d, (m + 1) * d), matVec(blockDiagonalMatrix(m, d), q, d), 1e-5);
      expectClose(y.subarray(m * d, (m + 1) * d), flipForm(q, m, d), 1e-5);
    }
  });

  it('half layout equals the rotate_half form', () => {
    const rng = new Rng(2);
    const d = 12;
    const P = 5;
    const x = rng.normals(P * d);
    const y = applyRope(x, { headDim: d, positions: P, layout: 'half' });
    for (let m = 0; m < P; m++) {
      expectClose(y.subarray(m * d, (m + 1) * d), rotateHalfForm(x.subarray(m * d, (m + 1) * d), m, d), 1e-5);
    }
  });

  it('handles leading dims and explicit position ids, and does not modify x', () => {
    const rng = new Rng(3);
    const d = 8;
    const ids = [5, 9, 2];
    const x = rng.normals(2 * 3 * ids.length * d); // [B=2, H=3, P=3, d]
    const copy = Float32Array.from(x);
    for (const layout of ['interleaved', 'half'] as const) {
      const y = applyRope(x, { headDim: d, positions: ids, layout });
      for (let r = 0; r < 6 * ids.length; r++) {
        const one = applyRope(x.subarray(r * d, (r + 1) * d), { headDim: d, positions: [ids[r % 3]], layout });
        expectClose(y.subarray(r * d, (r + 1) * d), one, 0);
      }
    }
    expect(x).toEqual(copy);
    // plain arrays are accepted too
    expectClose(
      applyRope(Array.from(x.subarray(0, 24)), { headDim: d, positions: ids }),
      applyRope(x.subarray(0, 24), { headDim: d, positions: ids }),
      0,
    );
  });

  it('score <R_m q, R_n k> depends only on n - m (property)', () => {
    const d = 8;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: -200, max: 200 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom('interleaved' as const, 'half' as const),
        (m, n, shift, seed, layout) => {
          const rng = new Rng(seed);
          const q = rng.normals(d);
          const k = rng.normals(d);
          const s1 = dot(
            applyRope(q, { headDim: d, positions: [m], layout }),
            applyRope(k, { headDim: d, positions: [n], layout }),
          );
          const s2 = dot(
            applyRope(q, { headDim: d, positions: [m + shift], layout }),
            applyRope(k, { headDim: d, positions: [n + shift], layout }),
          );
          // Eq. 19: q^T R_{n-m} k
          const s3 = layout === 'interleaved' ? dot(q, matVec(blockDiagonalMatrix(n - m, d), k, d)) : s1;
          const scale = 1 + dot(q, q) + dot(k, k);
          return Math.abs(s1 - s2) < 2e-5 * scale && Math.abs(s1 - s3) < 2e-5 * scale;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('applyRopeWithTables equals applyRope and validates its tables', () => {
    const x = new Rng(4).normals(3 * 4 * 8);
    const t = ropeTables(4, 8);
    expectClose(applyRopeWithTables(x, t, 8, 'half'), applyRope(x, { headDim: 8, positions: 4, layout: 'half' }), 0);
    expect(() => applyRopeWithTables(x, { cos: t.cos, sin: t.sin.subarray(1) }, 8)).toThrow(ShapeError);
    expect(() => applyRopeWithTables(x.subarray(1), t, 8)).toThrow(ShapeError);
  });
});

describe('checkpoint layout conversion', () => {
  it('gives the half-to-interleaved permutation and inverts', () => {
    expect(Array.from(ropeRowPermutation(8, 'interleaved', 'half'))).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    const fwd = ropeRowPermutation(10, 'interleaved', 'half');
    const back = ropeRowPermutation(10, 'half', 'interleaved');
    for (let i = 0; i < 10; i++) expect(fwd[back[i]]).toBe(i);
  });

  it('gives identical attention scores after permuting W_q and W_k rows', () => {
    const rng = new Rng(5);
    const heads = 2;
    const d = 8;
    const inDim = 5;
    const P = 6;
    const wq = rng.normals(heads * d * inDim);
    const wk = rng.normals(heads * d * inDim);
    const xs = rng.normals(P * inDim);
    const project = (w: Float32Array): Float32Array => {
      // [heads, P, d] from x [P, inDim] and W [heads*d, inDim]
      const out = new Float32Array(heads * P * d);
      for (let h = 0; h < heads; h++)
        for (let p = 0; p < P; p++)
          for (let i = 0; i < d; i++)
            out[(h * P + p) * d + i] = dot(
              w.subarray((h * d + i) * inDim, (h * d + i + 1) * inDim),
              xs.subarray(p * inDim, (p + 1) * inDim),
            );
      return out;
    };
    const scores = (w1: Float32Array, w2: Float32Array, layout: 'interleaved' | 'half'): number[] => {
      const q = applyRope(project(w1), { headDim: d, positions: P, layout });
      const k = applyRope(project(w2), { headDim: d, positions: P, layout });
      const s: number[] = [];
      for (let h = 0; h < heads; h++)
        for (let a = 0; a < P; a++)
          for (let b = 0; b < P; b++)
            s.push(
              dot(q.subarray((h * P + a) * d, (h * P + a + 1) * d), k.subarray((h * P + b) * d, (h * P + b + 1) * d)),
            );
      return s;
    };
    const before = scores(wq, wk, 'interleaved');
    const after = scores(
      permuteRopeRows(wq, inDim, d, 'interleaved', 'half'),
      permuteRopeRows(wk, inDim, d, 'interleaved', 'half'),
      'half',
    );
    expectClose(after, before, 1e-4);
    // without the permutation the half layout gives different scores
    const wrong = scores(wq, wk, 'half');
    expect(Math.max(...wrong.map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-2);
    expect(() => permuteRopeRows(wq.subarray(1), inDim, d, 'interleaved', 'half')).toThrow(ShapeError);
  });
});

describe('axial 2-D RoPE', () => {
  it('rotates the first half of the pairs by row and the second by column', () => {
    const H = 3;
    const W = 4;
    const d = 16;
    const t = axialRopeTables(H, W, d);
    const oneD = ropeTables(Math.max(H, W), d / 2);
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++)
        for (let j = 0; j < d / 2; j++) {
          const src = j < d / 4 ? r * (d / 4) + j : c * (d / 4) + j - d / 4;
          expect(t.cos[(r * W + c) * (d / 2) + j]).toBe(oneD.cos[src]);
          expect(t.sin[(r * W + c) * (d / 2) + j]).toBe(oneD.sin[src]);
        }
    expect(() => axialRopeTables(2, 2, 6)).toThrow(/divisible by 4/);
  });

  it('scores between patches depend only on (row offset, column offset)', () => {
    const rng = new Rng(6);
    const d = 8;
    const t = axialRopeTables(5, 5, d);
    const q = rng.normals(d);
    const k = rng.normals(d);
    const at = (v: Float32Array, r: number, c: number): Float32Array => {
      const i = (r * 5 + c) * (d / 2);
      return applyRopeWithTables(v, { cos: t.cos.subarray(i, i + d / 2), sin: t.sin.subarray(i, i + d / 2) }, d);
    };
    const s1 = dot(at(q, 0, 1), at(k, 2, 4));
    const s2 = dot(at(q, 2, 0), at(k, 4, 3));
    expect(Math.abs(s1 - s2)).toBeLessThan(1e-5);
  });
});
