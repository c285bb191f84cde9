/**
 * Each RoPE scaling variant against an independent naive Float64 implementation of its published
 * rule, written per element in a different form (wavelengths / rotation counts instead of
 * frequencies) from the one in src/rope/frequencies.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRope, ropeInverseFrequencies, ropeTables, yarnAttentionFactor } from '../../src/rope/index.js';

function expectRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-300);
    if (err > rtol) throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (rel err ${err})`);
  }
}

/** Wavelength of pair j (positions per full turn): lambda_j = 2 pi base^(2j/d). */
const wavelength = (j: number, d: number, base: number): number => 2 * Math.PI * base ** ((2 * j) / d);

describe('linear position interpolation (Chen et al. 2023)', () => {
  it('angle at position m equals the unscaled angle at m / s', () => {
    const d = 16;
    const s = 4;
    const got = ropeTables([0, 3, 10, 77], d, { scaling: { type: 'linear', factor: s } });
    const plain = ropeTables([0, 3 / s, 10 / s, 77 / s], d);
    expectRelClose(got.cos, plain.cos, 1e-6);
    for (let i = 0; i < got.sin.length; i++) expect(Math.abs(got.sin[i] - plain.sin[i])).toBeLessThan(1e-6);
  });
});

describe('dynamic NTK (rescaled base)', () => {
  it('matches base * (s L/L0 - (s-1))^(d/(d-2)) once L > L0, and is plain RoPE before', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 64 }).map((n) => 2 * n),
        fc.double({ min: 1, max: 16, noNaN: true }),
        fc.integer({ min: 16, max: 4096 }),
        fc.integer({ min: 1, max: 20000 }),
        (d, s, L0, L) => {
          const got = ropeInverseFrequencies(d, {
            scaling: { type: 'dynamic', factor: s, originalMaxPositions: L0 },
            seqLen: L,
          });
          const newBase = L > L0 ? 10000 * ((s * L) / L0 - (s - 1)) ** (d / (d - 2)) : 10000;
          for (let j = 0; j < d / 2; j++) {
            const want = (2 * Math.PI) / wavelength(j, d, newBase);
            if (Math.abs(got[j] - want) > 1e-12 * want) return false;
          }
          return true;
        },
      ),
      { numRuns: 100 },
    );
  });

  it('ropeTables takes the sequence length from the largest position id', () => {
    const sc = { type: 'dynamic' as const, factor: 2, originalMaxPositions: 8 };
    const a = ropeTables(20, 8, { scaling: sc });
    const b = ropeTables(20, 8, { scaling: sc, seqLen: 20 });
    expect(a.cos).toEqual(b.cos);
    expect(ropeTables(8, 8, { scaling: sc }).cos).toEqual(ropeTables(8, 8).cos);
  });
});

