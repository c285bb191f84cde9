/**
 * The five steps of ChordEdit (Lu et al., CVPR 2026; lecture 17, "ChordEdit"), each one short
 * function on plain Float32Arrays: query noising, x0 estimate, residual field R_s, chord control
 * field u = (t R_{t-delta} + delta R_t) / (t + delta), transport x + lambda u, proximal refinement.
 * Formulas from Lu et al. 2026 (sec. 3) and the reference `ChordEdit/ChordEdit` pipeline_chord.py; checked
 * exactly against the closed-form Gaussian model in test/chordedit/chord.test.ts.
 * Legend: x = the edited state, eps = the shared seeded noise, s = a query time (noise level),
 * abar[idx(s)] = alpha_s^2, sigma_s^2 = 1 - alpha_s^2, c_src / c_tar = source / target embeddings.
 */
import { ShapeError } from '../core/errors.js';
import { addNoise, alphaSigma, type Denoiser, type TextEmbedding, timeToIndex, x0FromEps } from '../diffusion/index.js';

/** DDPM index and (alpha, sigma) of a query time s (the reference's idx = clamp(round(999 s), 0, 999)). */
export function queryTime(denoiser: Denoiser, s: number): { index: number; alpha: number; sigma: number } {
  const index = timeToIndex(s, denoiser.alphasCumprod.length);
  return { index, ...alphaSigma(denoiser.alphasCumprod, index) };
}

/** Step 2.1, query noising: z_s = alpha_s x + sigma_s eps with the shared eps (Ho et al. 2020, eq. 4). */
export function queryNoise(x: Float32Array, eps: Float32Array, alpha: number, sigma: number): Float32Array {
  return addNoise(x, eps, alpha, sigma);
}

/** Step 2.2, clean estimate x0_hat = (z_s - sigma_s eps_hat) / alpha_s (Ho et al. 2020, eq. 4 solved for x0). */
export function x0Estimate(z: Float32Array, epsHat: Float32Array, alpha: number, sigma: number): Float32Array {
  return x0FromEps(z, epsHat, alpha, sigma);
}

/** Concatenates equally sized latents into one batch [B, ...]. */
export function stackLatents(parts: Float32Array[]): Float32Array {
  const size = parts[0].length;
  const out = new Float32Array(size * parts.length);
  parts.forEach((p, i) => {
    if (p.length !== size) throw new ShapeError(`latent ${i} has ${p.length} elements, expected ${size}`);
    out.set(p, i * size);
  });
  return out;
}

/**
 * Step 2 per noise draw: R_s^(k) = x0_hat(z_s^(k), c_tar) - x0_hat(z_s^(k), c_src) for every query
 * time s and noise eps_k, as [time][noise]. Every time, prompt and noise goes to the model as ONE
 * batch of 2n x (number of times) latents, as the reference batches both times and prompts.
 */
export async function residualFieldsPerNoise(
  denoiser: Denoiser,
  x: Float32Array,
  noises: Float32Array[],
  times: number[],
  src: TextEmbedding,
  tar: TextEmbedding,
): Promise<Float32Array[][]> {
  const queries = times.map((s) => queryTime(denoiser, s));
  const zs = queries.map(({ alpha, sigma }) => noises.map((eps) => queryNoise(x, eps, alpha, sigma)));
  const batch = stackLatents(zs.flatMap((perTime) => perTime.flatMap((z) => [z, z]))); // [times * 2n, ...]: (src, tar) per noise
  const cond = queries.flatMap(() => noises.flatMap(() => [src, tar]));
  const indices = queries.flatMap(({ index }) => cond.slice(0, 2 * noises.length).map(() => index));
  const epsHat = await denoiser.predictEps(batch, indices, cond);
  if (epsHat.length !== batch.length) {
    throw new ShapeError(`predictEps returned ${epsHat.length} values for ${batch.length} inputs`);
  }
  const size = x.length;
  const at = (m: number) => epsHat.subarray(m * size, (m + 1) * size);
  return queries.map(({ alpha, sigma }, j) =>
    noises.map((_, k) => {
      const first = 2 * (j * noises.length + k);
      const x0Src = x0Estimate(zs[j][k], at(first), alpha, sigma);
      const x0Tar = x0Estimate(zs[j][k], at(first + 1), alpha, sigma);
      const r = new Float32Array(size);
      for (let i = 0; i < size; i++) r[i] = x0Tar[i] - x0Src[i];
      return r;
    }),
  );
}

