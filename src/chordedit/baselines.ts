/**
 * The baselines ChordEdit is compared with, on the same Denoiser interface and noise: SDEdit (Meng
 * et al. 2022, Algorithm 1: noise the source to t, then solve the reverse SDE with fresh noise; here
 * k DDPM ancestral steps, Ho et al. 2020 eq. 6-7, with the target prompt), its deterministic variant
 * (k DDIM steps, the probability-flow ODE), and DDIM inversion (Song et al. 2021, eq. 12 run
 * backwards; Mokady et al. 2023, `next_step`) followed by k-step DDIM regeneration with the target
 * prompt. The naive residual (delta = 0) is ChordEdit itself with delta = 0 (./editor.ts). Steps
 * come from the diffusion module's DdimScheduler / DdpmScheduler. Checked against the Gaussian
 * model's posterior and probability-flow ODE in test/chordedit/baselines.test.ts.
 */
import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import {
  DdimScheduler,
  DdpmScheduler,
  type Denoiser,
  type Scheduler,
  type TextEmbedding,
  timeToIndex,
} from '../diffusion/index.js';
import { queryNoise, x0Estimate } from './chord.js';

/**
 * k DDPM indices from idx(t) down towards 0, evenly spaced: round(idx(t) (k - i) / k), i = 0..k-1.
 * After the last one DDIM steps to the clean sample (abar = 1).
 */
export function editTimesteps(t: number, k: number, trainSteps = 1000): Int32Array {
  const top = timeToIndex(t, trainSteps);
  const grid = Int32Array.from({ length: k }, (_, i) => Math.round((top * (k - i)) / k));
  for (let i = 0; i < k; i++) {
    if (grid[i] < 1 || (i > 0 && grid[i] >= grid[i - 1])) {
      throw new ConfigError(`steps = ${k} is too many for t = ${t} (DDPM index ${top}); use at most ${top} steps`);
    }
  }
  return grid;
}

/** The scheduler's steps from z at its first timestep to the clean sample, conditioned on `cond` (one model call per step). */
async function denoiseWith(
  scheduler: Scheduler,
  denoiser: Denoiser,
  z: Float32Array,
  grid: Int32Array,
  cond: TextEmbedding,
  rng?: Rng,
): Promise<Float32Array> {
  // Custom timesteps, as diffusers' `set_timesteps(timesteps=[...])`: the edit starts at idx(t).
  scheduler.setTimesteps(grid);
  let x = z;
  for (const tau of scheduler.timesteps) {
    const epsHat = await denoiser.predictEps(x, tau, [cond]);
    x = scheduler.step(epsHat, tau, x, { rng }).prevSample;
  }
  return x;
}

/** k deterministic DDIM steps (eta 0) from z at grid[0] to the clean sample. */
export function ddimDenoise(
  denoiser: Denoiser,
  z: Float32Array,
  grid: Int32Array,
  cond: TextEmbedding,
): Promise<Float32Array> {
  const scheduler = new DdimScheduler(denoiser.alphasCumprod, { eta: 0, setAlphaToOne: true });
  return denoiseWith(scheduler, denoiser, z, grid, cond);
}

/** k DDPM ancestral steps (posterior variance, fresh noise from `rng` at every step but the last) from z at grid[0]. */
export function ddpmDenoise(
  denoiser: Denoiser,
  z: Float32Array,
  grid: Int32Array,
  cond: TextEmbedding,
  rng: Rng,
): Promise<Float32Array> {
  const scheduler = new DdpmScheduler(denoiser.alphasCumprod, { varianceType: 'fixed_small' });
  return denoiseWith(scheduler, denoiser, z, grid, cond, rng);
}

/**
 * DDIM inversion from the clean x up to grid[0]: for each index tau (ascending) the model's eps at
 * tau is evaluated on the current state, x0_hat is taken at the previous level and re-noised to tau.
 */
export async function ddimInvert(
  denoiser: Denoiser,
  x: Float32Array,
  grid: Int32Array,
  cond: TextEmbedding,
): Promise<Float32Array> {
  const abar = denoiser.alphasCumprod;
  let z = x;
  let prevAbar = 1; // the clean end of the grid
  for (let i = grid.length - 1; i >= 0; i--) {
    const tau = grid[i];
    const epsHat = await denoiser.predictEps(z, tau, [cond]);
    const x0 = x0Estimate(z, epsHat, Math.sqrt(prevAbar), Math.sqrt(1 - prevAbar));
    z = queryNoise(x0, epsHat, Math.sqrt(abar[tau]), Math.sqrt(1 - abar[tau]));
    prevAbar = abar[tau];
  }
  return z;
}

/** How SDEdit solves the reverse process: Meng et al.'s reverse SDE (DDPM ancestral steps, fresh noise from `rng`) or the ODE (DDIM). */
export type SdeditSampler = { kind: 'ancestral'; rng: Rng } | { kind: 'ddim' };

/**
 * SDEdit (Meng et al. 2022): z_t at idx(t), then k steps with the target prompt: DDPM ancestral
 * steps with fresh seeded noise (the reverse SDE, Ho et al. 2020 eq. 6-7; the method as published)
 * or DDIM steps (the probability-flow ODE; a deterministic variant).
 */
export function sdedit(
  denoiser: Denoiser,
  x: Float32Array,
  eps: Float32Array,
  t: number,
  steps: number,
  tar: TextEmbedding,
  sampler: SdeditSampler,
): Promise<Float32Array> {
  const grid = editTimesteps(t, steps, denoiser.alphasCumprod.length);
  const abar = denoiser.alphasCumprod[grid[0]];
  const z = queryNoise(x, eps, Math.sqrt(abar), Math.sqrt(1 - abar)); // Meng et al. 2022, Algorithm 1, line 1
  if (sampler.kind === 'ancestral') return ddpmDenoise(denoiser, z, grid, tar, sampler.rng);
  return ddimDenoise(denoiser, z, grid, tar);
}

/** DDIM inversion to idx(t) with the source prompt, then k-step DDIM regeneration with the target prompt. */
export async function ddimInversionEdit(
  denoiser: Denoiser,
  x: Float32Array,
  t: number,
  steps: number,
  src: TextEmbedding,
  tar: TextEmbedding,
): Promise<Float32Array> {
  const grid = editTimesteps(t, steps, denoiser.alphasCumprod.length);
  const zT = await ddimInvert(denoiser, x, grid, src);
  return ddimDenoise(denoiser, zT, grid, tar);
}
