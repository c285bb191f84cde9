/**
 * The shape every scheduler shares (diffusers' SchedulerMixin, without a class hierarchy): schedule
 * arrays only, no model. `setTimesteps(n)` must be called before `step`. Small pure helpers shared
 * by ddim.ts and ddpm.ts live here: inference timestep spacing (diffusers' `timestep_spacing`,
 * Lin et al. 2024, table 2) and the noise draw of stochastic steps.
 */
import { ConfigError, checkLength, checkNumber, checkOneOf, ShapeError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { addNoise, type PredictionType, toX0 } from '../conversions.js';
import { alphaSigma } from '../schedules.js';

/** How inference timesteps are placed on the training grid 0..T-1. */
export const TIMESTEP_SPACINGS = ['leading', 'trailing', 'linspace'] as const;
export type TimestepSpacing = (typeof TIMESTEP_SPACINGS)[number];

/** Per-call options of `step`. */
export interface StepOptions {
  /** Source of the step's fresh noise (DDPM, DDIM with eta > 0). */
  rng?: Rng;
  /** The step's fresh noise itself (same length as xt); wins over `rng`. */
  noise?: Float32Array;
  /** DDIM stochasticity eta in [0, 1] (0 = deterministic DDIM, 1 = DDPM-like). Default: the scheduler's. */
  eta?: number;
}

/** What `step` returns. */
export interface StepResult {
  /** x_{t_prev}. */
  prevSample: Float32Array;
  /** The clean-sample estimate x0_hat used for this step. */
  predX0: Float32Array;
}

export interface Scheduler {
  /** Inference timesteps (DDPM indices), descending; empty until `setTimesteps`. */
  readonly timesteps: Int32Array;
  /** The training schedule's abar table. */
  readonly alphasCumprod: Float64Array;
  /** n evenly spaced timesteps (per `timestepSpacing`), or an explicit descending list of indices. */
  setTimesteps(n: number | ArrayLike<number>): void;
  step(modelOutput: Float32Array, t: number, xt: Float32Array, opts?: StepOptions): StepResult;
  addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array;
}

/** Settings common to DDIM and DDPM. */
export interface SchedulerConfig {
  /** What the model predicts. Default 'epsilon'. */
  predictionType: PredictionType;
  /** Timestep placement. Default 'leading' (diffusers' default; SD-Turbo uses 'trailing'). */
  timestepSpacing: TimestepSpacing;
  /** Added to 'leading' timesteps (diffusers `steps_offset`; SD uses 1). Default 0. */
  stepsOffset: number;
  /** Clip predicted x0 to [-clipSampleRange, clipSampleRange]. Default false. */
  clipSample: boolean;
  /** Clip range. Default 1. */
  clipSampleRange: number;
}

export const SCHEDULER_DEFAULTS: SchedulerConfig = {
  predictionType: 'epsilon',
  timestepSpacing: 'leading',
  stepsOffset: 0,
  clipSample: false,
  clipSampleRange: 1,
};

/** Validates the shared settings (names the option and the allowed set). */
export function validateSchedulerConfig(c: SchedulerConfig): SchedulerConfig {
  checkOneOf('predictionType', c.predictionType, ['epsilon', 'v_prediction', 'sample'] as const);
  checkOneOf('timestepSpacing', c.timestepSpacing, TIMESTEP_SPACINGS);
  checkNumber('stepsOffset', c.stepsOffset, { min: 0, integer: true });
  checkNumber('clipSampleRange', c.clipSampleRange, { min: 0, minExclusive: true });
  return c;
}

/** n descending inference timesteps on a T-step training grid (diffusers `timestep_spacing`). */
export function spacedTimesteps(n: number, trainSteps: number, spacing: TimestepSpacing, offset = 0): Int32Array {
  checkNumber('number of inference steps', n, { min: 1, max: trainSteps, integer: true });
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let t: number;
    if (spacing === 'leading') t = (n - 1 - i) * Math.floor(trainSteps / n) + offset;
    else if (spacing === 'trailing') t = Math.round(trainSteps - (i * trainSteps) / n) - 1;
    else t = Math.round(((trainSteps - 1) * (n - 1 - i)) / Math.max(1, n - 1));
    out[i] = Math.min(trainSteps - 1, t);
  }
  return out;
}

