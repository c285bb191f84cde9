/**
 * A small multilayer perceptron with its backward pass written out, on Float32Array weights in PyTorch's
 * layout (weight [out, in] row-major, bias [out]): h₀ = x (a dense input) or E[i] (an embedding row, for an
 * index input), h_l = act(W_l h_{l−1} + b_l) for the hidden layers, logits = W_L h_{L−1} + b_L. For one state
 * at a time or small batches, where the engine's per-op overhead dominates (the GRPO bandit runs 9x faster
 * than on the engine, docs/parts/grpo.md). Checked against the engine's autodiff and finite differences in
 * test/nn/mlp-explicit.test.ts.
 */
import { ShapeError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

export type ExplicitActivation = 'tanh' | 'identity';

/** Weights of the network; `widths[0]` is the input (or embedding) width, the last one the number of logits. */
export interface ExplicitMlp {
  /** Embedding table [vocab, widths[0]] for index inputs; null for a dense input. */
  emb: Float32Array | null;
  /** Layer l maps widths[l] -> widths[l + 1]: w[l] is [out, in], b[l] is [out]. */
  w: Float32Array[];
  b: Float32Array[];
  widths: number[];
  /** Applied after every layer but the last. */
  activation: ExplicitActivation;
}

export interface ExplicitMlpSpec {
  widths: number[];
  activation: ExplicitActivation;
  /** Index inputs in [0, vocab): the first "layer" is an embedding table. */
  vocab?: number;
}

/** PyTorch's init: nn.Embedding N(0, 1); nn.Linear weight and bias U(-1/sqrt(in), 1/sqrt(in)); drawn in that order. */
export function explicitMlpInit(rng: Rng, spec: ExplicitMlpSpec): ExplicitMlp {
  const { widths, activation, vocab } = spec;
  if (widths.length < 2 || widths.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new ShapeError(`explicit MLP widths must be at least two positive integers, got ${JSON.stringify(widths)}`);
  }
  const emb = vocab === undefined ? null : rng.fillNormal(new Float32Array(vocab * widths[0]));
  const w: Float32Array[] = [];
  const b: Float32Array[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = 1 / Math.sqrt(widths[l]);
    w.push(rng.fillUniform(new Float32Array(widths[l + 1] * widths[l]), -bound, bound));
    b.push(rng.fillUniform(new Float32Array(widths[l + 1]), -bound, bound));
  }
  return { emb, w, b, widths: [...widths], activation };
}

/** Every weight array in a fixed order (embedding first), e.g. for the optimiser. */
export const explicitMlpArrays = (p: ExplicitMlp): Float32Array[] => [
  ...(p.emb ? [p.emb] : []),
  ...p.w.flatMap((w, l) => [w, p.b[l]]),
];

const mapArrays = (p: ExplicitMlp, f: (a: Float32Array) => Float32Array): ExplicitMlp => ({
  emb: p.emb && f(p.emb),
  w: p.w.map(f),
  b: p.b.map(f),
  widths: [...p.widths],
  activation: p.activation,
});

export const explicitMlpClone = (p: ExplicitMlp): ExplicitMlp => mapArrays(p, (a) => a.slice());
export const explicitMlpZeros = (p: ExplicitMlp): ExplicitMlp => mapArrays(p, (a) => new Float32Array(a.length));

/** Activations of one forward pass: `acts[l]` is the input of layer l (acts[0] = x, or the embedding row E[i]). */
export interface ExplicitForward {
  acts: ArrayLike<number>[];
  logits: Float64Array;
}

function inputVector(p: ExplicitMlp, input: Float64Array | number): ArrayLike<number> {
  const D = p.widths[0];
  if (typeof input !== 'number') {
    if (p.emb || input.length !== D) throw new ShapeError(`explicit MLP expects an input of ${D} values`);
    return input;
  }
  if (!p.emb || !Number.isInteger(input) || input < 0 || input * D >= p.emb.length) {
    throw new ShapeError(`explicit MLP: input index ${input} is not a row of the embedding table`);
  }
  return p.emb.subarray(input * D, (input + 1) * D);
}

/** z = W h + b for layer l, summed in float64 from the bias. */
function affine(p: ExplicitMlp, l: number, h: ArrayLike<number>): Float64Array {
  const n = p.widths[l];
  const w = p.w[l];
  const z = new Float64Array(p.widths[l + 1]);
  for (let a = 0; a < z.length; a++) {
    let s = p.b[l][a];
    for (let j = 0; j < n; j++) s += w[a * n + j] * h[j];
    z[a] = s;
  }
  return z;
}

/** The inputs of every layer: h₀ = x or E[i], then h_l = act(W_l h_{l−1} + b_l) for the hidden layers. */
function layerInputs(p: ExplicitMlp, input: Float64Array | number): ArrayLike<number>[] {
  const acts = [inputVector(p, input)];
  for (let l = 0; l + 1 < p.w.length; l++) {
    const z = affine(p, l, acts[l]);
    if (p.activation === 'tanh') for (let j = 0; j < z.length; j++) z[j] = Math.tanh(z[j]);
    acts.push(z);
  }
  return acts;
}

/** Forward pass for one input (a dense Float64Array, or an index when the network has an embedding). */
export function explicitMlpForward(p: ExplicitMlp, input: Float64Array | number): ExplicitForward {
  const acts = layerInputs(p, input);
  return { acts, logits: affine(p, p.w.length - 1, acts[acts.length - 1]) };
}

/** Adds to `g` the gradient of a loss with dL/dlogits = `dLogits` at one input (after `explicitMlpForward`). */
export function explicitMlpBackward(
  p: ExplicitMlp,
  input: Float64Array | number,
  f: Pick<ExplicitForward, 'acts'>,
  dLogits: ArrayLike<number>,
  g: ExplicitMlp,
): void {
  let dOut: ArrayLike<number> = dLogits;
  for (let l = p.w.length - 1; l >= 0; l--) {
    const n = p.widths[l];
    const h = f.acts[l];
    const w = p.w[l];
    const gw = g.w[l];
    const gb = g.b[l];
    const dIn = new Float64Array(n);
    for (let a = 0; a < dOut.length; a++) {
      const d = dOut[a];
      if (d === 0) continue;
      gb[a] += d;
      for (let j = 0; j < n; j++) {
        gw[a * n + j] += d * h[j];
        dIn[j] += d * w[a * n + j];
      }
    }
    if (l > 0 && p.activation === 'tanh') for (let j = 0; j < n; j++) dIn[j] *= 1 - h[j] * h[j];
    dOut = dIn;
  }
  if (typeof input === 'number' && g.emb) {
    const D = p.widths[0];
    for (let j = 0; j < D; j++) g.emb[input * D + j] += dOut[j];
  }
}

/** Rows of the embedding table (the index inputs an embedding network accepts). */
const vocabOf = (p: ExplicitMlp): number => {
  if (!p.emb) throw new ShapeError('explicit MLP: index inputs need an embedding table');
  return p.emb.length / p.widths[0];
};

/** Logits [N, A] for N index inputs; the network runs once per distinct index (it depends on nothing else). */
export function explicitMlpIndexLogits(p: ExplicitMlp, indices: ArrayLike<number>): Float64Array {
  const A = p.widths[p.widths.length - 1];
  const out = new Float64Array(indices.length * A);
  const first = new Int32Array(vocabOf(p)).fill(-1);
  for (let n = 0; n < indices.length; n++) {
    const i = indices[n];
    if (first[i] >= 0) out.copyWithin(n * A, first[i] * A, first[i] * A + A);
    else {
      first[i] = n;
      out.set(explicitMlpForward(p, i).logits, n * A);
    }
  }
  return out;
}

/** Gradients for N index inputs given dL/dlogits [N, A]: rows of one index are summed, then one backward per index. */
export function explicitMlpIndexBackward(
  p: ExplicitMlp,
  indices: ArrayLike<number>,
  dLogits: Float64Array,
): ExplicitMlp {
  const A = p.widths[p.widths.length - 1];
  const V = vocabOf(p);
  const perIndex = new Float64Array(V * A);
  const seen = new Uint8Array(V);
  for (let n = 0; n < indices.length; n++) {
    const i = indices[n];
    seen[i] = 1;
    for (let a = 0; a < A; a++) perIndex[i * A + a] += dLogits[n * A + a];
  }
  const g = explicitMlpZeros(p);
  for (let i = 0; i < V; i++) {
    if (seen[i]) explicitMlpBackward(p, i, { acts: layerInputs(p, i) }, perIndex.subarray(i * A, i * A + A), g);
  }
  return g;
}

/** d(u · log softmax(z)[y]) / dz = u (onehot(y) − softmax(z)), from a row of log-probabilities (into `out` if given). */
export function logProbGradToLogits(
  logp: ArrayLike<number>,
  y: number,
  u: number,
  out: Float64Array = new Float64Array(logp.length),
): Float64Array {
  for (let a = 0; a < logp.length; a++) out[a] = u * ((a === y ? 1 : 0) - Math.exp(logp[a]));
  return out;
}
