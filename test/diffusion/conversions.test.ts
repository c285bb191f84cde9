import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/core/errors.js';
import {
  addNoise,
  epsFromScore,
  epsFromV,
  epsFromX0,
  lSimple,
  type PredictionType,
  scoreFromEps,
  toEps,
  toX0,
  tweedieX0,
  vFromEpsX0,
  vLoss,
  x0FromEps,
  x0FromV,
} from '../../src/diffusion/index.js';

const f32 = (...v: number[]) => Float32Array.from(v);

describe('worked example by hand (abar = 0.64, x0 = 1, eps = 0.5)', () => {
  const alpha = 0.8;
  const sigma = 0.6;
  it('x_t = 1.1, v = -0.2, score = -0.8333333', () => {
    expect(addNoise(f32(1), f32(0.5), alpha, sigma)[0]).toBeCloseTo(1.1, 6);
    expect(vFromEpsX0(f32(0.5), f32(1), alpha, sigma)[0]).toBeCloseTo(-0.2, 6);
    expect(scoreFromEps(f32(0.5), sigma)[0]).toBeCloseTo(-0.8333333, 6);
  });
  it('every inverse recovers the example', () => {
    const xt = f32(1.1);
    expect(x0FromEps(xt, f32(0.5), alpha, sigma)[0]).toBeCloseTo(1, 6);
    expect(epsFromX0(xt, f32(1), alpha, sigma)[0]).toBeCloseTo(0.5, 6);
    expect(x0FromV(xt, f32(-0.2), alpha, sigma)[0]).toBeCloseTo(1, 6);
    expect(epsFromV(xt, f32(-0.2), alpha, sigma)[0]).toBeCloseTo(0.5, 6);
    expect(epsFromScore(f32(-0.8333333), sigma)[0]).toBeCloseTo(0.5, 6);
    // Tweedie with the conditional score of this one sample gives back x0 exactly
    expect(tweedieX0(xt, f32(-0.8333333), alpha, sigma)[0]).toBeCloseTo(1, 5);
  });
});

// VP noise levels: alpha = sqrt(abar), sigma = sqrt(1 - abar), abar in (1e-4, 1 - 1e-4)
const level = fc.double({ min: 1e-4, max: 1 - 1e-4, noNaN: true }).map((abar) => ({
  alpha: Math.sqrt(abar),
  sigma: Math.sqrt(1 - abar),
}));
const vec = fc
  .integer({ min: 1, max: 8 })
  .chain((n) =>
    fc.tuple(
      fc.float32Array({ minLength: n, maxLength: n, min: -5, max: 5, noNaN: true, noDefaultInfinity: true }),
      fc.float32Array({ minLength: n, maxLength: n, min: -5, max: 5, noNaN: true, noDefaultInfinity: true }),
    ),
  );
const near = (a: Float32Array, b: Float32Array, tol: number) => a.every((x, i) => Math.abs(x - b[i]) <= tol);

