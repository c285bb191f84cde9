import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/core/errors.js';
import {
  alphaSigma,
  fromAlphasCumprod,
  indexToTime,
  makeSchedule,
  type ScheduleType,
  snr,
  timeToIndex,
} from '../../src/diffusion/index.js';

const close = (a: number, b: number, rtol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rtol * Math.abs(b));

describe('makeSchedule: published schedule values', () => {
  it("scaled_linear matches SD-Turbo abar (its scheduler config, diffusers' float32 table, within 2e-6 relative)", () => {
    const { alphasCumprod, betas } = makeSchedule('scaled_linear');
    expect(alphasCumprod.length).toBe(1000);
    expect(betas[0]).toBeCloseTo(0.00085, 12);
    expect(betas[999]).toBeCloseTo(0.012, 12);
    close(alphasCumprod[999], 0.00466009, 2e-6);
    close(alphasCumprod[899], 0.01429865, 2e-6);
    close(alphasCumprod[749], 0.05662341, 2e-6);
    close(alphasCumprod[300], 0.59050107, 2e-6);
  });

  it("alpha and sigma at idx 899, 749, 300 match SD-Turbo's table", () => {
    const { alphasCumprod } = makeSchedule('scaled_linear');
    const a899 = alphaSigma(alphasCumprod, 899);
    close(a899.alpha, 0.119577, 1e-5);
    close(a899.sigma, 0.992825, 1e-5);
    const a749 = alphaSigma(alphasCumprod, 749);
    close(a749.alpha, 0.237957, 1e-5);
    close(a749.sigma, 0.971276, 1e-5);
    const a300 = alphaSigma(alphasCumprod, 300);
    close(a300.alpha, 0.768441, 1e-5);
    close(a300.sigma, 0.639921, 1e-5);
  });

  it('linear 1e-4..0.02 ends at abar[999] = 4.0358307e-5 (DDPM, Ho et al. 2020)', () => {
    close(makeSchedule('linear').alphasCumprod[999], 4.0358307e-5, 1e-6);
  });

  it('cosine follows the closed form abar(t) = f(t)/f(0) while no beta is capped (Nichol & Dhariwal eq. 17)', () => {
    const { alphasCumprod, betas } = makeSchedule('cosine');
    const f = (u: number) => Math.cos(((u + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const i of [0, 100, 500, 900, 990]) close(alphasCumprod[i], f((i + 1) / 1000) / f(0), 1e-9);
    expect(Math.max(...betas)).toBeCloseTo(0.999, 12); // the last beta is capped
  });

  it('custom betaStart/betaEnd and steps', () => {
    const { betas } = makeSchedule('linear', { steps: 11, betaStart: 0.01, betaEnd: 0.11 });
    expect(Array.from(betas).map((b) => +b.toFixed(12))).toEqual([
      0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11,
    ]);
    const sl = makeSchedule('scaled_linear', { steps: 3, betaStart: 0.01, betaEnd: 0.09 }).betas;
    expect(sl[1]).toBeCloseTo(0.04, 12); // mean of the square roots, squared
  });
});

describe('makeSchedule: invariants (fast-check)', () => {
  const type = fc.constantFrom<ScheduleType>('linear', 'scaled_linear', 'cosine');
  it('abar is strictly decreasing, in (0, 1), and abar_t = prod (1 - beta)', () => {
    fc.assert(
      fc.property(
        type,
        fc.integer({ min: 2, max: 400 }),
        fc.double({ min: 1e-5, max: 0.05, noNaN: true }),
        fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
        (t, steps, b0, span) => {
          const opts = t === 'cosine' ? { steps } : { steps, betaStart: b0, betaEnd: Math.min(0.99, b0 + span) };
          const { alphasCumprod: a, betas } = makeSchedule(t, opts);
          let p = 1;
          for (let i = 0; i < steps; i++) {
            p *= 1 - betas[i];
            if (Math.abs(a[i] - p) > 1e-12) return false;
            if (!(a[i] > 0 && a[i] < 1)) return false;
            if (i > 0 && !(a[i] < a[i - 1])) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fromAlphasCumprod inverts makeSchedule (betas recovered)', () => {
    fc.assert(
      fc.property(type, fc.integer({ min: 2, max: 300 }), (t, steps) => {
        const s = makeSchedule(t, { steps });
        const back = fromAlphasCumprod(s.alphasCumprod);
        return s.betas.every((b, i) => Math.abs(b - back.betas[i]) < 1e-9);
      }),
    );
  });

  it('SNR is abar/(1-abar), positive and strictly decreasing', () => {
    const a = makeSchedule('scaled_linear').alphasCumprod;
    const s = snr(a);
    expect(s[300]).toBeCloseTo(0.59050107 / (1 - 0.59050107), 5);
    expect(snr(0.64)).toBeCloseTo(0.64 / 0.36, 12);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThan(s[i - 1]);
  });
});

describe('timeToIndex / indexToTime', () => {
  it('maps t to clamp(round(999 t), 0, 999)', () => {
    expect(timeToIndex(0.9)).toBe(899);
    expect(timeToIndex(0.75)).toBe(749); // round(749.25)
    expect(timeToIndex(0.3)).toBe(300); // round(299.7)
    expect(timeToIndex(1)).toBe(999);
    expect(timeToIndex(-0.5)).toBe(0);
    expect(timeToIndex(3)).toBe(999);
    expect(timeToIndex(0.5, 11)).toBe(5);
  });
  it('round-trips on the grid (fast-check)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999 }), (i) => timeToIndex(indexToTime(i)) === i));
  });
});

describe('bad input', () => {
  it('names the option and the allowed values', () => {
    expect(() => makeSchedule('quadratic' as ScheduleType)).toThrow(/schedule type must be one of 'linear'/);
    expect(() => makeSchedule('linear', { steps: 1 })).toThrow(ConfigError);
    expect(() => makeSchedule('linear', { betaStart: 0 })).toThrow(/betaStart/);
    expect(() => makeSchedule('linear', { betaEnd: Number.NaN })).toThrow(/betaEnd/);
    expect(() => makeSchedule('cosine', { betaStart: 0.1 })).toThrow(/cosine/);
    expect(() => timeToIndex(Number.NaN)).toThrow(/t must be/);
    expect(() => alphaSigma(new Float64Array([0.9, 0.5]), 2)).toThrow(/index/);
  });
  it('fromAlphasCumprod rejects increasing, out-of-range, NaN and short tables', () => {
    expect(() => fromAlphasCumprod([0.9, 0.95])).toThrow(/non-increasing/);
    expect(() => fromAlphasCumprod([0.9, 0])).toThrow(/\(0, 1\]/);
    expect(() => fromAlphasCumprod([0.9, Number.NaN])).toThrow(ShapeError);
    expect(() => fromAlphasCumprod([0.9])).toThrow(/at least 2/);
  });
});
