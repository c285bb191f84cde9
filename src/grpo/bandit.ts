/**
 * The lecture's GRPO toy (lecture17 section 五): 32 prompts, 8 actions, reward 1 iff
 * action == prompt % 8, policy = Embedding(32, 64) + Linear(64, 8). Forward and backward are
 * written out on Float32Arrays (per-op engine overhead dominates at this size; see
 * docs/parts/grpo.md "Decisions"); the gradient is checked against the engine's autodiff
 * (bandit-tf.ts) and finite differences in test/grpo/bandit.test.ts.
 */

import { logSoftmaxRows } from '../core/math.js';
import type { Rng } from '../core/rng.js';
import {
  type ArrayAdamwOptions,
  type ArrayAdamwState,
  arrayAdamwInit,
  arrayAdamwStateEntries,
  arrayAdamwStateFrom,
  arrayAdamwStep,
  type ExplicitMlp,
  explicitMlpIndexBackward,
  explicitMlpIndexLogits,
  logProbGradToLogits,
} from '../nn/index.js';
import type { GrpoPolicy, PolicyState, Rollout, TokenLoss } from './policy.js';

/** Sizes of the lecture's toy. */
export interface BanditSpec {
  numPrompts: number;
  numActions: number;
  hiddenDim: number;
}
export const BANDIT_DEFAULTS: BanditSpec = { numPrompts: 32, numActions: 8, hiddenDim: 64 };

/** The lecture's reward_fn: 1 if action == prompt % numActions else 0. */
export function banditReward(prompts: number[], actions: number[], numActions: number): number[] {
  return prompts.map((p, i) => (actions[i] === p % numActions ? 1 : 0));
}

/** Parameters in PyTorch layout: emb [P, D], weight [A, D], bias [A]. */
export interface BanditParams {
  emb: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
}

/** PyTorch's init: nn.Embedding N(0, 1); nn.Linear Kaiming-uniform weight and bias, both U(-1/sqrt(D), 1/sqrt(D)). */
export function banditInit(spec: BanditSpec, rng: Rng): BanditParams {
  const { numPrompts: P, numActions: A, hiddenDim: D } = spec;
  const bound = 1 / Math.sqrt(D);
  return {
    emb: rng.fillNormal(new Float32Array(P * D)),
    weight: rng.fillUniform(new Float32Array(A * D), -bound, bound),
    bias: rng.fillUniform(new Float32Array(A), -bound, bound),
  };
}

/** The bandit as an explicit MLP (a view on the same arrays): embedding [P, D] -> Linear(D, A). */
const banditNet = (params: BanditParams, spec: BanditSpec): ExplicitMlp => ({
  emb: params.emb,
  w: [params.weight],
  b: [params.bias],
  widths: [spec.hiddenDim, spec.numActions],
  activation: 'identity',
});

/** logits[n] = weight . emb[prompt_n] + bias  -> [N, A]. */
export const banditLogits = (params: BanditParams, spec: BanditSpec, prompts: ArrayLike<number>): Float64Array =>
  explicitMlpIndexLogits(banditNet(params, spec), prompts);

/**
 * Gradients of L with respect to the parameters given dL/dlogits [N, A] (dense, like PyTorch's
 * embedding backward: rows not in the batch get zeros).
 */
export function banditBackward(
  params: BanditParams,
  spec: BanditSpec,
  prompts: ArrayLike<number>,
  dLogits: Float64Array,
): BanditParams {
  const g = explicitMlpIndexBackward(banditNet(params, spec), prompts, dLogits);
  return { emb: g.emb!, weight: g.w[0], bias: g.b[0] };
}

/** Log-probs [N, A] of the policy at these prompts. */
export function banditLogProbs(params: BanditParams, spec: BanditSpec, prompts: ArrayLike<number>): Float64Array {
  return logSoftmaxRows(banditLogits(params, spec, prompts), spec.numActions);
}

/** Log-probs of all actions [N, A] and of the taken ones [N], plus d(sum_n u_n logp_n)/dparams for u = upstream(logp). */
export type BanditVjp = (
  params: BanditParams,
  spec: BanditSpec,
  prompts: ArrayLike<number>,
  actions: ArrayLike<number>,
  upstream: (logp: Float32Array) => ArrayLike<number>,
) => { logp: Float32Array; logpAll: ArrayLike<number>; grads: BanditParams };

/** The analytic VJP: d logp(y) / d logits = onehot(y) - softmax(logits), then banditBackward. */
export const banditVjpPlain: BanditVjp = (params, spec, prompts, actions, upstream) => {
  const A = spec.numActions;
  const N = prompts.length;
  const logpAll = banditLogProbs(params, spec, prompts);
  const logp = Float32Array.from(actions, (tok, n) => logpAll[n * A + tok]);
  const u = upstream(logp);
  const dLogits = new Float64Array(N * A);
  for (let n = 0; n < N; n++) {
    logProbGradToLogits(logpAll.subarray(n * A, n * A + A), actions[n], u[n], dLogits.subarray(n * A, n * A + A));
  }
  return { logp, logpAll, grads: banditBackward(params, spec, prompts, dLogits) };
};

