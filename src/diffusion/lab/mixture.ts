/**
 * Isotropic Gaussian mixtures in D dimensions: the closed-form ground truth of the 2-D lab.
 * Forward noising keeps a mixture a mixture: N(m, s^2 I) -> N(alpha m, (alpha^2 s^2 + sigma^2) I)
 * (Ho et al. 2020, eq. 4), so the true score of every noised marginal and the exact posterior
 * mean E[x0 | x_t] (Bayes per component, then responsibility-weighted) are available. A Gaussian
 * is one component; an empirical data set is a mixture of point masses (s = 0).
 * Checked by finite differences and against Tweedie's formula (test/diffusion/mixture.test.ts).
 */
import { ConfigError, checkNumber, ShapeError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';

/** sum_k w_k N(m_k, s_k^2 I); means row-major [K, D]. */
export interface GaussianMixture {
  dim: number;
  weights: Float64Array;
  means: Float64Array;
  stds: Float64Array;
}

/** A mixture, validated: weights >= 0 (normalised here), stds >= 0, means [K, D]. */
export function makeMixture(
  dim: number,
  weights: ArrayLike<number>,
  means: ArrayLike<number>,
  stds: ArrayLike<number>,
): GaussianMixture {
  checkNumber('dim', dim, { min: 1, integer: true });
  const k = weights.length;
  if (k === 0) throw new ShapeError('a mixture needs at least one component');
  if (means.length !== k * dim) throw new ShapeError(`means must have K*D = ${k * dim} elements, got ${means.length}`);
  if (stds.length !== k) throw new ShapeError(`stds must have K = ${k} elements, got ${stds.length}`);
  let total = 0;
  for (let i = 0; i < k; i++) {
    if (!(weights[i] >= 0) || !Number.isFinite(weights[i]))
      throw new ConfigError(`weights[${i}] must be >= 0, got ${weights[i]}`);
    if (!(stds[i] >= 0) || !Number.isFinite(stds[i])) throw new ConfigError(`stds[${i}] must be >= 0, got ${stds[i]}`);
    total += weights[i];
  }
  if (!(total > 0)) throw new ConfigError('mixture weights must not all be zero');
  return {
    dim,
    weights: Float64Array.from(weights, (w) => w / total),
    means: Float64Array.from(means),
    stds: Float64Array.from(stds),
  };
}

/** The empirical distribution of points [N, D] as a mixture of point masses. */
export function empiricalMixture(points: Float32Array, dim: number): GaussianMixture {
  const n = points.length / dim;
  if (!Number.isInteger(n) || n === 0)
    throw new ShapeError(`points must be [N, ${dim}] with N >= 1, got ${points.length} values`);
  return makeMixture(dim, new Float64Array(n).fill(1), points, new Float64Array(n));
}

/** The marginal of x_t = alpha x0 + sigma eps for x0 ~ m: components N(alpha m_k, (alpha^2 s_k^2 + sigma^2) I). */
export function noisedMixture(m: GaussianMixture, alpha: number, sigma: number): GaussianMixture {
  return {
    dim: m.dim,
    weights: m.weights,
    means: m.means.map((v) => alpha * v),
    stds: m.stds.map((s) => Math.sqrt(alpha * alpha * s * s + sigma * sigma)),
  };
}

/** log w_k + log N(x; m_k, s_k^2 I) for every component, at one point x (offset `o` into xs). */
function componentLogits(m: GaussianMixture, xs: ArrayLike<number>, o: number, out: Float64Array): void {
  const d = m.dim;
  for (let k = 0; k < m.weights.length; k++) {
    const v = m.stds[k] * m.stds[k];
    let sq = 0;
    for (let j = 0; j < d; j++) sq += (xs[o + j] - m.means[k * d + j]) ** 2;
    out[k] = Math.log(m.weights[k]) - sq / (2 * v) - (d / 2) * Math.log(2 * Math.PI * v);
  }
}

/** Normalises logits in place into responsibilities; returns log sum exp. */
function normaliseLogits(logits: Float64Array): number {
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  let s = 0;
  for (let k = 0; k < logits.length; k++) {
    logits[k] = Math.exp(logits[k] - max);
    s += logits[k];
  }
  for (let k = 0; k < logits.length; k++) logits[k] /= s;
  return max + Math.log(s);
}

function checkPoints(m: GaussianMixture, xs: ArrayLike<number>): number {
  if (xs.length % m.dim !== 0) throw new ShapeError(`points must be [N, ${m.dim}], got ${xs.length} values`);
  if (m.stds.some((s) => !(s > 0)))
    throw new ConfigError('density and score need every component std > 0 (noise the mixture first)');
  return xs.length / m.dim;
}

/** log p(x) for points [N, D] (log-sum-exp over components). */
export function mixtureLogDensity(m: GaussianMixture, xs: ArrayLike<number>): Float64Array {
  const n = checkPoints(m, xs);
  const logits = new Float64Array(m.weights.length);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    componentLogits(m, xs, i * m.dim, logits);
    out[i] = normaliseLogits(logits);
  }
  return out;
}

/** Score grad_x log p(x) = sum_k r_k(x) (m_k - x) / s_k^2, for points [N, D]. */
export function mixtureScore(m: GaussianMixture, xs: ArrayLike<number>): Float32Array {
  const n = checkPoints(m, xs);
  const d = m.dim;
  const r = new Float64Array(m.weights.length);
  const out = new Float32Array(xs.length);
  for (let i = 0; i < n; i++) {
    componentLogits(m, xs, i * d, r);
    normaliseLogits(r);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < r.length; k++) s += (r[k] * (m.means[k * d + j] - xs[i * d + j])) / (m.stds[k] * m.stds[k]);
      out[i * d + j] = s;
    }
  }
  return out;
}

/**
 * Exact E[x0 | x_t] for x0 ~ m: per component the Gaussian posterior mean
 * m_k + alpha s_k^2 / (alpha^2 s_k^2 + sigma^2) (x_t - alpha m_k), weighted by the noised responsibilities.
 */
export function mixturePosteriorMean(
  m: GaussianMixture,
  xt: ArrayLike<number>,
  alpha: number,
  sigma: number,
): Float32Array {
  const noised = noisedMixture(m, alpha, sigma);
  const n = checkPoints(noised, xt);
  const d = m.dim;
  const r = new Float64Array(m.weights.length);
  const out = new Float32Array(xt.length);
  for (let i = 0; i < n; i++) {
    componentLogits(noised, xt, i * d, r);
    normaliseLogits(r);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < r.length; k++) {
        const gain = (alpha * m.stds[k] ** 2) / noised.stds[k] ** 2;
        s += r[k] * (m.means[k * d + j] + gain * (xt[i * d + j] - alpha * m.means[k * d + j]));
      }
      out[i * d + j] = s;
    }
  }
  return out;
}

/** n samples [n, D] from the mixture. */
export function sampleMixture(m: GaussianMixture, n: number, rng: Rng): Float32Array {
  checkNumber('n', n, { min: 1, integer: true });
  const out = new Float32Array(n * m.dim);
  for (let i = 0; i < n; i++) {
    const k = rng.categorical(m.weights);
    for (let j = 0; j < m.dim; j++) out[i * m.dim + j] = m.means[k * m.dim + j] + m.stds[k] * rng.normal();
  }
  return out;
}
