import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backgroundMetrics, mse, psnr, ssim } from '../../src/chordedit/index.js';
import { ShapeError } from '../../src/core/errors.js';
import type { Image } from '../../src/core/image.js';
import { Rng } from '../../src/core/rng.js';

function constant(v: number, h = 16, w = 16, c = 3): Image {
  return { data: new Float32Array(c * h * w).fill(v), channels: c, height: h, width: w };
}

function random(seed: number, h = 16, w = 16, c = 3): Image {
  const rng = new Rng(seed);
  return {
    data: Float32Array.from({ length: c * h * w }, () => rng.uniform() * 2 - 1),
    channels: c,
    height: h,
    width: w,
  };
}

/** Naive SSIM: direct 11 x 11 Gaussian window at every valid centre, one channel, float64. */
function naiveSsim(x: number[], y: number[], h: number, w: number): number[] {
  const g = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
  const gs = g.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (let cy = 5; cy < h - 5; cy++) {
    for (let cx = 5; cx < w - 5; cx++) {
      let mx = 0;
      let my = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let dy = -5; dy <= 5; dy++) {
        for (let dx = -5; dx <= 5; dx++) {
          const wt = (g[dy + 5] * g[dx + 5]) / (gs * gs);
          const a = x[(cy + dy) * w + cx + dx];
          const b = y[(cy + dy) * w + cx + dx];
          mx += wt * a;
          my += wt * b;
          sxx += wt * a * a;
          syy += wt * b * b;
          sxy += wt * a * b;
        }
      }
      const c1 = 1e-4;
      const c2 = 9e-4;
      out.push(
        ((2 * mx * my + c1) * (2 * (sxy - mx * my) + c2)) /
          ((mx * mx + my * my + c1) * (sxx - mx * mx + syy - my * my + c2)),
      );
    }
  }
  return out;
}

describe('MSE and PSNR (data range 1)', () => {
  it('match the closed form for constant images', () => {
    // -1 -> 0 and 0 -> 0.5 in [0, 1] units: MSE 0.25, PSNR 10 log10(4)
    expect(mse(constant(-1), constant(0))).toBeCloseTo(0.25, 10);
    expect(psnr(constant(-1), constant(0))).toBeCloseTo(10 * Math.log10(4), 10);
    expect(psnr(constant(0.3), constant(0.3))).toBe(Number.POSITIVE_INFINITY);
  });
  it("score only the masked pixels ('exact') or zero the rest ('pie-bench')", () => {
    const a = constant(-1, 4, 4, 1);
    const b = constant(-1, 4, 4, 1);
    b.data.fill(1, 0, 8); // top half differs by 1 in [0, 1] units
    const top = Float32Array.from({ length: 16 }, (_, i) => (i < 8 ? 1 : 0));
    const bottom = top.map((v) => 1 - v);
    expect(mse(a, b)).toBeCloseTo(0.5, 12);
    expect(mse(a, b, top)).toBeCloseTo(1, 12);
    expect(mse(a, b, bottom)).toBe(0);
    expect(mse(a, b, top, { convention: 'pie-bench' })).toBeCloseTo(0.5, 12);
  });
  it('reject images of different shapes and masks of the wrong size', () => {
    expect(() => mse(constant(0, 4, 4), constant(0, 4, 5))).toThrow(ShapeError);
    expect(() => psnr(constant(0, 4, 4), constant(0, 4, 4), new Float32Array(3))).toThrow(/mask must have/);
  });
});

describe('SSIM (Gaussian 11 x 11, sigma 1.5)', () => {
  it('is 1 for identical images and the luminance term for constant ones', () => {
    const img = random(1);
    expect(ssim(img, img)).toBeCloseTo(1, 12);
    const a = 0.25;
    const b = 0.75; // constant -0.5 and 0.5 in [-1, 1]
    expect(ssim(constant(-0.5), constant(0.5))).toBeCloseTo((2 * a * b + 1e-4) / (a * a + b * b + 1e-4), 10);
  });
  it('matches a naive direct-window SSIM', () => {
    const x = random(2, 14, 17, 1);
    const y = random(3, 14, 17, 1);
    const naive = naiveSsim(
      Array.from(x.data, (v) => (v + 1) / 2),
      Array.from(y.data, (v) => (v + 1) / 2),
      14,
      17,
    );
    const mean = naive.reduce((p, q) => p + q, 0) / naive.length;
    expect(ssim(x, y)).toBeCloseTo(mean, 7); // pixels pass through float32
  });
  it('is symmetric, at most 1, and falls as noise grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const a = random(seed);
        const b = random(seed + 1);
        expect(ssim(a, b)).toBeCloseTo(ssim(b, a), 10);
        expect(ssim(a, b)).toBeLessThanOrEqual(1 + 1e-12);
      }),
      { numRuns: 20 },
    );
    const a = random(9);
    const noisy = (s: number) => ({ ...a, data: a.data.map((v, i) => v + s * Math.sin(i * 12.9898)) });
    expect(ssim(a, noisy(0.05))).toBeGreaterThan(ssim(a, noisy(0.2)));
  });
  it('background metrics ignore changes inside the edit mask', () => {
    const a = random(4);
    const b = { ...a, data: Float32Array.from(a.data) };
    const editMask = new Float32Array(256);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 4; x++) editMask[y * 16 + x] = 1;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 16; y++) for (let x = 0; x < 4; x++) b.data[c * 256 + y * 16 + x] = 1;
    const m = backgroundMetrics(a, b, editMask);
    expect(m.mse).toBe(0);
    expect(m.psnr).toBe(Number.POSITIVE_INFINITY);
    expect(psnr(a, b)).toBeLessThan(30);
  });
});