describe('round trips (fast-check)', () => {
  it('(x0, eps) -> x_t -> x0 and eps, through eps, x0 and v', () => {
    fc.assert(
      fc.property(vec, level, ([x0, eps], { alpha, sigma }) => {
        const xt = addNoise(x0, eps, alpha, sigma);
        const v = vFromEpsX0(eps, x0, alpha, sigma);
        // tolerance: float32 rounding of x_t amplified by 1/alpha resp. 1/sigma (>= 1e-2 here)
        const tol = 1e-5 * 10 * (1 + 1 / alpha + 1 / sigma);
        return (
          near(x0FromV(xt, v, alpha, sigma), x0, tol) &&
          near(epsFromV(xt, v, alpha, sigma), eps, tol) &&
          near(x0FromEps(xt, eps, alpha, sigma), x0, tol * 10) &&
          near(epsFromX0(xt, x0, alpha, sigma), eps, tol * 10)
        );
      }),
      { numRuns: 300 },
    );
  });

  it('score <-> eps and toEps / toX0 agree for every prediction type', () => {
    fc.assert(
      fc.property(vec, level, ([x0, eps], { alpha, sigma }) => {
        const xt = addNoise(x0, eps, alpha, sigma);
        const outputs: Record<PredictionType, Float32Array> = {
          epsilon: eps,
          v_prediction: vFromEpsX0(eps, x0, alpha, sigma),
          sample: x0,
        };
        const tol = 1e-4 * (1 + 1 / alpha + 1 / sigma);
        const types = Object.keys(outputs) as PredictionType[];
        return (
          near(epsFromScore(scoreFromEps(eps, sigma), sigma), eps, 1e-5) &&
          types.every((t) => near(toEps(outputs[t], t, xt, alpha, sigma), eps, tol * 10)) &&
          types.every((t) => near(toX0(outputs[t], t, xt, alpha, sigma), x0, tol * 10))
        );
      }),
      { numRuns: 300 },
    );
  });

  it('v-parameterisation is a rotation: |v|^2 + |x_t|^2 = |x0|^2 + |eps|^2 (alpha^2 + sigma^2 = 1)', () => {
    fc.assert(
      fc.property(vec, level, ([x0, eps], { alpha, sigma }) => {
        const xt = addNoise(x0, eps, alpha, sigma);
        const v = vFromEpsX0(eps, x0, alpha, sigma);
        const sq = (a: Float32Array) => a.reduce((s, x) => s + x * x, 0);
        return Math.abs(sq(v) + sq(xt) - sq(x0) - sq(eps)) <= 1e-4 * (1 + sq(x0) + sq(eps));
      }),
    );
  });
});

describe('losses', () => {
  it('L_simple is the mean squared eps error (hand value)', () => {
    expect(lSimple(f32(1, 2, 3), f32(1, 0, 0))).toBeCloseTo((0 + 4 + 9) / 3, 6);
  });
  it('v-loss is zero at the true v and equals L_simple / alpha^2 for an eps error with its consistent x0', () => {
    const alpha = 0.8;
    const sigma = 0.6;
    const eps = f32(0.5, -1);
    const x0 = f32(1, 2);
    const v = vFromEpsX0(eps, x0, alpha, sigma);
    expect(vLoss(v, eps, x0, alpha, sigma)).toBe(0);
    // for an eps error d (with x0_hat consistent), v error = d / alpha, so v-loss = L_simple / alpha^2
    const xt = addNoise(x0, eps, alpha, sigma);
    const epsHat = f32(0.7, -1.3);
    const x0Hat = x0FromEps(xt, epsHat, alpha, sigma);
    const vHat = vFromEpsX0(epsHat, x0Hat, alpha, sigma);
    expect(vLoss(vHat, eps, x0, alpha, sigma)).toBeCloseTo(lSimple(epsHat, eps) / alpha ** 2, 5);
  });
});

describe('bad input', () => {
  it('rejects mismatched lengths, bad alpha/sigma, unknown prediction type, empty loss input', () => {
    expect(() => addNoise(f32(1, 2), f32(1), 0.8, 0.6)).toThrow(ShapeError);
    expect(() => x0FromEps(f32(1), f32(1), 0, 1)).toThrow(/alpha/);
    expect(() => scoreFromEps(f32(1), 0)).toThrow(/sigma/);
    expect(() => epsFromX0(f32(1), f32(1), 1, 0)).toThrow(/sigma > 0/);
    expect(() => toEps(f32(1), 'flow' as PredictionType, f32(1), 0.8, 0.6)).toThrow(
      /predictionType must be one of 'epsilon', 'v_prediction', 'sample', got "flow"/,
    );
    expect(() => lSimple(f32(), f32())).toThrow(/empty/);
    expect(() => x0FromV(f32(1), f32(1), Number.NaN, 0.6)).toThrow(ConfigError);
  });
});
