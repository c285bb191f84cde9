import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  huber,
  huberObjective,
  huberValueAndGradient,
  logSumExp3,
  predictLogLoss,
} from '../../src/scaling/objective.js';

function makeRuns(n: number, seed: number) {
  // Deterministic spread of sizes and losses (no Math.random).
  const logN = new Float64Array(n);
  const logD = new Float64Array(n);
  const logL = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = ((i * 7919 + seed * 104729) % 1000) / 1000;
    const v = ((i * 6151 + seed * 3571) % 1000) / 1000;
    logN[i] = Math.log(1e7) + 7 * u;
    logD[i] = Math.log(1e8) + 7 * v;
    logL[i] = Math.log(1.8 + 400 / Math.exp(0.34 * logN[i]) + 1500 / Math.exp(0.36 * logD[i])) + 0.01 * (u - v);
  }
  return { logN, logD, logL };
}

describe('Approach-3 objective', () => {
  it('Huber is quadratic inside delta and linear outside, continuous at delta', () => {
    expect(huber(0.5e-3, 1e-3)).toBeCloseTo(0.125e-6, 15);
    expect(huber(-2e-3, 1e-3)).toBeCloseTo(1e-3 * (2e-3 - 0.5e-3), 15);
    expect(huber(1e-3 * (1 + 1e-12), 1e-3)).toBeCloseTo(huber(1e-3, 1e-3), 15);
  });

  it('LSE equals the naive log(e^x + e^y + e^z) and predicts log(E + A/N^a + B/D^b)', () => {
    expect(logSumExp3(1, 2, 3)).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), 14);
    expect(logSumExp3(1000, 1000, 1000)).toBeCloseTo(1000 + Math.log(3), 10);
    const theta = [Math.log(482), Math.log(2085), Math.log(1.8172), 0.3478, 0.3658];
    const direct = Math.log(1.8172 + 482 / 1e9 ** 0.3478 + 2085 / 2e10 ** 0.3658);
    expect(predictLogLoss(theta, Math.log(1e9), Math.log(2e10))).toBeCloseTo(direct, 12);
  });

  it('value is the sum of Huber terms of a naive implementation', () => {
    const runs = makeRuns(50, 1);
    const theta = [6, 7.5, 0.6, 0.34, 0.37];
    let naive = 0;
    for (let i = 0; i < 50; i++) {
      const pred = Math.log(
        Math.exp(theta[0] - theta[3] * runs.logN[i]) +
          Math.exp(theta[1] - theta[4] * runs.logD[i]) +
          Math.exp(theta[2]),
      );
      naive += huber(runs.logL[i] - pred, 1e-3);
    }
    expect(huberObjective(theta, runs, 1e-3)).toBeCloseTo(naive, 14);
  });

  it('the fused value equals the reference huberObjective (property, incl. the overflow-shifted branch)', () => {
    const runs = makeRuns(60, 4);
    const theta = fc.tuple(
      fc.double({ min: -5, max: 900, noNaN: true }),
      fc.double({ min: -5, max: 900, noNaN: true }),
      fc.double({ min: -800, max: 800, noNaN: true }),
      fc.double({ min: 0, max: 2, noNaN: true }),
      fc.double({ min: 0, max: 2, noNaN: true }),
    );
    const g = new Float64Array(5);
    fc.assert(
      fc.property(theta, fc.constantFrom(1e-3, 0.05, 10), (t, delta) => {
        const ref = huberObjective(t, runs, delta);
        const fast = huberValueAndGradient(t, runs, delta, g);
        expect(Math.abs(fast - ref)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref)));
      }),
      { numRuns: 200 },
    );
    // overflow (a = 800: exp(a - alpha log N) = Inf unshifted) and underflow (all three terms tiny)
    for (const t of [
      [800, 7, 0.5, 0.1, 0.3],
      [-750, -760, -745, 0.1, 0.1],
    ]) {
      expect(Number.isFinite(huberValueAndGradient(t, runs, 1e-3, g))).toBe(true);
      expect(huberValueAndGradient(t, runs, 1e-3, g) / huberObjective(t, runs, 1e-3)).toBeCloseTo(1, 12);
    }
  });

  it('analytic gradient matches central finite differences (property over theta and delta)', () => {
    const runs = makeRuns(40, 2);
    const theta = fc.tuple(
      fc.double({ min: 0, max: 12, noNaN: true }),
      fc.double({ min: 0, max: 12, noNaN: true }),
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.double({ min: 0.05, max: 1, noNaN: true }),
      fc.double({ min: 0.05, max: 1, noNaN: true }),
    );
    fc.assert(
      fc.property(theta, fc.constantFrom(1e-3, 0.05, 10), (t, delta) => {
        const g = new Float64Array(5);
        huberValueAndGradient(t, runs, delta, g);
        for (let k = 0; k < 5; k++) {
          const h = 1e-6;
          const up = [...t];
          const dn = [...t];
          up[k] += h;
          dn[k] -= h;
          const fd = (huberObjective(up, runs, delta) - huberObjective(dn, runs, delta)) / (2 * h);
          expect(Math.abs(g[k] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('integer weights equal repeating runs (the bootstrap uses counts as weights)', () => {
    const runs = makeRuns(10, 3);
    const w = Float64Array.from([0, 1, 2, 0, 3, 1, 0, 1, 1, 1]);
    const rep = { logN: [] as number[], logD: [] as number[], logL: [] as number[] };
    w.forEach((c, i) => {
      for (let j = 0; j < c; j++) {
        rep.logN.push(runs.logN[i]);
        rep.logD.push(runs.logD[i]);
        rep.logL.push(runs.logL[i]);
      }
    });
    const repeated = {
      logN: Float64Array.from(rep.logN),
      logD: Float64Array.from(rep.logD),
      logL: Float64Array.from(rep.logL),
    };
    const theta = [5, 6, 0.5, 0.3, 0.3];
    const g1 = new Float64Array(5);
    const g2 = new Float64Array(5);
    expect(huberValueAndGradient(theta, runs, 1e-3, g1, w)).toBeCloseTo(
      huberValueAndGradient(theta, repeated, 1e-3, g2),
      14,
    );
    for (let k = 0; k < 5; k++) expect(g1[k]).toBeCloseTo(g2[k], 12);
    // an unweighted call after weighted ones gives the unweighted value again; a wrong weight count is an error
    const unweighted = huberValueAndGradient(theta, runs, 1e-3, g1);
    huberValueAndGradient(theta, runs, 1e-3, g2, w);
    expect(huberValueAndGradient(theta, runs, 1e-3, g1)).toBe(unweighted);
    expect(unweighted / huberObjective(theta, runs, 1e-3)).toBeCloseTo(1, 12);
    expect(() => huberValueAndGradient(theta, runs, 1e-3, g1, new Float64Array(3))).toThrow(/one entry per run/);
  });
});