/** Inference timesteps from a count (spaced) or an explicit list (checked: integers in [0, T), strictly descending). */
export function resolveTimesteps(
  n: number | ArrayLike<number>,
  trainSteps: number,
  c: Pick<SchedulerConfig, 'timestepSpacing' | 'stepsOffset'>,
): Int32Array {
  if (typeof n === 'number') return spacedTimesteps(n, trainSteps, c.timestepSpacing, c.stepsOffset);
  if (n.length === 0) throw new ConfigError('custom timesteps must not be empty');
  const out = new Int32Array(n.length);
  for (let i = 0; i < n.length; i++) {
    out[i] = checkNumber(`timesteps[${i}]`, n[i], { min: 0, max: trainSteps - 1, integer: true });
    if (i > 0 && !(out[i] < out[i - 1])) {
      throw new ConfigError(
        `custom timesteps must be strictly descending, got ${n[i]} after ${n[i - 1]} at position ${i}`,
      );
    }
  }
  return out;
}

/** Position of t in the timesteps; throws if `setTimesteps` was not called or t is not one of them. */
export function timestepPosition(timesteps: Int32Array, t: number, name: string): number {
  if (timesteps.length === 0) throw new ConfigError(`${name}: call setTimesteps(n) before step()`);
  const k = timesteps.indexOf(t);
  if (k < 0) throw new ConfigError(`${name}.step: t must be one of the scheduler's timesteps, got ${t}`);
  return k;
}

/**
 * The start of every `step`: checks the output's length and t, then abar_t, alpha = sqrt(abar_t),
 * sigma = sqrt(1 - abar_t), and x0_hat from the model output (clipped when configured).
 */
export function stepStart(
  s: Scheduler & { readonly config: SchedulerConfig },
  name: string,
  modelOutput: Float32Array,
  t: number,
  xt: Float32Array,
) {
  checkLength('modelOutput', modelOutput, xt.length, 'same as xt');
  const k = timestepPosition(s.timesteps, t, name);
  const abarT = s.alphasCumprod[t];
  const alpha = Math.sqrt(abarT);
  const sigma = Math.sqrt(1 - abarT);
  const predX0 = maybeClip(toX0(modelOutput, s.config.predictionType, xt, alpha, sigma), s.config);
  return { k, abarT, alpha, sigma, predX0 };
}

/** The step's fresh standard-normal noise: given, or drawn from rng; throws if neither. */
export function stepNoise(n: number, opts: StepOptions, name: string): Float32Array {
  if (opts.noise) {
    if (opts.noise.length !== n)
      throw new ShapeError(`${name}: noise must have ${n} elements, got ${opts.noise.length}`);
    return opts.noise;
  }
  if (opts.rng) return opts.rng.normals(n);
  throw new ConfigError(`${name}: this step adds noise; pass opts.rng (a seeded Rng) or opts.noise`);
}

/** Clips x0 in place to [-r, r] when asked (diffusers `clip_sample`). */
export function maybeClip(x0: Float32Array, c: SchedulerConfig): Float32Array {
  if (!c.clipSample) return x0;
  const r = c.clipSampleRange;
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) out[i] = Math.min(r, Math.max(-r, x0[i]));
  return out;
}

/** x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise at training index t (every scheduler's `addNoise`). */
export function noiseAt(alphasCumprod: Float64Array, x0: Float32Array, noise: Float32Array, t: number): Float32Array {
  const { alpha, sigma } = alphaSigma(alphasCumprod, t);
  return addNoise(x0, noise, alpha, sigma);
}