/**
 * Step 2, the residual fields R_s = mean over the n noises of x0_hat(z_s, c_tar) - x0_hat(z_s, c_src)
 * at each query time s (Lu et al. 2026, step 2), from one batched model call (`residualFieldsPerNoise`).
 */
export async function residualFields(
  ...args: Parameters<typeof residualFieldsPerNoise> // (denoiser, x, noises, times, src, tar)
): Promise<Float32Array[]> {
  const perNoise = await residualFieldsPerNoise(...args);
  return perNoise.map((fields) => {
    const r = new Float32Array(args[1].length);
    for (const f of fields) for (let i = 0; i < r.length; i++) r[i] += f[i] / fields.length;
    return r;
  });
}

/** Step 2 at one query time s (see `residualFields`). */
export async function residualField(
  denoiser: Denoiser,
  x: Float32Array,
  noises: Float32Array[],
  s: number,
  src: TextEmbedding,
  tar: TextEmbedding,
): Promise<Float32Array> {
  return (await residualFields(denoiser, x, noises, [s], src, tar))[0];
}

/**
 * Step 3, the chord control field u = (t R_{t-delta} + delta R_t) / (t + delta) (lecture step 3;
 * Lu et al. 2026, step 3). With delta = 0 it is R_t, the naive residual.
 */
export function chordControlField(rPrev: Float32Array, rNow: Float32Array, t: number, delta: number): Float32Array {
  if (rPrev.length !== rNow.length)
    throw new ShapeError(`R_{t-delta} and R_t differ: ${rPrev.length} vs ${rNow.length}`);
  const denom = t + delta;
  if (denom <= 1e-6) return Float32Array.from(rNow); // the reference's guard for t + delta = 0
  const a = t / denom;
  const b = delta / denom;
  const u = new Float32Array(rNow.length);
  for (let i = 0; i < u.length; i++) u[i] = a * rPrev[i] + b * rNow[i];
  return u;
}

/** Step 4, single-step transport x_pred = x + lambda u (lecture step 4, explicit Euler). */
export function transport(x: Float32Array, u: Float32Array, lambda: number): Float32Array {
  if (x.length !== u.length) throw new ShapeError(`x and u differ: ${x.length} vs ${u.length}`);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + lambda * u[i];
  return out;
}

/** The transport times linspace(t, tEnd, steps) (reference `_run_edit`; [t] for one step). */
export function transportTimes(t: number, tEnd: number, steps: number): number[] {
  if (steps === 1) return [t];
  return Array.from({ length: steps }, (_, i) => t + ((tEnd - t) * i) / (steps - 1));
}

/**
 * Step 5, proximal refinement: z_c = alpha_c x_pred + sigma_c eps with the same eps, output
 * x0_hat(z_c, c_tar) (lecture step 5; Lu et al. 2026, step 5). One model call with one latent.
 */
export async function proximalRefinement(
  denoiser: Denoiser,
  xPred: Float32Array,
  eps: Float32Array,
  tc: number,
  tar: TextEmbedding,
): Promise<Float32Array> {
  const { index, alpha, sigma } = queryTime(denoiser, tc);
  const z = queryNoise(xPred, eps, alpha, sigma);
  const epsHat = await denoiser.predictEps(z, index, [tar]);
  return x0Estimate(z, epsHat, alpha, sigma);
}

/** mean(v^2), the energy of a field (the quantity the chord bound is about). */
export function meanSquare(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return v.length === 0 ? 0 : s / v.length;
}
