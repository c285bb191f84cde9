import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { energyDistance, mmdRbf, scaledFieldError } from '../../src/diffusion/lab/metrics.js';

const f32 = (...v: number[]) => Float32Array.from(v);

describe('energy distance', () => {
  it('matches hand-computed values', () => {
    expect(energyDistance(f32(0), f32(1), 1)).toBeCloseTo(2, 6); // 2*1 - 0 - 0
    expect(energyDistance(f32(0, 2), f32(1), 1)).toBeCloseTo(1, 6); // 2*1 - (0+2+2+0)/4 - 0
    expect(energyDistance(f32(0, 0), f32(3, 4), 2)).toBeCloseTo(10, 5); // 2*5 in 2-D
  });
  const cloud = fc
    .integer({ min: 1, max: 6 })
    .chain((n) =>
      fc.float32Array({ minLength: 2 * n, maxLength: 2 * n, min: -5, max: 5, noNaN: true, noDefaultInfinity: true }),
    );
  it('is symmetric, >= 0, zero on identical sets and translation invariant (fast-check)', () => {
    fc.assert(
      fc.property(cloud, cloud, fc.double({ min: -3, max: 3, noNaN: true }), (x, y, shift) => {
        const d = energyDistance(x, y, 2);
        const shifted = (a: Float32Array) => a.map((v) => v + shift);
        return (
          d >= -1e-5 &&
          Math.abs(d - energyDistance(y, x, 2)) < 1e-5 &&
          Math.abs(energyDistance(x, x, 2)) < 1e-6 &&
          Math.abs(d - energyDistance(shifted(x), shifted(y), 2)) < 1e-3
        );
      }),
    );
  });
  it('rejects ragged or empty clouds', () => {
    expect(() => energyDistance(f32(1, 2, 3), f32(1, 2), 2)).toThrow(/\[N, 2\]/);
    expect(() => energyDistance(f32(), f32(1, 2), 2)).toThrow(/N >= 1/);
  });
});

describe('MMD with an RBF kernel', () => {
  it('matches a hand-computed value and vanishes on identical sets', () => {
    // x = {0}, y = {1}, h = 1: k(0,0) + k(1,1) - 2 k(0,1) = 2 - 2 exp(-1/2)
    expect(mmdRbf(f32(0), f32(1), 1, 1)).toBeCloseTo(2 - 2 * Math.exp(-0.5), 6);
    expect(mmdRbf(f32(0, 1, 2, 3), f32(0, 1, 2, 3), 2, 0.3)).toBeCloseTo(0, 9);
    expect(() => mmdRbf(f32(0), f32(1), 1, 0)).toThrow(/bandwidth/);
  });
});

describe('scaledFieldError', () => {
  it('is the mean over rows of |sigma (a - b)|^2', () => {
    expect(scaledFieldError(f32(1, 0, 0, 0), f32(0, 0, 0, 2), 0.5, 2)).toBeCloseTo((0.25 + 1) / 2, 6);
  });
});