describe('YaRN (Peng et al. 2023)', () => {
  /**
   * Naive NTK-by-parts from the authors' reference code: the pair index where the wavelength
   * makes r turns over L0 is d ln(L0 / (2 pi r)) / (2 ln base); the blend weight of theta/s
   * ramps linearly in the pair index between floor(index(betaFast)) and ceil(index(betaSlow)).
   */
  function naiveYarn(d: number, base: number, s: number, L0: number, fast: number, slow: number): number[] {
    const indexFor = (turns: number): number => (d * Math.log(L0 / (2 * Math.PI * turns))) / (2 * Math.log(base));
    const lo = Math.max(0, Math.floor(indexFor(fast)));
    let hi = Math.min(d - 1, Math.ceil(indexFor(slow)));
    if (hi === lo) hi += 0.001;
    const out: number[] = [];
    for (let j = 0; j < d / 2; j++) {
      const original = (2 * Math.PI) / wavelength(j, d, base);
      let w = (j - lo) / (hi - lo);
      w = Math.min(1, Math.max(0, w));
      out.push(w * (original / s) + (1 - w) * original);
    }
    return out;
  }

  it('matches the naive NTK-by-parts frequencies for random settings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 64 }).map((n) => 2 * n),
        fc.double({ min: 1.5, max: 32, noNaN: true }),
        fc.integer({ min: 256, max: 32768 }),
        fc.constantFrom(10000, 500000, 1000000),
        (d, s, L0, base) => {
          const got = ropeInverseFrequencies(d, {
            base,
            scaling: { type: 'yarn', factor: s, originalMaxPositions: L0 },
          });
          const want = naiveYarn(d, base, s, L0, 32, 1);
          return want.every((w, j) => Math.abs(got[j] - w) <= 1e-12 * w);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps fast pairs (>= betaFast turns over L0), interpolates slow ones, and scales q, k by 0.1 ln s + 1', () => {
    const d = 128;
    const s = 8;
    const L0 = 4096;
    const got = ropeInverseFrequencies(d, { scaling: { type: 'yarn', factor: s, originalMaxPositions: L0 } });
    for (let j = 0; j < d / 2; j++) {
      const theta = 10000 ** ((-2 * j) / d);
      const turns = L0 / wavelength(j, d, 10000);
      if (turns > 40) expect(got[j]).toBeCloseTo(theta, 12);
      if (turns < 0.5) expect(got[j]).toBeCloseTo(theta / s, 12);
    }
    expect(yarnAttentionFactor(s)).toBeCloseTo(1 + 0.1 * Math.log(8), 12);
    expect(yarnAttentionFactor(1)).toBe(1);
    const x = new Float32Array(d).fill(1);
    const plainNorm = Math.hypot(...applyRope(x, { headDim: d, positions: [100] }));
    const yarnNorm = Math.hypot(
      ...applyRope(x, { headDim: d, positions: [100], scaling: { type: 'yarn', factor: s } }),
    );
    expect(yarnNorm / plainNorm).toBeCloseTo(yarnAttentionFactor(s), 5);
  });
});

describe('Llama 3.1 frequency bands', () => {
  /** Naive: count turns r = L0 / lambda; r > high: keep, r < low: divide by s, between: blend linearly in r. */
  function naiveLlama3(d: number, base: number, s: number, low: number, high: number, L0: number): number[] {
    const out: number[] = [];
    for (let j = 0; j < d / 2; j++) {
      const lambda = wavelength(j, d, base);
      const turns = L0 / lambda;
      const original = (2 * Math.PI) / lambda;
      if (turns > high) out.push(original);
      else if (turns < low) out.push(original / s);
      else {
        const g = (turns - low) / (high - low);
        out.push(original * (g + (1 - g) / s));
      }
    }
    return out;
  }

  it('matches the naive band rule for Llama 3.1 settings and random ones', () => {
    const got = ropeInverseFrequencies(128, { base: 500000, scaling: { type: 'llama3', factor: 8 } });
    expectRelClose(got, naiveLlama3(128, 500000, 8, 1, 4, 8192), 1e-12);
    expect(got[0]).toBe(1);
    expect(got[63]).toBeCloseTo(500000 ** (-126 / 128) / 8, 15);
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 64 }).map((n) => 2 * n),
        fc.double({ min: 1, max: 16, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: 2.5, max: 8, noNaN: true }),
        fc.integer({ min: 512, max: 16384 }),
        (d, s, low, high, L0) => {
          const g = ropeInverseFrequencies(d, {
            base: 500000,
            scaling: { type: 'llama3', factor: s, lowFreqFactor: low, highFreqFactor: high, originalMaxPositions: L0 },
          });
          const w = naiveLlama3(d, 500000, s, low, high, L0);
          return w.every((v, j) => Math.abs(g[j] - v) <= 1e-12 * v);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects highFreqFactor <= lowFreqFactor', () => {
    expect(() =>
      ropeInverseFrequencies(8, { scaling: { type: 'llama3', factor: 8, lowFreqFactor: 4, highFreqFactor: 4 } }),
    ).toThrow(/highFreqFactor/);
  });
});
