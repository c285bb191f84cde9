/**
 * The control field across noise draws, the quantity behind ChordEdit's argument (Lu et al. 2026,
 * sec. 3; lecture step 3: the chord average "lowers the field's kinetic energy or variance"): for K
 * independent draws eps_k, the naive field R_t^(k) and the chord field u^(k) = (t R_{t-delta}^(k) +
 * delta R_t^(k)) / (t + delta) from one batched model call, and their energy split
 * E_k mean(u_k^2) = mean(u_bar^2) + mean_i Var_k(u_k,i) (energy = mean-field energy + variance).
 * Checked in closed form on a linear eps-model in test/chordedit/field-stats.test.ts.
 */
import { ConfigError, checkLength, ShapeError } from '../core/errors.js';
import type { Denoiser, TextEmbedding } from '../diffusion/index.js';
import { chordControlField, residualFieldsPerNoise } from './chord.js';

/** Energy and variance of one field over noise draws. */
export interface FieldStats {
  /** E_k mean(u_k^2): the field's energy, averaged over draws. */
  energy: number;
  /** mean(u_bar^2), u_bar = the mean field over draws: the energy of its noise-free part. */
  meanEnergy: number;
  /** mean over elements of Var_k(u_k,i) (ddof 0), so energy = meanEnergy + variance. */
  variance: number;
  /** variance / meanEnergy: the field's noise-to-signal ratio, unchanged by the step scale lambda. */
  relativeVariance: number;
}

/** FieldStats of K fields over the elements where `mask` is non-zero (all elements without a mask). */
export function fieldStats(fields: Float32Array[], mask?: ArrayLike<number>): FieldStats {
  if (fields.length === 0) throw new ConfigError('fieldStats needs at least one field');
  const n = fields[0].length;
  for (const [k, f] of fields.entries()) checkLength(`field ${k}`, f, n);
  if (mask) checkLength('field mask', mask, n);
  let energy = 0;
  let meanEnergy = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    let sum = 0;
    let sumSq = 0;
    for (const f of fields) {
      sum += f[i];
      sumSq += f[i] * f[i];
    }
    const mean = sum / fields.length;
    energy += sumSq / fields.length;
    meanEnergy += mean * mean;
    count++;
  }
  if (count === 0) throw new ShapeError('the field mask selects no element');
  energy /= count;
  meanEnergy /= count;
  const variance = Math.max(0, energy - meanEnergy);
  return { energy, meanEnergy, variance, relativeVariance: meanEnergy > 0 ? variance / meanEnergy : Number.NaN };
}

/**
 * The chord field u^(k) and the naive field R_t^(k) of every noise draw at (t, delta), from one
 * batched model call (both times, both prompts, all draws).
 */
export async function controlFieldDraws(
  denoiser: Denoiser,
  x: Float32Array,
  noises: Float32Array[],
  t: number,
  delta: number,
  src: TextEmbedding,
  tar: TextEmbedding,
): Promise<{ chord: Float32Array[]; naive: Float32Array[] }> {
  if (!(delta > 0 && delta < t)) throw new ConfigError(`delta must be in (0, t) = (0, ${t}), got ${delta}`);
  const [rNow, rPrev] = await residualFieldsPerNoise(denoiser, x, noises, [t, t - delta], src, tar);
  return { chord: rNow.map((r, k) => chordControlField(rPrev[k], r, t, delta)), naive: rNow };
}
