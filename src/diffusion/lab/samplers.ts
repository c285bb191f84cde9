/**
 * Samplers of the lab, model-agnostic: they see a model only as a batched eps- or score-function
 * of (x [N, D], DDPM index t). Langevin dynamics x <- x + (eta/2) score + sqrt(eta) z (Welling &
 * Teh 2011, eq. 4), annealed Langevin over decreasing noise with eta_i = eps sigma_i^2 / sigma_L^2
 * (Song & Ermon 2019, Alg. 1), DDPM / DDIM through the schedulers (pipelines own the loop), and
 * Tweedie denoising. Checked with exact mixture scores (test/diffusion/samplers.test.ts).
 */
import { ConfigError, checkNumber } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { scoreFromEps, tweedieX0 } from '../conversions.js';
import type { Scheduler } from '../schedulers/scheduler.js';
import { alphaSigma, timeToIndex } from '../schedules.js';

/** Batched eps-prediction at one DDPM index: x [N, D] -> eps [N, D]. */
export type EpsFn = (x: Float32Array, t: number) => Float32Array;
/** Batched score grad_x log p_t at one DDPM index: x [N, D] -> score [N, D]. */
export type ScoreFn = (x: Float32Array, t: number) => Float32Array;

/** score_t(x) = -eps(x, t) / sigma_t from an eps model (Song et al. 2021, eq. 9). */
export function scoreFnFromEps(eps: EpsFn, alphasCumprod: Float64Array): ScoreFn {
  return (x, t) => scoreFromEps(eps(x, t), alphaSigma(alphasCumprod, t).sigma);
}

/** Runs a scheduler's reverse loop from x_T ~ N(0, I): n points [n, dim]. */
export function sampleWithScheduler(
  scheduler: Scheduler,
  eps: EpsFn,
  options: { n: number; dim: number; steps: number; rng: Rng },
): Float32Array {
  const { n, dim, steps, rng } = options;
  scheduler.setTimesteps(steps);
  let x: Float32Array = rng.normals(n * dim);
  for (const t of scheduler.timesteps) x = scheduler.step(eps(x, t), t, x, { rng }).prevSample;
  return x;
}

/** Langevin settings. */
export interface LangevinOptions {
  /** Steps of the chain. */
  steps: number;
  /** Step size eta (> 0). */
  stepSize: number;
  /** DDPM index whose marginal p_t the chain targets. */
  t: number;
}

/** Unadjusted Langevin: x <- x + (eta/2) score(x) + sqrt(eta) z (Welling & Teh 2011, eq. 4). Mutates nothing. */
export function langevin(score: ScoreFn, start: Float32Array, options: LangevinOptions, rng: Rng): Float32Array {
  const steps = checkNumber('steps', options.steps, { min: 0, integer: true });
  const eta = checkNumber('stepSize', options.stepSize, { min: 0, minExclusive: true });
  const x = Float32Array.from(start);
  const noiseScale = Math.sqrt(eta);
  for (let k = 0; k < steps; k++) {
    const s = score(x, options.t);
    for (let i = 0; i < x.length; i++) x[i] += 0.5 * eta * s[i] + noiseScale * rng.normal();
  }
  return x;
}

/** Annealed Langevin settings (Song & Ermon 2019, Alg. 1). */
export interface AnnealedLangevinOptions {
  /** DDPM indices of the noise levels, from noisiest to cleanest. */
  levels: number[];
  /** Langevin steps per level (T in the paper). */
  stepsPerLevel: number;
  /** Base step size eps; level i uses eps * sigma_i^2 / sigma_last^2. */
  stepSize: number;
}

/** Annealed Langevin from N(0, I): Langevin at each level, step size scaled by sigma_i^2 / sigma_L^2. */
export function annealedLangevin(
  score: ScoreFn,
  alphasCumprod: Float64Array,
  options: AnnealedLangevinOptions & { n: number; dim: number },
  rng: Rng,
): Float32Array {
  const { levels, stepsPerLevel, stepSize, n, dim } = options;
  if (levels.length === 0) throw new ConfigError('annealed Langevin needs at least one noise level, got none');
  const sigmaLast = alphaSigma(alphasCumprod, levels[levels.length - 1]).sigma;
  let x: Float32Array = rng.normals(n * dim);
  for (const t of levels) {
    const sigma = alphaSigma(alphasCumprod, t).sigma;
    x = langevin(
      score,
      x,
      { steps: stepsPerLevel, stepSize: (stepSize * sigma * sigma) / (sigmaLast * sigmaLast), t },
      rng,
    );
  }
  return x;
}

/** Tweedie denoising: E[x0 | x_t] = (x_t + sigma^2 score) / alpha at DDPM index t (Tweedie's formula, Efron 2011). */
export function tweedieDenoise(score: ScoreFn, xt: Float32Array, t: number, alphasCumprod: Float64Array): Float32Array {
  const { alpha, sigma } = alphaSigma(alphasCumprod, t);
  return tweedieX0(xt, score(xt, t), alpha, sigma);
}

/**
 * `count` DDPM indices whose sigma_t are spaced geometrically from sigma(tMax) down to sigma(tMin)
 * (Song & Ermon 2019, sec. 4.2: a geometric sequence of noise levels), noisiest first.
 */
export function annealingLevels(count: number, alphasCumprod: Float64Array, tMin = 0.01, tMax = 1): number[] {
  checkNumber('count', count, { min: 1, integer: true });
  const T = alphasCumprod.length;
  const sigmaAt = (i: number) => alphaSigma(alphasCumprod, i).sigma;
  const hi = sigmaAt(timeToIndex(tMax, T));
  const lo = sigmaAt(timeToIndex(tMin, T));
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const target = count === 1 ? lo : hi * (lo / hi) ** (k / (count - 1));
    // sigma_t increases with t: the first index whose sigma reaches the target (binary search)
    let [a, b] = [0, T - 1];
    while (a < b) {
      const m = (a + b) >> 1;
      if (sigmaAt(m) < target) a = m + 1;
      else b = m;
    }
    out.push(a);
  }
  return out;
}
