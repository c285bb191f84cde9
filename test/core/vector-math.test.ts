import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { EXP_LIMIT, expAffine, logInto, vectorKernels } from '../../src/core/vector-math.js';

/** Distance in units in the last place between two float64 values of the same sign. */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  const d = bits[0] - bits[1];
  return Number(d < 0n ? -d : d);
}

const maxUlps = (got: Float64Array, want: (i: number) => number) => {
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, ulps(got[i], want(i)));
  return m;
};

describe('vector exp and log (WebAssembly SIMD, fdlibm algorithms)', () => {
  it('compiles with SIMD here; the scalar stand-ins give the same values', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const [simd, scalar] = [vectorKernels(memory), vectorKernels(memory, { simd: false })];
    expect([simd.simd, scalar.simd]).toEqual([true, false]);
    const heap = new Float64Array(memory.buffer);
    const rng = new Rng(3);
    for (let i = 0; i < 64; i++) heap[i] = (rng.uniform() - 0.5) * 1600;
    simd.expAffine(0, 8 * 64, 32, 0.5, -1);
    scalar.expAffine(0, 8 * 128, 32, 0.5, -1);
    for (let i = 0; i < 64; i++) expect(heap[64 + i]).toBe(heap[128 + i]);
    for (let i = 0; i < 64; i++) heap[i] = Math.exp((rng.uniform() - 0.5) * 1400);
    simd.log(0, 8 * 64, 32);
    scalar.log(0, 8 * 128, 32);
    for (let i = 0; i < 64; i++) expect(ulps(heap[64 + i], heap[128 + i])).toBeLessThanOrEqual(1);
    expect(ulps(heap[128], Math.log(heap[0]))).toBe(0);
  });

  it('expAffine equals Math.exp(c - k v) within 1 ulp, odd lengths and clamped arguments included', () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 7, 1001]) {
      const v = Float64Array.from({ length: n }, () => (rng.uniform() - 0.5) * 1600);
      const out = expAffine(v, 3, -0.9, new Float64Array(n));
      const clamp = (x: number) => Math.min(Math.max(x, -EXP_LIMIT), EXP_LIMIT);
      expect(maxUlps(out, (i) => Math.exp(clamp(3 + 0.9 * v[i])))).toBeLessThanOrEqual(1);
    }
    const edge = expAffine(Float64Array.from([800, -800, 0, 1e-300]), 0, -1, new Float64Array(4));
    expect(Array.from(edge)).toEqual([Math.exp(700), Math.exp(-700), 1, 1]);
  });

  it('logInto equals Math.log within 1 ulp over the whole normal range, and Math.log elsewhere', () => {
    const rng = new Rng(2);
    const x = Float64Array.from({ length: 5001 }, () => Math.exp((rng.uniform() - 0.5) * 1400));
    expect(maxUlps(logInto(x, new Float64Array(x.length)), (i) => Math.log(x[i]))).toBeLessThanOrEqual(1);
    const near1 = Float64Array.from({ length: 2001 }, () => 1 + (rng.uniform() - 0.5) * 1e-6);
    expect(maxUlps(logInto(near1, new Float64Array(near1.length)), (i) => Math.log(near1[i]))).toBeLessThanOrEqual(1);
    const special = Float64Array.from([0, -1, 5e-324, 1e-310, Number.POSITIVE_INFINITY, Number.NaN, 1, 2]);
    const got = logInto(special, new Float64Array(special.length));
    expect(Array.from(got)).toEqual(Array.from(special, Math.log));
  });

  it('property: exp(log x) returns x to a few ulps', () => {
    fc.assert(
      fc.property(
        fc.float64Array({ min: 1e-200, max: 1e200, noDefaultInfinity: true, noNaN: true, minLength: 1 }),
        (x) => {
          const logs = logInto(x, new Float64Array(x.length));
          const back = expAffine(logs, 0, -1, new Float64Array(x.length));
          return Array.from(x).every((v, i) => Math.abs(back[i] - v) <= 1e-13 * v);
        },
      ),
      { numRuns: 100 },
    );
  });
});
