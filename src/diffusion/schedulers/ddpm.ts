/**
 * DDPM ancestral sampler (Ho, Jain & Abbeel 2020, eq. 6-7: the posterior q(x_{t'} | x_t, x0_hat)),
 * shaped like diffusers' DDPMScheduler and generalised to strided timesteps t -> t' as diffusers does
 * (beta_t' := 1 - abar_t / abar_t'). Legend: abar_t = alphasCumprod[t]; t' = next inference
 * timestep (abar = 1 after the last one); x0_hat = predicted x0; tilde-beta = posterior variance.
 * Checked by test/diffusion/schedulers.test.ts (conformance, Gaussian moments, golden loop).
 */
import { checkOneOf } from '../../core/errors.js';
import { fromAlphasCumprod } from '../schedules.js';
import {
  noiseAt,
  resolveTimesteps,
  SCHEDULER_DEFAULTS,
  type Scheduler,
  type SchedulerConfig,
  type StepOptions,
  type StepResult,
  stepNoise,
  stepStart,
  validateSchedulerConfig,
} from './scheduler.js';

/** Variance of each ancestral step (Ho et al. 2020, sec. 3.2: both choices work). */
export const VARIANCE_TYPES = ['fixed_small', 'fixed_large'] as const;
export type VarianceType = (typeof VARIANCE_TYPES)[number];

export interface DdpmConfig extends SchedulerConfig {
  /** 'fixed_small' = posterior variance tilde-beta (default), 'fixed_large' = beta. */
  varianceType: VarianceType;
}

export const DDPM_DEFAULTS: DdpmConfig = { ...SCHEDULER_DEFAULTS, varianceType: 'fixed_small' };

export class DdpmScheduler implements Scheduler {
  readonly alphasCumprod: Float64Array;
  readonly config: DdpmConfig;
  timesteps: Int32Array = new Int32Array(0);

  constructor(alphasCumprod: ArrayLike<number>, config: Partial<DdpmConfig> = {}) {
    this.alphasCumprod = fromAlphasCumprod(alphasCumprod).alphasCumprod;
    this.config = validateSchedulerConfig({ ...DDPM_DEFAULTS, ...config }) as DdpmConfig;
    checkOneOf('varianceType', this.config.varianceType, VARIANCE_TYPES);
  }

  /** Chooses n inference timesteps (descending; n = T gives the original 1000-step sampler). */
  setTimesteps(n: number | ArrayLike<number>): void {
    this.timesteps = resolveTimesteps(n, this.alphasCumprod.length, this.config);
  }

  step(modelOutput: Float32Array, t: number, xt: Float32Array, opts: StepOptions = {}): StepResult {
    const c = this.config;
    // 1-4. position of t, abar_t, predicted (and clipped) x0
    const { k, abarT, predX0 } = stepStart(this, 'DdpmScheduler', modelOutput, t, xt);
    const last = k + 1 >= this.timesteps.length;
    // beta of the (possibly strided) step
    const abarPrev = last ? 1 : this.alphasCumprod[this.timesteps[k + 1]];
    const beta = 1 - abarT / abarPrev;
    // 5. posterior mean coefficients (eq. 7): mu = c0 x0_hat + ct x_t
    const c0 = (Math.sqrt(abarPrev) * beta) / (1 - abarT);
    const ct = (Math.sqrt(1 - beta) * (1 - abarPrev)) / (1 - abarT);
    // 6. x_{t'} = mu + sqrt(variance) z, no noise after the last step
    const variance = c.varianceType === 'fixed_small' ? Math.max(((1 - abarPrev) / (1 - abarT)) * beta, 1e-20) : beta;
    const noise = last ? null : stepNoise(xt.length, opts, 'DdpmScheduler');
    const std = Math.sqrt(variance);
    const prevSample = new Float32Array(xt.length);
    for (let i = 0; i < xt.length; i++) {
      prevSample[i] = c0 * predX0[i] + ct * xt[i] + (noise ? std * noise[i] : 0);
    }
    return { prevSample, predX0 };
  }

  /** Forward noising at training index t: sqrt(abar_t) x0 + sqrt(1 - abar_t) noise. */
  addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array {
    return noiseAt(this.alphasCumprod, x0, noise, t);
  }
}
