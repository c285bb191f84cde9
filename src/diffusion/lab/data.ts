/**
 * The 2-D data sets of the lab (seeded): two moons (as scikit-learn's make_moons), a ring of
 * Gaussians (closed-form mixture), an Archimedean spiral, and one Gaussian (the exact test case).
 * All are scaled to roughly unit spread so one noise schedule fits every set. `reference` gives
 * the ground-truth distribution used to score a model: the exact mixture when there is one,
 * else the empirical mixture of a large fresh sample (its noised score converges as n grows).
 */
import { checkNumber, checkOneOf } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { empiricalMixture, type GaussianMixture, makeMixture, sampleMixture } from './mixture.js';

export const DATASETS = ['moons', 'gmm', 'spiral', 'gaussian'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Dimension of every lab data set. */
export const LAB_DIM = 2;

/** Shape parameters of the data sets. */
export const DATA_DEFAULTS = {
  /** Jitter std of moons and spiral points (before scaling). */
  noise: 0.05,
  /** gmm: number of components on a ring, ring radius, component std. */
  gmm: { components: 8, radius: 1.5, std: 0.15 },
  /** gaussian: mean and std per coordinate (N(2, 0.5^2): closed-form posterior means for the Tweedie tests). */
  gaussian: { mean: [2, 0] as const, std: 0.5 },
  /** spiral: number of turns. */
  spiralTurns: 1.5,
} as const;

/** Two interleaved half circles (make_moons), centred and scaled by 1/0.7 to ~unit spread. */
function moons(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const theta = Math.PI * rng.uniform();
    const upper = i % 2 === 0;
    const x = upper ? Math.cos(theta) : 1 - Math.cos(theta);
    const y = upper ? Math.sin(theta) : 0.5 - Math.sin(theta);
    out[2 * i] = (x - 0.5 + DATA_DEFAULTS.noise * rng.normal()) / 0.7;
    out[2 * i + 1] = (y - 0.25 + DATA_DEFAULTS.noise * rng.normal()) / 0.7;
  }
  return out;
}

/** Archimedean spiral r = theta / (2 pi turns) * 1.8, uniform in arc parameter sqrt(u). */
function spiral(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * 2);
  const maxTheta = 2 * Math.PI * DATA_DEFAULTS.spiralTurns;
  for (let i = 0; i < n; i++) {
    const theta = maxTheta * Math.sqrt(0.05 + 0.95 * rng.uniform());
    const r = (1.8 * theta) / maxTheta;
    out[2 * i] = r * Math.cos(theta) + DATA_DEFAULTS.noise * rng.normal();
    out[2 * i + 1] = r * Math.sin(theta) + DATA_DEFAULTS.noise * rng.normal();
  }
  return out;
}

/** The closed-form mixture of a data set, or null when it has none (moons, spiral). */
export function datasetMixture(name: DatasetName): GaussianMixture | null {
  if (name === 'gmm') {
    const { components: k, radius, std } = DATA_DEFAULTS.gmm;
    const means = new Float64Array(2 * k);
    for (let i = 0; i < k; i++) {
      means[2 * i] = radius * Math.cos((2 * Math.PI * i) / k);
      means[2 * i + 1] = radius * Math.sin((2 * Math.PI * i) / k);
    }
    return makeMixture(2, new Float64Array(k).fill(1), means, new Float64Array(k).fill(std));
  }
  if (name === 'gaussian') {
    return makeMixture(2, [1], DATA_DEFAULTS.gaussian.mean, [DATA_DEFAULTS.gaussian.std]);
  }
  return null;
}

/** n points [n, 2] of the named data set. */
export function sampleDataset(name: DatasetName, n: number, rng: Rng): Float32Array {
  checkOneOf('data', name, DATASETS);
  checkNumber('n', n, { min: 1, integer: true });
  const mixture = datasetMixture(name);
  if (mixture) return sampleMixture(mixture, n, rng);
  return name === 'moons' ? moons(n, rng) : spiral(n, rng);
}

/** Ground truth for score errors: the exact mixture, or the empirical mixture of `n` fresh points. */
export function referenceMixture(name: DatasetName, rng: Rng, n = 2000): GaussianMixture {
  return datasetMixture(name) ?? empiricalMixture(sampleDataset(name, n, rng), LAB_DIM);
}
