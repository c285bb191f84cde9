import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { tweedieX0 } from '../../src/diffusion/index.js';
import {
  empiricalMixture,
  makeMixture,
  mixtureLogDensity,
  mixturePosteriorMean,
  mixtureScore,
  noisedMixture,
  sampleMixture,
} from '../../src/diffusion/lab/mixture.js';

describe('Gaussian data N(2, 0.5^2) (closed-form score), noised at abar = 0.64', () => {
  const m = makeMixture(1, [1], [2], [0.5]);
  const [alpha, sigma] = [0.8, 0.6];
  const xt = Float32Array.from([1.1]);
  it('true score of the noised marginal: -(x - alpha mu) / (alpha^2 s^2 + sigma^2) = 0.961538', () => {
    expect(mixtureScore(noisedMixture(m, alpha, sigma), xt)[0]).toBeCloseTo(0.5 / 0.52, 5);
  });
  it('exact posterior mean mu + alpha s^2 / 0.52 (x - alpha mu) = 1.807692 equals Tweedie', () => {
    const exact = 2 + ((0.8 * 0.25) / 0.52) * (1.1 - 1.6);
    expect(exact).toBeCloseTo(1.807692, 6);
    expect(mixturePosteriorMean(m, xt, alpha, sigma)[0]).toBeCloseTo(exact, 5);
    const score = mixtureScore(noisedMixture(m, alpha, sigma), xt);
    expect(tweedieX0(xt, score, alpha, sigma)[0]).toBeCloseTo(exact, 5);
  });
});

// random 2-D mixtures with 1..4 components
const mixtureArb = fc
  .integer({ min: 1, max: 4 })
  .chain((k) =>
    fc
      .tuple(
        fc.array(fc.double({ min: 0.1, max: 1, noNaN: true }), { minLength: k, maxLength: k }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2 * k, maxLength: 2 * k }),
        fc.array(fc.double({ min: 0.2, max: 1.5, noNaN: true }), { minLength: k, maxLength: k }),
      )
      .map(([w, mu, s]) => makeMixture(2, w, mu, s)),
  );
const pointArb = fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }));

describe('mixture invariants (fast-check)', () => {
  it('score = grad log p by central finite differences', () => {
    fc.assert(
      fc.property(mixtureArb, pointArb, (m, [a, b]) => {
        const h = 1e-4;
        const lp = (x: number, y: number) => mixtureLogDensity(m, [x, y])[0];
        const fd = [(lp(a + h, b) - lp(a - h, b)) / (2 * h), (lp(a, b + h) - lp(a, b - h)) / (2 * h)];
        const s = mixtureScore(m, [a, b]);
        return fd.every((g, j) => Math.abs(g - s[j]) <= 1e-4 * (1 + Math.abs(g)));
      }),
      { numRuns: 200 },
    );
  });

  it('Tweedie on the noised score equals the Bayes posterior mean', () => {
    fc.assert(
      fc.property(mixtureArb, pointArb, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (m, [a, b], abar) => {
        const alpha = Math.sqrt(abar);
        const sigma = Math.sqrt(1 - abar);
        const xt = Float32Array.from([a, b]);
        const viaScore = tweedieX0(xt, mixtureScore(noisedMixture(m, alpha, sigma), xt), alpha, sigma);
        const bayes = mixturePosteriorMean(m, xt, alpha, sigma);
        return [0, 1].every((j) => Math.abs(viaScore[j] - bayes[j]) <= 1e-3 * (1 + Math.abs(bayes[j])));
      }),
      { numRuns: 200 },
    );
  });
});

describe('densities and sampling', () => {
  it('a 1-D mixture density integrates to 1 (Riemann sum)', () => {
    const m = makeMixture(1, [1, 3], [-1, 2], [0.3, 0.7]);
    const grid = Float64Array.from({ length: 20001 }, (_, i) => -10 + i * 0.001);
    const total = mixtureLogDensity(m, grid).reduce((s, l) => s + Math.exp(l) * 0.001, 0);
    expect(total).toBeCloseTo(1, 6);
  });
  it('samples have the mixture mean and variance', () => {
    const m = makeMixture(1, [1, 3], [-1, 2], [0.3, 0.7]);
    const x = sampleMixture(m, 20000, new Rng(3));
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    // exact: mean = 0.25*-1 + 0.75*2 = 1.25; E[x^2] = 0.25*(1+0.09) + 0.75*(4+0.49) = 3.64; var = 2.0775
    expect(mean).toBeCloseTo(1.25, 1);
    expect(variance).toBeCloseTo(2.0775, 1);
  });
  it('the empirical mixture of points, once noised, scores towards the points', () => {
    const m = noisedMixture(empiricalMixture(Float32Array.from([1, 1]), 2), 1, 0.5);
    expect(Array.from(mixtureScore(m, [0, 0]))).toEqual([4, 4]); // (1 - 0) / 0.25
  });
  it('rejects bad mixtures and zero-variance scores', () => {
    expect(() => makeMixture(2, [1], [0], [1])).toThrow(/means must have/);
    expect(() => makeMixture(1, [-1], [0], [1])).toThrow(/weights\[0\]/);
    expect(() => mixtureScore(empiricalMixture(Float32Array.from([1]), 1), [0])).toThrow(/std > 0/);
    expect(() => mixtureScore(makeMixture(2, [1], [0, 0], [1]), [0, 0, 0])).toThrow(/\[N, 2\]/);
  });
});
