/**
 * RoPE rotation frequencies and the context-extension scalings that real checkpoints use.
 * theta_j = base^(-2j/d), j = 0..d/2-1 (RoFormer, Su et al. 2021, Eq. 15; lecture 17 step 2).
 * Scalings: linear position interpolation (Chen et al. 2023), dynamic NTK (rescaled base, as in
 * Hugging Face `dynamic`), YaRN (Peng et al. 2023, Eq. 17-20 ramp + attention factor 0.1 ln s + 1)
 * and Llama 3.1 frequency bands. Each is checked against a naive Float64 loop in test/rope.
 */
import type { z } from 'zod';
import { parseConfig } from '../core/config.js';
import { ConfigError, checkNumber, show } from '../core/errors.js';
import { type RopeScaling, type RopeScalingType, ropeBaseSchema, ropeScalingSchema } from './config.js';

export interface RopeFrequencyOptions {
  /** Base of the geometric frequency ladder; default 10000 (Llama 3: 500000). */
  base?: number;
  /** Optional context-extension scaling. */
  scaling?: RopeScaling;
  /** dynamic NTK only: the current sequence length (default: originalMaxPositions, i.e. no change). */
  seqLen?: number;
}

/** Default pre-training context per scaling type (Llama 3.1: 8192; Llama 2 class models: 4096). */
function defaultOriginalMax(type: RopeScalingType): number {
  return type === 'llama3' ? 8192 : 4096;
}

/** Validated scaling with every default filled in. */
export type ResolvedRopeScaling = Required<z.output<typeof ropeScalingSchema>>;

/** Checks a scaling object and fills its defaults; throws ConfigError naming the bad field. */
export function resolveScaling(scaling: RopeScaling): ResolvedRopeScaling {
  if (typeof scaling !== 'object' || scaling === null) {
    throw new ConfigError(`scaling must be an object { type, factor, ... }, got ${show(scaling)}`);
  }
  const s = parseConfig(ropeScalingSchema, scaling, 'scaling');
  return {
    ...s,
    originalMaxPositions: s.originalMaxPositions ?? defaultOriginalMax(s.type),
    attentionFactor: s.attentionFactor ?? (s.type === 'yarn' ? yarnAttentionFactor(s.factor) : 1),
  };
}

/** YaRN's recommended attention factor sqrt(1/t) = 0.1 ln(s) + 1 for s > 1, else 1 (YaRN Eq. 22). */
export function yarnAttentionFactor(factor: number): number {
  return factor <= 1 ? 1 : 0.1 * Math.log(factor) + 1;
}

/** Dynamic NTK base: base * (s L'/L - (s - 1))^(d/(d-2)) once the sequence exceeds L (HF `dynamic`). */
export function dynamicNtkBase(base: number, headDim: number, factor: number, seqLen: number, maxPos: number): number {
  const len = Math.max(seqLen, maxPos);
  return base * ((factor * len) / maxPos - (factor - 1)) ** (headDim / (headDim - 2));
}

/** Plain RoPE frequencies theta_j = base^(-2j/d) (RoFormer Eq. 15), in Float64. */
function plainFrequencies(headDim: number, base: number): Float64Array {
  const half = headDim / 2;
  const out = new Float64Array(half);
  for (let j = 0; j < half; j++) out[j] = base ** ((-2 * j) / headDim);
  return out;
}

/** YaRN: dimension index whose wavelength makes `rotations` turns over L (YaRN Eq. 17 solved for d). */
function yarnCorrectionDim(rotations: number, headDim: number, base: number, maxPos: number): number {
  return (headDim * Math.log(maxPos / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
}

/** YaRN "NTK-by-parts": blend interpolated theta/s and original theta by a linear ramp over pair index. */
function yarnFrequencies(theta: Float64Array, headDim: number, base: number, sc: ResolvedRopeScaling): void {
  const lowDim = Math.max(Math.floor(yarnCorrectionDim(sc.betaFast, headDim, base, sc.originalMaxPositions)), 0);
  let highDim = Math.min(
    Math.ceil(yarnCorrectionDim(sc.betaSlow, headDim, base, sc.originalMaxPositions)),
    headDim - 1,
  );
  if (highDim === lowDim) highDim += 0.001;
  for (let j = 0; j < theta.length; j++) {
    // ramp = 0 -> keep theta (high frequency), ramp = 1 -> theta / s (low frequency)
    const ramp = Math.min(1, Math.max(0, (j - lowDim) / (highDim - lowDim)));
    theta[j] = theta[j] * (1 - ramp) + (theta[j] / sc.factor) * ramp;
  }
}

/** Llama 3.1: keep short wavelengths, divide long ones by s, interpolate smoothly in between. */
function llama3Frequencies(theta: Float64Array, sc: ResolvedRopeScaling): void {
  const L = sc.originalMaxPositions;
  const lowWave = L / sc.lowFreqFactor;
  const highWave = L / sc.highFreqFactor;
  for (let j = 0; j < theta.length; j++) {
    const wave = (2 * Math.PI) / theta[j];
    if (wave < highWave) continue;
    if (wave > lowWave) {
      theta[j] /= sc.factor;
      continue;
    }
    const smooth = (L / wave - sc.lowFreqFactor) / (sc.highFreqFactor - sc.lowFreqFactor);
    theta[j] = (1 - smooth) * (theta[j] / sc.factor) + smooth * theta[j];
  }
}

/** Checks headDim (positive even integer) and returns it. */
export function checkHeadDim(headDim: unknown): number {
  const d = checkNumber('headDim', headDim, { min: 2, integer: true });
  if (d % 2 !== 0) throw new ConfigError(`headDim must be even (pairs of dimensions rotate together), got ${d}`);
  return d;
}

/**
 * The d/2 rotation frequencies theta_j (radians per position) with optional scaling.
 * Example: `ropeInverseFrequencies(8)` -> [1, 0.1, 0.01, 0.001].
 */
export function ropeInverseFrequencies(headDim: number, options: RopeFrequencyOptions = {}): Float64Array {
  const d = checkHeadDim(headDim);
  let base = checkNumber('base', options.base ?? ropeBaseSchema.parse(undefined), { min: 1, minExclusive: true });
  if (!options.scaling) return plainFrequencies(d, base);
  const sc = resolveScaling(options.scaling);
  if (sc.type === 'dynamic') {
    if (d === 2) throw new ConfigError('dynamic NTK scaling needs headDim >= 4 (exponent d/(d-2)), got 2');
    const seqLen = checkNumber('seqLen', options.seqLen ?? sc.originalMaxPositions, { min: 1, integer: true });
    base = dynamicNtkBase(base, d, sc.factor, seqLen, sc.originalMaxPositions);
    return plainFrequencies(d, base);
  }
  const theta = plainFrequencies(d, base);
  if (sc.type === 'linear') for (let j = 0; j < theta.length; j++) theta[j] /= sc.factor;
  else if (sc.type === 'yarn') yarnFrequencies(theta, d, base, sc);
  else llama3Frequencies(theta, sc);
  return theta;
}
