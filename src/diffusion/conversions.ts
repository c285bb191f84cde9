/**
 * Conversions between the quantities a diffusion model can predict at one noise level:
 * x_t = alpha x0 + sigma eps (Ho et al. 2020, eq. 4), v = alpha eps - sigma x0 (Salimans & Ho
 * 2022, sec. 4), score = grad log p_t(x_t) = -eps / sigma (Song et al. 2021, eq. 9 / Vincent 2011),
 * Tweedie x0 = (x_t + sigma^2 score) / alpha (Efron 2011), and the losses L_simple and the v-loss.
 * Elementwise on Float32Array with scalar alpha, sigma. Checked against a worked
 * example and by round-trip property tests (test/diffusion/conversions.test.ts).
 */
import { ConfigError, checkNumber, checkOneOf, ShapeError } from '../core/errors.js';

/** What a model's output means. */
export const PREDICTION_TYPES = ['epsilon', 'v_prediction', 'sample'] as const;
export type PredictionType = (typeof PREDICTION_TYPES)[number];

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, names: string): void {
  if (a.length !== b.length) throw new ShapeError(`${names} must have equal lengths, got ${a.length} and ${b.length}`);
}

function checkAlphaSigma(alpha: number, sigma: number): void {
  checkNumber('alpha', alpha, { min: 0, minExclusive: true });
  checkNumber('sigma', sigma, { min: 0 });
}

/** out_i = p a_i + q b_i (the one kernel every linear conversion below uses). */
function combine(a: Float32Array, b: Float32Array, p: number, q: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = p * a[i] + q * b[i];
  return out;
}

/** Forward noising x_t = alpha x0 + sigma eps (Ho et al. 2020, eq. 4). */
export function addNoise(x0: Float32Array, eps: Float32Array, alpha: number, sigma: number): Float32Array {
  sameLength(x0, eps, 'x0 and eps');
  checkAlphaSigma(alpha, sigma);
  return combine(x0, eps, alpha, sigma);
}

/** x0 = (x_t - sigma eps) / alpha (Ho et al. 2020, eq. 4 solved for x0). */
export function x0FromEps(xt: Float32Array, eps: Float32Array, alpha: number, sigma: number): Float32Array {
  sameLength(xt, eps, 'xt and eps');
  checkAlphaSigma(alpha, sigma);
  return combine(xt, eps, 1 / alpha, -sigma / alpha);
}

/** eps = (x_t - alpha x0) / sigma (Ho et al. 2020, eq. 4 solved for eps); needs sigma > 0. */
export function epsFromX0(xt: Float32Array, x0: Float32Array, alpha: number, sigma: number): Float32Array {
  sameLength(xt, x0, 'xt and x0');
  checkAlphaSigma(alpha, sigma);
  if (!(sigma > 0)) throw new ConfigError('epsFromX0 needs sigma > 0 (eps is undefined at zero noise), got 0');
  return combine(xt, x0, 1 / sigma, -alpha / sigma);
}

/** v = alpha eps - sigma x0 (Salimans & Ho 2022, sec. 4). */
export function vFromEpsX0(eps: Float32Array, x0: Float32Array, alpha: number, sigma: number): Float32Array {
  sameLength(eps, x0, 'eps and x0');
  checkAlphaSigma(alpha, sigma);
  return combine(eps, x0, alpha, -sigma);
}

/** x0 = (alpha x_t - sigma v) / (alpha^2 + sigma^2) (from x_t and v above; = alpha x_t - sigma v when VP). */
export function x0FromV(xt: Float32Array, v: Float32Array, alpha: number, sigma: number): Float32Array {
  sameLength(xt, v, 'xt and v');
  checkAlphaSigma(alpha, sigma);
  const n = alpha * alpha + sigma * sigma;
  return combine(xt, v, alpha / n, -sigma / n);
}

/** eps = (sigma x_t + alpha v) / (alpha^2 + sigma^2) (from x_t and v above; = sigma x_t + alpha v when VP). */
export function epsFromV(xt: Float32Array, v: Float32Array, alpha: number, sigma: number): Float32Array {
  sameLength(xt, v, 'xt and v');
  checkAlphaSigma(alpha, sigma);
  const n = alpha * alpha + sigma * sigma;
  return combine(xt, v, sigma / n, alpha / n);
}

/** score = -eps / sigma (Vincent 2011; Song et al. 2021, eq. 9); needs sigma > 0. */
export function scoreFromEps(eps: Float32Array, sigma: number): Float32Array {
  checkNumber('sigma', sigma, { min: 0, minExclusive: true });
  const out = new Float32Array(eps.length);
  for (let i = 0; i < eps.length; i++) out[i] = -eps[i] / sigma;
  return out;
}

/** eps = -sigma score (inverse of `scoreFromEps`). */
export function epsFromScore(score: Float32Array, sigma: number): Float32Array {
  checkNumber('sigma', sigma, { min: 0, minExclusive: true });
  const out = new Float32Array(score.length);
  for (let i = 0; i < score.length; i++) out[i] = -sigma * score[i];
  return out;
}

/** Tweedie's posterior mean E[x0 | x_t] = (x_t + sigma^2 score) / alpha (Efron 2011). */
export function tweedieX0(xt: Float32Array, score: Float32Array, alpha: number, sigma: number): Float32Array {
  sameLength(xt, score, 'xt and score');
  checkAlphaSigma(alpha, sigma);
  return combine(xt, score, 1 / alpha, (sigma * sigma) / alpha);
}

/** A model output of any prediction type, as eps. */
export function toEps(
  output: Float32Array,
  type: PredictionType,
  xt: Float32Array,
  alpha: number,
  sigma: number,
): Float32Array {
  switch (checkOneOf('predictionType', type, PREDICTION_TYPES)) {
    case 'epsilon':
      sameLength(output, xt, 'model output and xt');
      return output;
    case 'v_prediction':
      return epsFromV(xt, output, alpha, sigma);
    case 'sample':
      return epsFromX0(xt, output, alpha, sigma);
  }
}

/** A model output of any prediction type, as x0. */
export function toX0(
  output: Float32Array,
  type: PredictionType,
  xt: Float32Array,
  alpha: number,
  sigma: number,
): Float32Array {
  switch (checkOneOf('predictionType', type, PREDICTION_TYPES)) {
    case 'epsilon':
      return x0FromEps(xt, output, alpha, sigma);
    case 'v_prediction':
      return x0FromV(xt, output, alpha, sigma);
    case 'sample':
      sameLength(output, xt, 'model output and xt');
      return output;
  }
}

/** Mean squared difference (the per-example loss both objectives below reduce to). */
function meanSquaredError(a: Float32Array, b: Float32Array, names: string): number {
  sameLength(a, b, names);
  if (a.length === 0) throw new ShapeError(`${names} must not be empty`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** L_simple = mean (eps - eps_theta)^2 (Ho et al. 2020, eq. 14), averaged over elements. */
export function lSimple(epsPred: Float32Array, eps: Float32Array): number {
  return meanSquaredError(epsPred, eps, 'epsPred and eps');
}

/** v-loss = mean (v - v_theta)^2 with v = alpha eps - sigma x0 (Salimans & Ho 2022, sec. 4). */
export function vLoss(vPred: Float32Array, eps: Float32Array, x0: Float32Array, alpha: number, sigma: number): number {
  return meanSquaredError(vPred, vFromEpsX0(eps, x0, alpha, sigma), 'vPred and v');
}
