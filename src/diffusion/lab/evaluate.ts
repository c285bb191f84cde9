/**
 * How good is a learned score? Per noise level t: the relative score error
 * E|s_theta - s*|^2 / E|s*|^2 against the exact score s* of the noised data marginal (closed form
 * for mixtures, see mixture.ts), the same error in eps units sigma^2 E|s_theta - s*|^2, and the
 * Tweedie denoising error E|x0_hat - x0|^2 of the model next to that of the exact score (its floor).
 * Sample quality: MMD (RBF, h = 0.2) and energy distance to fresh data, with the two-sample floor.
 */
import type { Rng } from '../../core/rng.js';
import { addNoise, scoreFromEps, tweedieX0 } from '../conversions.js';
import { alphaSigma, timeToIndex } from '../schedules.js';
import { LAB_DIM } from './data.js';
import { energyDistance, mmdRbf, scaledFieldError } from './metrics.js';
import { type GaussianMixture, mixtureScore, noisedMixture } from './mixture.js';
import type { EpsFn } from './samplers.js';

/** Bandwidth of the RBF kernel in the lab's MMD (data have ~unit spread, modes ~0.15 wide). */
export const MMD_BANDWIDTH = 0.2;

export interface ScoreErrorRow {
  /** Noise level t in (0, 1] and its DDPM index. */
  t: number;
  index: number;
  sigma: number;
  /** E|s_theta - s*|^2 / E|s*|^2. */
  relativeError: number;
  /** sigma^2 E|s_theta - s*|^2 (eps units). */
  epsError: number;
  /** E|x0_hat - x0|^2 of Tweedie with the model score, and with the exact score (floor). */
  tweedieMse: number;
  tweedieMseExact: number;
}

function sumSquares(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
}

function meanSquaredDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / (a.length / LAB_DIM);
}

/** Score and Tweedie errors of `eps` against the reference mixture, at each noise level. */
export function scoreErrorByLevel(
  eps: EpsFn,
  reference: GaussianMixture,
  alphasCumprod: Float64Array,
  options: { levels: number[]; x0: Float32Array; rng: Rng },
): ScoreErrorRow[] {
  return options.levels.map((t) => {
    const index = timeToIndex(t, alphasCumprod.length);
    const { alpha, sigma } = alphaSigma(alphasCumprod, index);
    const x0 = options.x0;
    const xt = addNoise(x0, options.rng.normals(x0.length), alpha, sigma);
    const model = scoreFromEps(eps(xt, index), sigma);
    const exact = mixtureScore(noisedMixture(reference, alpha, sigma), xt);
    const diff = model.map((v, i) => v - exact[i]);
    return {
      t,
      index,
      sigma,
      relativeError: sumSquares(diff) / sumSquares(exact),
      epsError: scaledFieldError(model, exact, sigma, LAB_DIM),
      tweedieMse: meanSquaredDistance(tweedieX0(xt, model, alpha, sigma), x0),
      tweedieMseExact: meanSquaredDistance(tweedieX0(xt, exact, alpha, sigma), x0),
    };
  });
}

export interface SampleQuality {
  /** MMD^2 (RBF, h = MMD_BANDWIDTH) and energy distance between samples and fresh data. */
  mmd: number;
  energyDistance: number;
}

/** MMD and energy distance of a sample set to data [N, 2]. */
export function sampleQuality(samples: Float32Array, data: Float32Array): SampleQuality {
  return {
    mmd: mmdRbf(samples, data, LAB_DIM, MMD_BANDWIDTH),
    energyDistance: energyDistance(samples, data, LAB_DIM),
  };
}
