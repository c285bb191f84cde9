/**
 * The pushing policy: hand-made geometric features -> one tanh hidden layer -> 24 action logits,
 * with forward and backward written out on Float32Arrays (one state at a time during rollouts,
 * where per-op engine overhead would dominate). Gradient checked against finite differences in
 * test/causal/policy.test.ts. SFT (stage 3) = cross-entropy on positives + unlikelihood
 * -log(1 - pi(a|s)) on negatives (Welleck et al. 2020), AdamW from grpo/adamw.ts.
 */
import { logSoftmax } from '../core/math.js';
import type { Rng } from '../core/rng.js';
import { type AdamwState, adamwInit, adamwStep } from '../grpo/adamw.js';
import type { LabeledSample } from './augment.js';
import { approachPoint } from './episode.js';
import { ACTIONS, type PushEnv, type PushState, vecNorm, vecSub } from './scm.js';

/** Feature count of `features`. */
export const FEATURES = 13;

/** Geometric features of a state (scaled to about [-1, 1]). */
export function features(env: PushEnv, s: PushState): Float64Array {
  const be = vecSub(s.b, s.e);
  const gb = vecSub(s.g, s.b);
  const pe = vecSub(approachPoint(env, s), s.e);
  const lgb = vecNorm(gb) || 1;
  const f = [
    be[0] / 0.3,
    be[1] / 0.3,
    gb[0] / 0.3,
    gb[1] / 0.3,
    pe[0] / 0.3,
    pe[1] / 0.3,
    vecNorm(pe) / 0.3,
    gb[0] / lgb,
    gb[1] / lgb,
    (env.rb + env.re - vecNorm(be)) / 0.05,
    (s.b[0] - 0.5) * 2,
    (s.b[1] - 0.5) * 2,
    1,
  ];
  return Float64Array.from(f);
}

/** Parameters: w1 [Hd, F], b1 [Hd], w2 [A, Hd], b2 [A]. */
export interface MlpParams {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  hidden: number;
}

/** Kaiming-uniform init as PyTorch's nn.Linear (bound 1/sqrt(fan_in)). */
export function mlpPolicyInit(rng: Rng, hidden = 64): MlpParams {
  const A = ACTIONS.length;
  const u = (n: number, fanIn: number) =>
    rng.fillUniform(new Float32Array(n), -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
  return {
    w1: u(hidden * FEATURES, FEATURES),
    b1: u(hidden, FEATURES),
    w2: u(A * hidden, hidden),
    b2: u(A, hidden),
    hidden,
  };
}

export const cloneMlp = (p: MlpParams): MlpParams => ({
  w1: p.w1.slice(),
  b1: p.b1.slice(),
  w2: p.w2.slice(),
  b2: p.b2.slice(),
  hidden: p.hidden,
});

/** h = tanh(W1 x + b1); log pi = logSoftmax(W2 h + b2). */
export function mlpForward(p: MlpParams, x: Float64Array): { h: Float64Array; logp: Float64Array } {
  const H = p.hidden;
  const A = ACTIONS.length;
  const h = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    let s = p.b1[j];
    for (let i = 0; i < FEATURES; i++) s += p.w1[j * FEATURES + i] * x[i];
    h[j] = Math.tanh(s);
  }
  const z = new Float64Array(A);
  for (let a = 0; a < A; a++) {
    let s = p.b2[a];
    for (let j = 0; j < H; j++) s += p.w2[a * H + j] * h[j];
    z[a] = s;
  }
  return { h, logp: logSoftmax(z) };
}

/** Accumulates into `g` the gradient for one state given dL/dlogits. */
export function mlpBackward(p: MlpParams, x: Float64Array, h: Float64Array, dz: Float64Array, g: MlpParams): void {
  const H = p.hidden;
  const dh = new Float64Array(H);
  for (let a = 0; a < dz.length; a++) {
    const d = dz[a];
    if (d === 0) continue;
    g.b2[a] += d;
    for (let j = 0; j < H; j++) {
      g.w2[a * H + j] += d * h[j];
      dh[j] += d * p.w2[a * H + j];
    }
  }
  for (let j = 0; j < H; j++) {
    const d = dh[j] * (1 - h[j] * h[j]);
    g.b1[j] += d;
    for (let i = 0; i < FEATURES; i++) g.w1[j * FEATURES + i] += d * x[i];
  }
}

