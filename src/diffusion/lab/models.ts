/**
 * The lab's two networks on the engine, both MLPs of (x, time features):
 * - eps-network: eps_theta(x_t, t) = MLP(x_t, t) (Ho et al. 2020, eq. 14);
 * - energy network: E(x, t) = g(x, t) / sigma_t with a scalar MLP g, score = -grad_x E taken by the
 *   engine's autodiff, so eps_theta = -sigma score = grad_x g (Salimans & Ho 2021; Vincent 2011).
 * Both train with the same denoising loss mean |eps_theta(x_t, t) - eps|^2 (= DSM for the energy).
 * The score = -grad E identity is checked by finite differences (test/diffusion/lab.test.ts).
 */
import type { Scalar, Tensor, Tf } from '../../core/engine.js';
import { readAndDispose, tfSync } from '../../core/engine.js';
import { ShapeError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { activate, type LinearParams, linear, linearInit, type MlpParams, mlp, mlpInit } from '../../nn/index.js';
import { alphaSigma } from '../schedules.js';
import type { LabConfig } from './config.js';
import { LAB_DIM } from './data.js';
import type { EpsFn } from './samplers.js';

/**
 * The lab network's parameters (a plain tree of tf.Variables): a trunk MLP whose last layer is
 * followed by SiLU, and a linear head. The energy head has no bias: a constant shift of E has no
 * gradient in x, so it could never be trained.
 */
export interface LabParams {
  trunk: MlpParams;
  head: LinearParams;
}

/** The config fields a network needs. */
export type NetConfig = Pick<LabConfig, 'model' | 'hidden' | 'depth' | 'timeFrequencies'>;

/**
 * The network's noise-level input: u = 1 + ln(sigma) / 5, mapping sigma in [e^-5, 1] to [0, 1]
 * (conditioning on ln sigma as in Karras et al. 2022, table 1, resolves the low-noise levels that
 * a linear time input crowds into a few per cent of its range).
 */
export function noiseFeature(sigma: number): number {
  return 1 + Math.log(sigma) / 5;
}

/** Fourier features of the noise input u: [u, sin(k pi u), cos(k pi u)] for k = 1..K. [N] -> [N, 2K + 1] */
function timeEmbedding(tf: Tf, t: Tensor, frequencies: number): Tensor {
  return tf.tidy(() => {
    const k = tf.range(1, frequencies + 1).mul(Math.PI); // [K]
    const angles = t.reshape([-1, 1]).mul(k.reshape([1, -1])); // [N, K]
    return tf.concat([t.reshape([-1, 1]), tf.sin(angles), tf.cos(angles)], 1);
  });
}

/** A freshly initialised network: trunk [2 + 2K + 1, hidden x depth], head hidden -> 2 (eps) or 1 (energy). */
export function labModelInit(rng: Rng, c: NetConfig): LabParams {
  const dims = [LAB_DIM + 2 * c.timeFrequencies + 1, ...Array(c.depth).fill(c.hidden)];
  const out = c.model === 'eps' ? LAB_DIM : 1;
  return {
    trunk: mlpInit(rng.fork('trunk'), dims),
    head: linearInit(rng.fork('head'), c.hidden, out, { bias: c.model === 'eps' }),
  };
}

/** Raw network output on (x [N, 2], t [N]) -> [N, out]. */
function netOutput(p: LabParams, c: NetConfig, x: Tensor, t: Tensor): Tensor {
  const tf = tfSync();
  return tf.tidy(() => {
    const h = mlp(p.trunk, tf.concat([x, timeEmbedding(tf, t, c.timeFrequencies)], 1), { activation: 'silu' }); // [N, hidden]
    return linear(p.head, activate('silu', h));
  });
}

/** eps_theta(x_t, t) [N, 2]: the network output, or grad_x g for the energy model. u = noiseFeature(sigma_t), [N]. */
export function epsPrediction(p: LabParams, c: NetConfig, xt: Tensor, t: Tensor): Tensor {
  const tf = tfSync();
  if (xt.rank !== 2 || xt.shape[1] !== LAB_DIM) throw new ShapeError(`x must be [N, ${LAB_DIM}], got [${xt.shape}]`);
  if (c.model === 'eps') return netOutput(p, c, xt, t);
  return tf.tidy(() => tf.grad((x: Tensor) => netOutput(p, c, x, t).sum())(xt));
}

/** Energy E(x, t) = g(x, t) / sigma_t, [N] (energy model only; defined up to a t-dependent constant). */
export function energyValue(p: LabParams, c: NetConfig, x: Tensor, t: Tensor, sigma: Tensor): Tensor {
  const tf = tfSync();
  if (c.model !== 'energy') throw new ShapeError(`energyValue needs model 'energy', got '${c.model}'`);
  return tf.tidy(() => netOutput(p, c, x, t).reshape([-1]).div(sigma));
}

/** Denoising loss mean |eps_theta(alpha x0 + sigma eps, t) - eps|^2 (Ho et al. 2020, eq. 14). alpha, sigma: [N, 1]. */
export function denoisingLoss(
  p: LabParams,
  c: NetConfig,
  batch: { x0: Tensor; eps: Tensor; t: Tensor; alpha: Tensor; sigma: Tensor },
): Scalar {
  const tf = tfSync();
  return tf.tidy(() => {
    const xt = batch.x0.mul(batch.alpha).add(batch.eps.mul(batch.sigma)); // [N, 2]
    return tf.mean(tf.square(epsPrediction(p, c, xt, batch.t).sub(batch.eps))) as Scalar;
  });
}

/** The network as a batched eps-function on Float32Array for the samplers (t = DDPM index). */
export function labEpsFn(p: LabParams, c: NetConfig, alphasCumprod: Float64Array): EpsFn {
  const tf = tfSync();
  return (x, index) => {
    const n = x.length / LAB_DIM;
    const u = noiseFeature(alphaSigma(alphasCumprod, index).sigma);
    const out = tf.tidy(() => epsPrediction(p, c, tf.tensor2d(x, [n, LAB_DIM]), tf.fill([n], u)));
    return readAndDispose(out);
  };
}

/** E(x, t) at one DDPM index for points [N, 2] (energy model). */
export function labEnergy(
  p: LabParams,
  c: NetConfig,
  x: Float32Array,
  index: number,
  alphasCumprod: Float64Array,
): Float32Array {
  const tf = tfSync();
  const n = x.length / LAB_DIM;
  const { sigma } = alphaSigma(alphasCumprod, index);
  const u = noiseFeature(sigma);
  const out = tf.tidy(() => energyValue(p, c, tf.tensor2d(x, [n, LAB_DIM]), tf.fill([n], u), tf.fill([n], sigma)));
  return readAndDispose(out);
}
