/**
 * A closed-form denoiser for exact tests: class-conditional Gaussian data x0 | c ~ N(mu_c, diag(s^2)).
 * Then x_t = alpha x0 + sigma eps is Gaussian and the optimal (MMSE) predictions are exact:
 * E[x0 | x_t, c] = mu_c + k (x_t - alpha mu_c), k = alpha s^2 / (alpha^2 s^2 + sigma^2) (Gaussian
 * conditioning; Tweedie, Efron 2011), and eps_hat = (x_t - alpha x0_hat) / sigma. Hence the residual
 * field R_s = (mu_tar - mu_src) sigma_s^2 / (alpha_s^2 s^2 + sigma_s^2) does not depend on the noise.
 */
import { ConfigError, ShapeError } from '../core/errors.js';
import {
  type Denoiser,
  makeSchedule,
  type TextEmbedding,
  type TextEncoder,
  type Timesteps,
  timestepsPerItem,
} from '../diffusion/index.js';

/** The Gaussian model's parameters. */
export interface GaussianModelSpec {
  /** One latent's shape. */
  latentShape: number[];
  /** Class means mu_c, each of the latent's size. */
  means: Float32Array[];
  /** Per-element data variance s^2 > 0 (a number or one value per element). */
  variance: number | Float32Array;
  /** abar table (default: SD-Turbo's scaled_linear 1000-step schedule). */
  alphasCumprod?: Float64Array;
}

/** Closed-form E[x0 | z, c] = mu + k (z - alpha mu), k = alpha s^2 / (alpha^2 s^2 + sigma^2). */
export function gaussianPosteriorMean(
  z: Float32Array,
  mu: Float32Array,
  variance: number | Float32Array,
  alpha: number,
  sigma: number,
): Float32Array {
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const s2 = typeof variance === 'number' ? variance : variance[i];
    const k = (alpha * s2) / (alpha * alpha * s2 + sigma * sigma);
    out[i] = mu[i] + k * (z[i] - alpha * mu[i]);
  }
  return out;
}

/** The exact eps-prediction of Gaussian class-conditional data (x0 | c ~ N(mu_c, s^2)). */
export class GaussianDenoiser implements Denoiser {
  readonly latentShape: readonly number[];
  readonly alphasCumprod: Float64Array;
  readonly size: number;

  constructor(readonly spec: GaussianModelSpec) {
    this.latentShape = Object.freeze([...spec.latentShape]);
    this.size = spec.latentShape.reduce((a, b) => a * b, 1);
    this.alphasCumprod = spec.alphasCumprod ?? makeSchedule('scaled_linear').alphasCumprod;
    if (spec.means.length === 0) throw new ConfigError('GaussianDenoiser needs at least one class mean');
    for (const [i, mu] of spec.means.entries()) {
      if (mu.length !== this.size) throw new ShapeError(`means[${i}] has ${mu.length} elements, expected ${this.size}`);
    }
    const v = spec.variance;
    if (typeof v === 'number' ? !(v > 0) : v.length !== this.size || v.some((x) => !(x > 0))) {
      throw new ConfigError(`variance must be > 0 (a number or ${this.size} values)`);
    }
  }

  async predictEps(z: Float32Array, timesteps: Timesteps, cond: TextEmbedding[]): Promise<Float32Array> {
    const n = this.size;
    if (z.length !== cond.length * n)
      throw new ShapeError(`z has ${z.length} values for ${cond.length} latents of ${n}`);
    const ts = timestepsPerItem(timesteps, cond.length, this.alphasCumprod.length);
    const out = new Float32Array(z.length);
    cond.forEach((c, b) => {
      const abar = this.alphasCumprod[ts[b]];
      const alpha = Math.sqrt(abar);
      const sigma = Math.sqrt(1 - abar);
      const zb = z.subarray(b * n, (b + 1) * n);
      const x0 = gaussianPosteriorMean(zb, this.classMean(c), this.spec.variance, alpha, sigma);
      for (let i = 0; i < n; i++) out[b * n + i] = (zb[i] - alpha * x0[i]) / sigma;
    });
    return out;
  }

  private classMean(c: TextEmbedding): Float32Array {
    const k = c.data[0];
    const mu = this.spec.means[k];
    if (!Number.isInteger(k) || !mu)
      throw new ConfigError(`class embedding must hold a class index < ${this.spec.means.length}, got ${k}`);
    return mu;
  }
}

/** Maps each prompt to its class index (embedding [k], shape [1]); unknown prompts are an error. */
export class ClassTextEncoder implements TextEncoder {
  constructor(readonly prompts: readonly string[]) {}
  async encode(prompts: string[]): Promise<TextEmbedding[]> {
    return prompts.map((p) => {
      const k = this.prompts.indexOf(p);
      if (k < 0) throw new ConfigError(`unknown prompt ${JSON.stringify(p)}; known: ${this.prompts.join(' | ')}`);
      return { data: Float32Array.of(k), shape: [1] };
    });
  }
}
