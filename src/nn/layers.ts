/**
 * Functional layers on the engine (jax-js / nanoGPT style): `xInit(rng, ...)` returns a plain
 * params tree of tf.Variables, `x(params, input)` applies it. Linear, Embedding, LayerNorm
 * (Ba et al. 2016, eq. 4), RMSNorm (Zhang & Sennrich 2019, eq. 4), GELU (Hendrycks & Gimpel 2016)
 * and an MLP. Values checked against naive Float64 loops, gradients against finite differences
 * (test/nn/layers.test.ts). Shape letters: see src/nn/index.ts.
 */
import type { Tensor, Variable } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import { ConfigError, checkNumber, ShapeError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/** A trainable tf.Variable with N(0, std²) entries drawn from `rng` (float32). */
export function normalVariable(rng: Rng, shape: number[], std: number): Variable {
  const tf = tfSync();
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.variable(tf.tensor(rng.fillNormal(new Float32Array(n), 0, std), shape));
}

/** A trainable tf.Variable filled with `value`. */
export function constantVariable(shape: number[], value: number): Variable {
  const tf = tfSync();
  return tf.variable(tf.fill(shape, value, 'float32'));
}

function checkLastDim(name: string, x: Tensor, expected: number): void {
  const last = x.shape[x.shape.length - 1];
  if (x.rank < 1 || last !== expected) {
    throw new ShapeError(`${name}: input last dimension must be ${expected}, got shape [${x.shape.join(', ')}]`);
  }
}

// ---------- Linear ----------

/** Linear layer params: w [in, out], optional b [out]. */
export interface LinearParams {
  w: Variable;
  b?: Variable;
}

/** Linear init: w ~ N(0, std²) with std = 1/√in by default (LeCun), b = 0. */
export function linearInit(
  rng: Rng,
  inDim: number,
  outDim: number,
  { bias = true, std }: { bias?: boolean; std?: number } = {},
): LinearParams {
  checkNumber('linear inDim', inDim, { min: 1, integer: true });
  checkNumber('linear outDim', outDim, { min: 1, integer: true });
  const w = normalVariable(rng, [inDim, outDim], std ?? 1 / Math.sqrt(inDim));
  return bias ? { w, b: constantVariable([outDim], 0) } : { w };
}

/** y = x W + b on the last axis: [..., in] → [..., out]. */
export function linear(p: LinearParams, x: Tensor): Tensor {
  const tf = tfSync();
  const [inDim, outDim] = p.w.shape;
  checkLastDim('linear', x, inDim);
  return tf.tidy(() => {
    const lead = x.shape.slice(0, -1);
    const y2 = tf.matMul(x.reshape([-1, inDim]), p.w); // [N, out]
    const y = p.b ? tf.add(y2, p.b) : y2;
    return y.reshape([...lead, outDim]);
  });
}

// ---------- Embedding ----------

/** Embedding params: table [V, D]. */
export interface EmbeddingParams {
  table: Variable;
}

/** Embedding init: table ~ N(0, std²), std = 0.02 by default (GPT-2). */
export function embeddingInit(rng: Rng, vocab: number, dim: number, { std = 0.02 }: { std?: number } = {}) {
  checkNumber('embedding vocab', vocab, { min: 1, integer: true });
  checkNumber('embedding dim', dim, { min: 1, integer: true });
  return { table: normalVariable(rng, [vocab, dim], std) } satisfies EmbeddingParams;
}

/** y[..., :] = table[ids[...], :]: int32 ids [...] → [..., D]; ids outside [0, V) throw a ShapeError. */
export function embedding(p: EmbeddingParams, ids: Tensor): Tensor {
  const tf = tfSync();
  const vocab = p.table.shape[0];
  if (ids.dtype !== 'int32') throw new ShapeError(`embedding: ids must be int32, got ${ids.dtype}`);
  const values = ids.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= vocab) {
      throw new ShapeError(`embedding: id ${values[i]} at flat index ${i} is outside [0, ${vocab})`);
    }
  }
  return tf.gather(p.table, ids);
}