const copyParams = (p: BanditParams): BanditParams => ({
  emb: p.emb.slice(),
  weight: p.weight.slice(),
  bias: p.bias.slice(),
});

/** The bandit policy for the GRPO trainer: one action token per completion; the reference is a frozen copy of the init. */
export class BanditPolicy implements GrpoPolicy<number, number> {
  readonly spec: BanditSpec;
  params: BanditParams;
  readonly ref: BanditParams;
  private opt: ArrayAdamwState;
  private readonly optOptions: ArrayAdamwOptions;

  /** `vjp` back-propagates through the model: analytic by default, or the engine's autodiff (bandit-tf.ts). */
  constructor(
    params: BanditParams,
    optOptions: ArrayAdamwOptions,
    spec: BanditSpec = BANDIT_DEFAULTS,
    private readonly vjp: BanditVjp = banditVjpPlain,
  ) {
    this.spec = spec;
    this.params = params;
    this.ref = copyParams(params);
    this.optOptions = optOptions;
    this.opt = arrayAdamwInit([params.emb.length, params.weight.length, params.bias.length]);
  }

  generate(prompts: number[], rng: Rng): Rollout<number, number> {
    const A = this.spec.numActions;
    const logp = banditLogProbs(this.params, this.spec, prompts);
    const N = prompts.length;
    const tokens = new Int32Array(N);
    const oldLogp = new Float32Array(N);
    const probs = new Float64Array(A);
    for (let n = 0; n < N; n++) {
      for (let a = 0; a < A; a++) probs[a] = Math.exp(logp[n * A + a]);
      tokens[n] = rng.categorical(probs);
      oldLogp[n] = logp[n * A + tokens[n]];
    }
    const completions = Array.from(tokens);
    return {
      prompts,
      completions,
      T: 1,
      mask: new Float32Array(N).fill(1),
      oldLogp,
      truncated: new Uint8Array(N),
      tokens,
    };
  }

  referenceLogProbs(rollout: Rollout<number, number>): Float32Array {
    const A = this.spec.numActions;
    const logp = banditLogProbs(this.ref, this.spec, rollout.prompts);
    return Float32Array.from(rollout.tokens, (tok, n) => logp[n * A + tok]);
  }

  update(rollout: Rollout<number, number>, loss: TokenLoss): { loss: number; entropy: number } {
    let value = 0;
    const { logpAll, grads } = this.vjp(this.params, this.spec, rollout.prompts, rollout.tokens, (logp) => {
      const out = loss(logp);
      value = out.loss;
      return out.grad;
    });
    let entropy = 0; // H = -sum_a p log p, averaged over rows
    for (let i = 0; i < logpAll.length; i++) entropy -= Math.exp(logpAll[i]) * logpAll[i];
    const p = this.params;
    arrayAdamwStep([p.emb, p.weight, p.bias], [grads.emb, grads.weight, grads.bias], this.opt, this.optOptions);
    return { loss: value, entropy: entropy / rollout.prompts.length };
  }

  parameters(): Map<string, Float32Array> {
    const p = this.params;
    return new Map([
      ['emb.weight', p.emb.slice()],
      ['head.weight', p.weight.slice()],
      ['head.bias', p.bias.slice()],
    ]);
  }

  getState(): PolicyState {
    const { params: p, ref: r, opt: o } = this;
    return {
      emb: p.emb.slice(),
      weight: p.weight.slice(),
      bias: p.bias.slice(),
      refEmb: r.emb.slice(),
      refWeight: r.weight.slice(),
      refBias: r.bias.slice(),
      ...arrayAdamwStateEntries(o),
    };
  }

  setState(s: PolicyState): void {
    this.params = { emb: s.emb.slice(), weight: s.weight.slice(), bias: s.bias.slice() };
    this.ref.emb.set(s.refEmb);
    this.ref.weight.set(s.refWeight);
    this.ref.bias.set(s.refBias);
    this.opt = arrayAdamwStateFrom(s, this.opt.m.length);
  }

  /** Greedy accuracy over all prompts and exact KL(pi || pi_ref) averaged over prompts. */
  evaluate(): { greedyAccuracy: number; klToRef: number } {
    const { numPrompts: P, numActions: A } = this.spec;
    const all = Array.from({ length: P }, (_, i) => i);
    const lp = banditLogProbs(this.params, this.spec, all);
    const lr = banditLogProbs(this.ref, this.spec, all);
    let correct = 0;
    let kl = 0;
    for (let n = 0; n < P; n++) {
      let best = 0;
      for (let a = 0; a < A; a++) {
        if (lp[n * A + a] > lp[n * A + best]) best = a;
        kl += Math.exp(lp[n * A + a]) * (lp[n * A + a] - lr[n * A + a]);
      }
      if (best === n % A) correct++;
    }
    return { greedyAccuracy: correct / P, klToRef: kl / P };
  }
}
