/**
 * The pushing policy: hand-made geometric features -> one tanh hidden layer -> 24 action logits, on
 * nn's hand-differentiated MLP (one state at a time during rollouts, where per-op engine overhead
 * would dominate). SFT (stage 3) = weighted cross-entropy on positives + unlikelihood -log(1 - pi(a|s))
 * on negatives (Welleck et al. 2020), nn's plain-array AdamW. Loss gradients checked against finite
 * differences in test/causal/policy.test.ts.
 */
import { logSoftmax } from '../core/math.js';
import type { Rng } from '../core/rng.js';
import {
  arrayAdamwInit,
  arrayAdamwStep,
  type ExplicitForward,
  type ExplicitMlp,
  explicitMlpArrays,
  explicitMlpBackward,
  explicitMlpForward,
  explicitMlpInit,
  explicitMlpZeros,
  logProbGradToLogits,
} from '../nn/index.js';
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

/** Parameters: features [F] -> tanh(W1 x + b1) [Hd] -> W2 h + b2 [A] logits (nn's explicit MLP). */
export type MlpParams = ExplicitMlp;

/** PyTorch's nn.Linear init (Kaiming-uniform, bound 1/sqrt(fan_in)) for both layers. */
export const mlpPolicyInit = (rng: Rng, hidden = 64): MlpParams =>
  explicitMlpInit(rng, { widths: [FEATURES, hidden, ACTIONS.length], activation: 'tanh' });

/** log pi(. | x) = logSoftmax(logits) with the forward activations (for the backward pass). */
export function mlpForward(p: MlpParams, x: Float64Array): ExplicitForward & { logp: Float64Array } {
  const f = explicitMlpForward(p, x);
  return { ...f, logp: logSoftmax(f.logits) };
}

/** L = -c log pi(y) (positive) or -c log(1 - pi(y)) (negative); dL/dlogits = -c (onehot(y) - pi), resp. c pi(y)/(1 - pi(y)) (onehot(y) - pi). */
export function sampleLossGrad(
  logp: Float64Array,
  y: number,
  positive: boolean,
  weight: number,
): { loss: number; dz: Float64Array } {
  if (positive) return { loss: -weight * logp[y], dz: logProbGradToLogits(logp, y, -weight) };
  const py = Math.exp(logp[y]);
  const q = Math.max(1 - py, 1e-6);
  return { loss: -weight * Math.log(q), dz: logProbGradToLogits(logp, y, (weight * py) / q) };
}

/** Set-valued positive: L = -c log sum_{a in S} pi(a); dL/dlogits_j = c (pi_j - 1[j in S] pi_j / pi(S)). */
export function setLossGrad(
  logp: Float64Array,
  set: readonly number[],
  weight: number,
): { loss: number; dz: Float64Array } {
  const inSet = new Float64Array(logp.length);
  let mass = 0;
  for (const a of set) {
    inSet[a] = Math.exp(logp[a]);
    mass += inSet[a];
  }
  const dz = logp.map((l, j) => weight * (Math.exp(l) - inSet[j] / mass));
  return { loss: -weight * Math.log(mass), dz };
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
  const opt = arrayAdamwInit(explicitMlpArrays(p).map((a) => a.length));
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
    const g = explicitMlpZeros(p);
    let total = 0;
    for (const i of idx) {
      const f = mlpForward(p, xs[i]);
      const s = samples[i];
      const w = (s.weight ?? 1) * (s.positive ? 1 : o.negativeWeight);
      const { loss, dz } =
        s.positive && s.actionSet
          ? setLossGrad(f.logp, s.actionSet, w / B)
          : sampleLossGrad(f.logp, s.actionIndex, s.positive, w / B);
      total += loss;
      explicitMlpBackward(p, xs[i], f, dz, g);
    }
    arrayAdamwStep(explicitMlpArrays(p), explicitMlpArrays(g), opt, { lr: o.lr, weightDecay: 0.01 });
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
