/**
 * Noise schedules of discrete-time diffusion: beta tables and their cumulative products
 * abar_t = prod_{s<=t} (1 - beta_s) (Ho et al. 2020, eq. 4), the continuous-time <-> index map
 * and the signal-to-noise ratio SNR_t = abar_t / (1 - abar_t) (Kingma et al. 2021, eq. 3).
 * linear: Ho et al. 2020 (1e-4..0.02); scaled_linear: Stable Diffusion / SD-Turbo (linear in
 * sqrt(beta), 0.00085..0.012); cosine: Nichol & Dhariwal 2021, eq. 17 (s = 0.008, beta <= 0.999).
 * Checked against diffusers' scheduler tables (golden values, test/diffusion/schedules.test.ts).
 */
import { ConfigError, checkFinite, checkNumber, checkOneOf, ShapeError } from '../core/errors.js';

/** The schedule families. */
export const SCHEDULE_TYPES = ['linear', 'scaled_linear', 'cosine'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** Options of `makeSchedule`. */
export interface ScheduleOptions {
  /** Number of training steps T (table length). Default 1000, integer in [2, 100000]. */
  steps?: number;
  /** First beta (linear, scaled_linear). Default 1e-4 (linear) / 0.00085 (scaled_linear); in (0, 1). */
  betaStart?: number;
  /** Last beta (linear, scaled_linear). Default 0.02 (linear) / 0.012 (scaled_linear); in (0, 1). */
  betaEnd?: number;
}

/** A schedule: betas and abar, both of length T, index 0 = least noise. */
export interface Schedule {
  betas: Float64Array;
  alphasCumprod: Float64Array;
}

/** Defaults per family (the values the reference models were trained with). */
export const SCHEDULE_DEFAULTS = {
  steps: 1000,
  linear: { betaStart: 1e-4, betaEnd: 0.02 },
  scaled_linear: { betaStart: 0.00085, betaEnd: 0.012 },
  /** Nichol & Dhariwal's offset s and beta cap. */
  cosine: { s: 0.008, maxBeta: 0.999 },
} as const;

/** `n` evenly spaced values from `a` to `b` inclusive (numpy.linspace). */
function linspace(a: number, b: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = a + ((b - a) * i) / (n - 1);
  return out;
}

/** abar_t = prod_{s<=t} (1 - beta_s) (Ho et al. 2020, eq. 4). */
export function cumprodAlphas(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let p = 1;
  for (let i = 0; i < betas.length; i++) {
    p *= 1 - betas[i];
    out[i] = p;
  }
  return out;
}

/** Cosine abar(u) for u in [0, 1] before normalisation (Nichol & Dhariwal 2021, eq. 17). */
function cosineAlphaBar(u: number, s: number): number {
  const c = Math.cos(((u + s) / (1 + s)) * (Math.PI / 2));
  return c * c;
}

/** Cosine betas: beta_t = min(1 - abar(t+1)/abar(t), 0.999) (Nichol & Dhariwal 2021, sec. 3.2). */
function cosineBetas(steps: number): Float64Array {
  const { s, maxBeta } = SCHEDULE_DEFAULTS.cosine;
  const betas = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const ratio = cosineAlphaBar((i + 1) / steps, s) / cosineAlphaBar(i / steps, s);
    betas[i] = Math.min(1 - ratio, maxBeta);
  }
  return betas;
}

/**
 * Builds a beta schedule and its abar table.
 * @example makeSchedule('scaled_linear').alphasCumprod[999] // 0.00466009 (SD-Turbo)
 */
export function makeSchedule(type: ScheduleType, options: ScheduleOptions = {}): Schedule {
  checkOneOf('schedule type', type, SCHEDULE_TYPES);
  const steps = checkNumber('steps', options.steps ?? SCHEDULE_DEFAULTS.steps, { min: 2, max: 100000, integer: true });
  let betas: Float64Array;
  if (type === 'cosine') {
    if (options.betaStart !== undefined || options.betaEnd !== undefined) {
      throw new ConfigError('the cosine schedule takes no betaStart/betaEnd (its betas follow from abar); omit them');
    }
    betas = cosineBetas(steps);
  } else {
    const d = SCHEDULE_DEFAULTS[type];
    const b0 = checkNumber('betaStart', options.betaStart ?? d.betaStart, {
      min: 0,
      max: 1,
      minExclusive: true,
      maxExclusive: true,
    });
    const b1 = checkNumber('betaEnd', options.betaEnd ?? d.betaEnd, {
      min: 0,
      max: 1,
      minExclusive: true,
      maxExclusive: true,
    });
    if (type === 'linear') betas = linspace(b0, b1, steps);
    else betas = linspace(Math.sqrt(b0), Math.sqrt(b1), steps).map((r) => r * r);
  }
  return { betas, alphasCumprod: cumprodAlphas(betas) };
}

/**
 * A schedule from a given abar table (e.g. a model's own `alphas_cumprod`): beta_t = 1 - abar_t/abar_{t-1}.
 * The table must be finite, strictly inside (0, 1] and non-increasing.
 */
export function fromAlphasCumprod(table: ArrayLike<number>): Schedule {
  if (table.length < 2) throw new ShapeError(`alphasCumprod must have at least 2 entries, got ${table.length}`);
  checkFinite('alphasCumprod', table);
  const abar = Float64Array.from(table);
  const betas = new Float64Array(abar.length);
  for (let i = 0; i < abar.length; i++) {
    if (!(abar[i] > 0 && abar[i] <= 1)) {
      throw new ConfigError(`alphasCumprod[${i}] must be in (0, 1], got ${abar[i]}`);
    }
    const prev = i === 0 ? 1 : abar[i - 1];
    if (abar[i] > prev) {
      throw new ConfigError(`alphasCumprod must be non-increasing, got ${abar[i]} > ${prev} at index ${i}`);
    }
    betas[i] = 1 - abar[i] / prev;
  }
  return { betas, alphasCumprod: abar };
}

/** DDPM index of a continuous noise level t in [0, 1]: clamp(round((T-1) t), 0, T-1) (the ChordEdit reference pipeline_chord.py). */
export function timeToIndex(t: number, steps = 1000): number {
  checkNumber('t', t);
  checkNumber('steps', steps, { min: 1, integer: true });
  return Math.min(steps - 1, Math.max(0, Math.round((steps - 1) * t)));
}

/** Continuous noise level of a DDPM index: index / (T-1) (inverse of `timeToIndex` on the grid). */
export function indexToTime(index: number, steps = 1000): number {
  checkNumber('index', index, { min: 0, max: steps - 1, integer: true });
  return index / (steps - 1);
}

/** alpha = sqrt(abar_t), sigma = sqrt(1 - abar_t) at one index (Ho et al. 2020, eq. 4). */
export function alphaSigma(alphasCumprod: ArrayLike<number>, index: number): { alpha: number; sigma: number } {
  checkNumber('index', index, { min: 0, max: alphasCumprod.length - 1, integer: true });
  const abar = alphasCumprod[index];
  return { alpha: Math.sqrt(abar), sigma: Math.sqrt(1 - abar) };
}

/** SNR_t = abar_t / (1 - abar_t) (Kingma et al. 2021, eq. 3), elementwise over a table or one value. */
export function snr(alphasCumprod: ArrayLike<number>): Float64Array;
export function snr(alphaBar: number): number;
export function snr(x: ArrayLike<number> | number): Float64Array | number {
  if (typeof x === 'number') return x / (1 - x);
  return Float64Array.from(x, (a) => a / (1 - a));
}
