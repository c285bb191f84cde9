/**
 * DDIM sampler (Song, Meng & Ermon 2021, eq. 12 and eq. 16 for sigma_t(eta)), shaped like
 * diffusers' DDIMScheduler: `setTimesteps(n)`, then `step(modelOutput, t, xt)` per timestep.
 * Legend: abar_t = alphasCumprod[t]; t_prev = next inference timestep (or "-1" = clean, abar = 1
 * when setAlphaToOne); x0_hat = predicted x0; eps_hat = predicted noise; eta scales the noise.
 * t_prev is the next LISTED timestep, where diffusers' DDIMScheduler uses t - T // n: the two agree on
 * 'leading' grids and on 'trailing' ones when n divides T, and differ on 'linspace' and uneven grids,
 * where t - T // n leaves a sample whose noise level is not that of the next timestep it is fed at.
 * Checked by test/diffusion/schedulers.test.ts (conformance, closed-form Gaussian flow, golden loop).
 */
import { checkNumber } from '../../core/errors.js';
import { epsFromX0, type PredictionType, toEps } from '../conversions.js';
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

export interface DdimConfig extends SchedulerConfig {
  /** Noise scale eta in [0, 1]; 0 = deterministic DDIM (default), 1 = DDPM posterior variance. */
  eta: number;
  /** abar of the final "previous" step: 1 (clean, default) or abar[0] when false. */
  setAlphaToOne: boolean;
}

export const DDIM_DEFAULTS: DdimConfig = { ...SCHEDULER_DEFAULTS, eta: 0, setAlphaToOne: true };

export class DdimScheduler implements Scheduler {
  readonly alphasCumprod: Float64Array;
  readonly config: DdimConfig;
  timesteps: Int32Array = new Int32Array(0);

  constructor(alphasCumprod: ArrayLike<number>, config: Partial<DdimConfig> = {}) {
    this.alphasCumprod = fromAlphasCumprod(alphasCumprod).alphasCumprod;
    this.config = validateSchedulerConfig({ ...DDIM_DEFAULTS, ...config }) as DdimConfig;
    checkNumber('eta', this.config.eta, { min: 0, max: 1 });
  }

  /** Chooses n inference timesteps (descending). Must be called before `step`. */
  setTimesteps(n: number | ArrayLike<number>): void {
    this.timesteps = resolveTimesteps(n, this.alphasCumprod.length, this.config);
  }

  /** abar at the step after position k (the "previous" sample in time). */
  private prevAlphaBar(k: number): number {
    if (k + 1 < this.timesteps.length) return this.alphasCumprod[this.timesteps[k + 1]];
    return this.config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  step(modelOutput: Float32Array, t: number, xt: Float32Array, opts: StepOptions = {}): StepResult {
    const c = this.config;
    // 1-3. position of t, abar_t, alpha, sigma, predicted (and clipped) x0
    const { k, abarT, alpha, sigma, predX0 } = stepStart(this, 'DdimScheduler', modelOutput, t, xt);
    const abarPrev = this.prevAlphaBar(k);
    // 4. eps from the model output; after clipping x0, re-derived so that x_t stays consistent
    const eps = c.clipSample
      ? epsFromX0(xt, predX0, alpha, sigma)
      : toEps(modelOutput, c.predictionType as PredictionType, xt, alpha, sigma);
    // 5. noise scale sigma_t(eta) (eq. 16) and the direction pointing to x_t
    const eta = checkNumber('eta', opts.eta ?? c.eta, { min: 0, max: 1 });
    const std = eta * Math.sqrt(((1 - abarPrev) / (1 - abarT)) * (1 - abarT / abarPrev));
    const dirScale = Math.sqrt(Math.max(0, 1 - abarPrev - std * std));
    // 6. x_{t_prev} = sqrt(abar_prev) x0_hat + dir * eps_hat + sigma_t z (eq. 12)
    const noise = std > 0 ? stepNoise(xt.length, opts, 'DdimScheduler') : null;
    const a = Math.sqrt(abarPrev);
    const prevSample = new Float32Array(xt.length);
    for (let i = 0; i < xt.length; i++) {
      prevSample[i] = a * predX0[i] + dirScale * eps[i] + (noise ? std * noise[i] : 0);
    }
    return { prevSample, predX0 };
  }

  /** Forward noising at training index t: sqrt(abar_t) x0 + sqrt(1 - abar_t) noise. */
  addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array {
    return noiseAt(this.alphasCumprod, x0, noise, t);
  }
}
