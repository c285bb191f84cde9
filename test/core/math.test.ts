import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/core/errors.js';
import {
  dot,
  logSoftmax,
  logSoftmaxRows,
  logSumExp,
  mean,
  meanOf,
  softmax,
  softmaxRows,
  variance,
} from '../../src/core/math.js';

/** Naive float64 references, written from the definitions (no max subtraction). */
const naiveSoftmax = (x: number[]) => {
  const e = x.map(Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const naiveLse = (x: number[]) => Math.log(x.map(Math.exp).reduce((a, b) => a + b, 0));

const small = fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 30 });

describe('softmax / logSoftmax / logSumExp', () => {
  it('match the naive definition for moderate inputs (property)', () => {
    fc.assert(
      fc.property(small, (x) => {
        const p = softmax(x);
        const q = naiveSoftmax(x);
        p.forEach((v, i) => {
          expect(v).toBeCloseTo(q[i], 12);
        });
        expect(logSumExp(x)).toBeCloseTo(naiveLse(x), 12);
        logSoftmax(x).forEach((v, i) => {
          expect(v).toBeCloseTo(Math.log(q[i]), 10);
        });
      }),
    );
  });

  it('sum to 1 and are shift-invariant (property)', () => {
    fc.assert(
      fc.property(small, fc.double({ min: -1e3, max: 1e3, noNaN: true }), (x, c) => {
        const p = softmax(x);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        const shifted = softmax(x.map((v) => v + c));
        p.forEach((v, i) => {
          expect(shifted[i]).toBeCloseTo(v, 9);
        });
      }),
    );
  });

  it('are stable for huge logits where the naive formula overflows', () => {
    const x = [1000, 1000 + Math.log(3)];
    expect(naiveSoftmax(x)[0]).toBeNaN();
    const p = softmax(x);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
    expect(logSumExp(x)).toBeCloseTo(1000 + Math.log(4), 12);
    expect(logSoftmax([-1000, 0])[0]).toBeCloseTo(-1000, 9);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
  });

  it('keeps Float32Array as Float32Array, else Float64Array', () => {
    expect(softmax(new Float32Array([0, 0]))).toBeInstanceOf(Float32Array);
    expect(softmax([0, 0])).toBeInstanceOf(Float64Array);
    expect(Array.from(softmax(new Float32Array([0, 0])))).toEqual([0.5, 0.5]);
  });

  it('row-wise versions equal per-row calls', () => {
    const x = new Float64Array([1, 2, 3, -1, 0, 5]);
    const rows = softmaxRows(x, 3);
    expect(Array.from(rows.subarray(0, 3))).toEqual(Array.from(softmax([1, 2, 3])));
    expect(Array.from(rows.subarray(3))).toEqual(Array.from(softmax([-1, 0, 5])));
    expect(Array.from(logSoftmaxRows(x, 3).subarray(3))).toEqual(Array.from(logSoftmax([-1, 0, 5])));
    expect(() => softmaxRows(x, 4)).toThrow(/positive divisor of 6/);
  });

  it('throw on empty input', () => {
    for (const f of [softmax, logSoftmax, logSumExp, mean, variance] as ((x: number[]) => unknown)[]) {
      expect(() => f([])).toThrow(ShapeError);
    }
  });
});

describe('dot / mean / variance', () => {
  it('dot is Σ a_i b_i and checks lengths', () => {
    expect(dot([1, 2, 3], new Float32Array([4, 5, 6]))).toBe(32);
    expect(() => dot([1, 2], [1])).toThrow(/lengths differ \(2 vs 1\)/);
    expect(() => dot([], [])).toThrow(ShapeError);
  });

  it('mean and variance match closed forms', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(variance([1, 2, 3, 4])).toBeCloseTo(1.25, 14);
    expect(variance([1, 2, 3, 4], 1)).toBeCloseTo(5 / 3, 14);
    expect(() => variance([1], 1)).toThrow(/at least 2/);
  });

  it('meanOf averages a field of records; an empty list is an error', () => {
    expect(meanOf([{ a: 1 }, { a: 4 }, { a: 10 }], (r) => r.a)).toBe(5);
    expect(() => meanOf([], (r: { a: number }) => r.a)).toThrow(ShapeError);
  });

  it('variance is accurate with a large offset (two-pass, not E[x²]−E[x]²)', () => {
    const x = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    expect(variance(x, 1)).toBeCloseTo(30, 6);
  });

  it('variance is shift-invariant and non-negative (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (x, c) => {
          const v = variance(x);
          expect(v).toBeGreaterThanOrEqual(-1e-9);
          expect(variance(x.map((a) => a + c))).toBeCloseTo(v, 5);
        },
      ),
    );
  });
});