// ---------- Normalisation ----------

/** LayerNorm params: gamma [D] (ones), beta [D] (zeros). */
export interface LayerNormParams {
  gamma: Variable;
  beta: Variable;
}

/** LayerNorm init: gamma = 1, beta = 0. */
export function layerNormInit(dim: number): LayerNormParams {
  checkNumber('layerNorm dim', dim, { min: 1, integer: true });
  return { gamma: constantVariable([dim], 1), beta: constantVariable([dim], 0) };
}

/** y = (x − μ) / √(σ² + eps) · γ + β, μ and σ² (biased) over the last axis. */
export function layerNorm(p: LayerNormParams, x: Tensor, eps = 1e-5): Tensor {
  const tf = tfSync();
  checkLastDim('layerNorm', x, p.gamma.shape[0]);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf
      .sub(x, mean)
      .mul(tf.rsqrt(tf.add(variance, eps)))
      .mul(p.gamma)
      .add(p.beta);
  });
}

/** RMSNorm params: gamma [D] (ones). */
export interface RmsNormParams {
  gamma: Variable;
}

/** RMSNorm init: gamma = 1. */
export function rmsNormInit(dim: number): RmsNormParams {
  checkNumber('rmsNorm dim', dim, { min: 1, integer: true });
  return { gamma: constantVariable([dim], 1) };
}

/** y = x / √(mean(x²) + eps) · γ over the last axis. */
export function rmsNorm(p: RmsNormParams, x: Tensor, eps = 1e-6): Tensor {
  const tf = tfSync();
  checkLastDim('rmsNorm', x, p.gamma.shape[0]);
  return tf.tidy(() => x.mul(tf.rsqrt(tf.square(x).mean(-1, true).add(eps))).mul(p.gamma));
}

// ---------- Activations and MLP ----------

/** Activation functions available to `mlp`. */
export type Activation = 'gelu' | 'relu' | 'tanh' | 'silu';
export const ACTIVATIONS: readonly Activation[] = ['gelu', 'relu', 'tanh', 'silu'];

/** GELU(x) = x Φ(x) = ½ x (1 + erf(x / √2)) (exact form, not the tanh approximation). */
export function gelu(x: Tensor): Tensor {
  const tf = tfSync();
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}

/** Applies the named activation (silu(x) = x σ(x)). */
export function activate(name: Activation, x: Tensor): Tensor {
  const tf = tfSync();
  switch (name) {
    case 'gelu':
      return gelu(x);
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'silu':
      return tf.tidy(() => x.mul(tf.sigmoid(x)));
    default:
      throw new ConfigError(`activation must be one of ${ACTIVATIONS.join(', ')}, got ${String(name)}`);
  }
}

/** MLP params: one Linear per consecutive pair of `dims`. */
export interface MlpParams {
  layers: LinearParams[];
}

/** MLP init for dims [d0, d1, ..., dn] (e.g. [D, 4D, D] in a transformer block). */
export function mlpInit(rng: Rng, dims: number[], { bias = true }: { bias?: boolean } = {}): MlpParams {
  if (!Array.isArray(dims) || dims.length < 2) {
    throw new ConfigError(`mlp dims must list at least 2 sizes, got ${JSON.stringify(dims)}`);
  }
  return { layers: dims.slice(1).map((out, i) => linearInit(rng.fork(`layer${i}`), dims[i], out, { bias })) };
}

/** y = L_n(act(... act(L_1(x)))): activation (GELU by default) between layers, none after the last. */
export function mlp(p: MlpParams, x: Tensor, { activation = 'gelu' }: { activation?: Activation } = {}): Tensor {
  const tf = tfSync();
  return tf.tidy(() => {
    let h = x;
    p.layers.forEach((layer, i) => {
      h = linear(layer, h);
      if (i < p.layers.length - 1) h = activate(activation, h);
    });
    return h;
  });
}