export const zerosLike = (p: MlpParams): MlpParams => ({
  w1: new Float32Array(p.w1.length),
  b1: new Float32Array(p.b1.length),
  w2: new Float32Array(p.w2.length),
  b2: new Float32Array(p.b2.length),
  hidden: p.hidden,
});

export const mlpArrays = (p: MlpParams): Float32Array[] => [p.w1, p.b1, p.w2, p.b2];

/** dL/dlogits of L = -c log pi(y) is c (pi - onehot(y)); of L = -c log(1 - pi(y)) it is c pi(y)(onehot(y) - pi)/(1 - pi(y)). */
export function sampleLossGrad(
  logp: Float64Array,
  y: number,
  positive: boolean,
  weight: number,
): { loss: number; dz: Float64Array } {
  const dz = new Float64Array(logp.length);
  const py = Math.exp(logp[y]);
  if (positive) {
    for (let a = 0; a < logp.length; a++) dz[a] = weight * (Math.exp(logp[a]) - (a === y ? 1 : 0));
    return { loss: -weight * logp[y], dz };
  }
  const q = Math.max(1 - py, 1e-6);
  for (let a = 0; a < logp.length; a++) dz[a] = (weight * py * ((a === y ? 1 : 0) - Math.exp(logp[a]))) / q;
  return { loss: -weight * Math.log(q), dz };
}

export interface SftOptions {
  /** Minibatch updates (the same for every data set, so real-only and augmented SFT get equal compute). Default 1500. */
  steps: number;
  batchSize: number;
  lr: number;
  /** Weight of the unlikelihood term on negatives. Default 0.5. */
  negativeWeight: number;
}
export const SFT_DEFAULTS: SftOptions = { steps: 1500, batchSize: 64, lr: 3e-3, negativeWeight: 0.5 };

/** Stage 3: supervised fine-tuning on labelled samples (minibatch AdamW, reshuffled epochs); returns the mean loss of the last 50 updates. */
export function sft(
  env: PushEnv,
  p: MlpParams,
  samples: LabeledSample[],
  rng: Rng,
  o: SftOptions = SFT_DEFAULTS,
): number {
  if (samples.length === 0) return 0;
  const xs = samples.map((s) => features(env, s.state));
  const opt: AdamwState = adamwInit(mlpArrays(p).map((a) => a.length));
  const recent: number[] = [];
  let order = rng.permutation(samples.length);
  let cursor = 0;
  for (let step = 0; step < o.steps; step++) {
    const B = Math.min(o.batchSize, samples.length);
    if (cursor + B > order.length) {
      order = rng.permutation(samples.length);
      cursor = 0;
    }
    const idx = order.subarray(cursor, cursor + B);
    cursor += B;
    const g = zerosLike(p);
    let total = 0;
    for (const i of idx) {
      const { h, logp } = mlpForward(p, xs[i]);
      const s = samples[i];
      const { loss, dz } = sampleLossGrad(logp, s.actionIndex, s.positive, (s.positive ? 1 : o.negativeWeight) / B);
      total += loss;
      mlpBackward(p, xs[i], h, dz, g);
    }
    adamwStep(mlpArrays(p), mlpArrays(g), opt, { lr: o.lr, weightDecay: 0.01 });
    recent.push(total);
    if (recent.length > 50) recent.shift();
  }
  return recent.reduce((a, b) => a + b, 0) / recent.length;
}

/** An action policy from the MLP: greedy (argmax) or sampled. */
export function mlpActionPolicy(env: PushEnv, p: MlpParams, greedy: boolean): (s: PushState, rng: Rng) => number {
  return (s, rng) => {
    const { logp } = mlpForward(p, features(env, s));
    if (!greedy) return rng.categorical(Array.from(logp, Math.exp));
    let best = 0;
    for (let a = 1; a < logp.length; a++) if (logp[a] > logp[best]) best = a;
    return best;
  };
}
