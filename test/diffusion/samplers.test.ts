import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { alphaSigma, DdimScheduler, DdpmScheduler, makeSchedule } from '../../src/diffusion/index.js';
import { DATASETS, datasetMixture, referenceMixture, sampleDataset } from '../../src/diffusion/lab/data.js';
import { energyDistance, mmdRbf } from '../../src/diffusion/lab/metrics.js';
import { mixturePosteriorMean, mixtureScore, noisedMixture } from '../../src/diffusion/lab/mixture.js';
import {
  annealedLangevin,
  annealingLevels,
  type EpsFn,
  langevin,
  type ScoreFn,
  sampleWithScheduler,
  scoreFnFromEps,
  tweedieDenoise,
} from '../../src/diffusion/lab/samplers.js';

const abar = makeSchedule('linear').alphasCumprod;
const gmm = datasetMixture('gmm');
if (!gmm) throw new Error('gmm has a mixture');
/** Exact score / eps of the noised GMM marginal at index t. */
const exactScore: ScoreFn = (x, t) => {
  const { alpha, sigma } = alphaSigma(abar, t);
  return mixtureScore(noisedMixture(gmm, alpha, sigma), x);
};
const exactEps: EpsFn = (x, t) => exactScore(x, t).map((s) => -alphaSigma(abar, t).sigma * s);

describe('samplers with the exact score of the GMM data set', () => {
  // MMD^2 with an RBF kernel of bandwidth 0.2 (V-statistic): its floor is two independent data samples
  const mmd = (a: Float32Array, b: Float32Array) => mmdRbf(a, b, 2, 0.2);
  const data = sampleDataset('gmm', 1000, new Rng(1));
  const floor = mmd(data, sampleDataset('gmm', 1000, new Rng(2))); // measured 1.7e-3
  const prior = mmd(data, new Rng(3).normals(2000)); // uninformed N(0, I)

  it('baseline sanity: two data samples are much closer than data and N(0, I)', () => {
    expect(prior).toBeGreaterThan(10 * floor);
  });

  it.each([
    ['DDPM', () => new DdpmScheduler(abar), 100],
    ['DDIM', () => new DdimScheduler(abar), 50],
  ] as const)('%s reaches the data (MMD within 3x of the two-sample floor)', (_n, make, steps) => {
    const x = sampleWithScheduler(make(), exactEps, { n: 1000, dim: 2, steps, rng: new Rng(4) });
    expect(mmd(data, x)).toBeLessThan(3 * floor);
    expect(energyDistance(data, x, 2)).toBeLessThan(0.2 * energyDistance(data, new Rng(3).normals(2000), 2));
  });

  it('annealed Langevin (geometric noise levels) reaches the data', () => {
    const levels = annealingLevels(10, abar);
    expect(levels[0]).toBe(999);
    expect(levels[9]).toBe(10);
    // geometric in sigma: constant ratio between consecutive levels (up to index rounding)
    const sig = levels.map((i) => alphaSigma(abar, i).sigma);
    const ratios = sig.slice(1).map((v, i) => v / sig[i]);
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0], 1);
    const options = { levels, stepsPerLevel: 20, stepSize: 2e-3, n: 1000, dim: 2 };
    const x = annealedLangevin(exactScore, abar, options, new Rng(5));
    expect(mmd(data, x)).toBeLessThan(3 * floor); // measured 1.3e-3 (floor 1.7e-3)
  });

  it('scoreFnFromEps inverts eps = -sigma score', () => {
    const x = Float32Array.from([0.3, -0.2, 1, 1]);
    const back = scoreFnFromEps(exactEps, abar)(x, 400);
    for (const [i, s] of exactScore(x, 400).entries()) expect(back[i]).toBeCloseTo(s, 4);
  });

  it('Tweedie denoising with the exact score is the Bayes posterior mean and beats x_t / alpha', () => {
    const rng = new Rng(6);
    const x0 = sampleDataset('gmm', 300, rng);
    const t = 300;
    const { alpha, sigma } = alphaSigma(abar, t);
    const xt = x0.map((v) => alpha * v + sigma * rng.normal());
    const denoised = tweedieDenoise(exactScore, xt, t, abar);
    const bayes = mixturePosteriorMean(gmm, xt, alpha, sigma);
    for (const [i, v] of denoised.entries()) expect(v).toBeCloseTo(bayes[i], 3);
    const mse = (a: Float32Array) => a.reduce((s, v, i) => s + (v - x0[i]) ** 2, 0) / a.length;
    expect(mse(denoised)).toBeLessThan(0.5 * mse(xt.map((v) => v / alpha)));
  });
});

describe('Langevin on a Gaussian target', () => {
  it('converges to N(mu, s^2) (unadjusted bias: variance s^2 / (1 - eta / (4 s^2)))', () => {
    const target: ScoreFn = (x) => x.map((v, i) => -(v - (i % 2 === 0 ? 2 : 0)) / 0.25);
    const x = langevin(target, new Rng(8).normals(4000), { steps: 400, stepSize: 0.01, t: 0 }, new Rng(9));
    const xs = x.filter((_, i) => i % 2 === 0);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(Math.abs(sd - 0.5 / Math.sqrt(1 - 0.01))).toBeLessThan(0.02);
  });
  it('rejects a non-positive step size', () => {
    expect(() => langevin(exactScore, new Float32Array(2), { steps: 1, stepSize: 0, t: 0 }, new Rng(0))).toThrow(
      /stepSize/,
    );
  });
});

describe('data sets', () => {
  it.each(DATASETS)('%s is seeded, finite and of roughly unit spread', (name) => {
    const a = sampleDataset(name, 500, new Rng(11));
    expect(Array.from(a)).toEqual(Array.from(sampleDataset(name, 500, new Rng(11))));
    expect(a.every(Number.isFinite)).toBe(true);
    const r = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / 500);
    expect(r).toBeGreaterThan(0.5);
    expect(r).toBeLessThan(name === 'gaussian' ? 2.2 : 2);
  });
  it('reference mixtures: exact for gmm/gaussian, empirical for moons/spiral', () => {
    expect(referenceMixture('gmm', new Rng(0)).weights.length).toBe(8);
    expect(referenceMixture('moons', new Rng(0), 500).weights.length).toBe(500);
    expect(() => sampleDataset('swissroll' as 'moons', 5, new Rng(0))).toThrow(/data must be one of/);
  });
});
