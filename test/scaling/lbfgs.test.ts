import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimizeLbfgs, type ValueAndGradient } from '../../src/scaling/lbfgs.js';

/** Rosenbrock in n dimensions: sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at (1, ..., 1). */
const rosenbrock: ValueAndGradient = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
};

describe('L-BFGS', () => {
  it('minimises the 2-D Rosenbrock function from the classic start (-1.2, 1)', () => {
    const r = minimizeLbfgs(rosenbrock, [-1.2, 1], { gtol: 1e-10, ftol: 0 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
    expect(r.f).toBeLessThan(1e-12);
    expect(r.iterations).toBeLessThan(100);
  });

  it('minimises the 10-D Rosenbrock function', () => {
    const r = minimizeLbfgs(rosenbrock, new Array(10).fill(-1), { gtol: 1e-9, ftol: 0 });
    for (const v of r.x) expect(v).toBeCloseTo(1, 5);
  });

  it('finds the minimum of random convex quadratics 1/2 x^T H x - b^T x at H^-1 b (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 100, noNaN: true }), { minLength: 2, maxLength: 8 }),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (diag, b, coupling) => {
          const n = diag.length;
          // H = D + c (e e^T) / n restricted to stay positive definite: tridiagonal coupling.
          const hx = (x: Float64Array, out: Float64Array) => {
            for (let i = 0; i < n; i++) {
              out[i] = (diag[i] + 2) * x[i];
              if (i > 0) out[i] += coupling * x[i - 1];
              if (i + 1 < n) out[i] += coupling * x[i + 1];
            }
          };
          const tmp = new Float64Array(n);
          const fg: ValueAndGradient = (x, g) => {
            hx(x, tmp);
            let f = 0;
            for (let i = 0; i < n; i++) {
              g[i] = tmp[i] - b[i];
              f += 0.5 * x[i] * tmp[i] - b[i] * x[i];
            }
            return f;
          };
          const r = minimizeLbfgs(fg, new Array(n).fill(0), { gtol: 1e-10, ftol: 0 });
          // At the minimum H x = b.
          hx(r.x, tmp);
          for (let i = 0; i < n; i++) expect(tmp[i]).toBeCloseTo(b[i], 6);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('recovers from non-finite trial points (steps into a region where f is Infinity)', () => {
    // f = x^2 for x > -1, Infinity beyond: the first long step overshoots into the wall.
    const fg: ValueAndGradient = (x, g) => {
      g[0] = 2 * (x[0] - 3);
      return x[0] < -1 || x[0] > 4 ? Number.POSITIVE_INFINITY : (x[0] - 3) ** 2;
    };
    const r = minimizeLbfgs(fg, [0]);
    expect(r.x[0]).toBeCloseTo(3, 5);
  });

  it('reports a non-finite start and a gradient-norm stop', () => {
    const nan: ValueAndGradient = () => Number.NaN;
    expect(minimizeLbfgs(nan, [1]).reason).toBe('nonFinite');
    const flat: ValueAndGradient = (_x, g) => {
      g.fill(0);
      return 1;
    };
    const r = minimizeLbfgs(flat, [1, 2]);
    expect(r.reason).toBe('gtol');
    expect(r.iterations).toBe(0);
  });

  it('does not modify x0 and counts evaluations', () => {
    const x0 = [-1.2, 1];
    const r = minimizeLbfgs(rosenbrock, x0);
    expect(x0).toEqual([-1.2, 1]);
    expect(r.evaluations).toBeGreaterThan(r.iterations);
  });
});
