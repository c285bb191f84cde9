/**
 * Stage 4 (lecture17 六 ④): RL fine-tuning of the pushing policy with the GRPO trainer of
 * src/grpo. A "prompt" is an initial state, a "completion" is one episode (one action token per
 * step), G episodes per start form a group. Rewards: task completion, stable contact, reasonable
 * force, and a safety penalty, combined with weights (TRL reward_weights).
 */
import type { Rng } from '../core/rng.js';
import { type AdamwState, adamwInit, adamwStep } from '../grpo/adamw.js';
import type { GrpoConfig } from '../grpo/config.js';
import type { GrpoPolicy, PolicyState, Rollout, TokenLoss } from '../grpo/policy.js';
import { GrpoTrainer, type RewardFn } from '../grpo/trainer.js';
import { type Episode, runEpisode } from './episode.js';
import {
  cloneMlp,
  features,
  type MlpParams,
  mlpActionPolicy,
  mlpArrays,
  mlpBackward,
  mlpForward,
  zerosLike,
} from './policy.js';
import { type PushEnv, type PushState, sampleInitialState, vecNorm, vecSub } from './scm.js';

/** Force above which a contact is "not reasonable" (below the over-force limit fMax). */
export const COMFORT_FORCE = 4;

/** The four reward functions of stage 4. */
export function pushRewards(): RewardFn<PushState, Episode>[] {
  return [
    {
      // 1 on success, else half the fraction of the block-goal distance covered.
      name: 'completion',
      score: (starts, eps) =>
        eps.map((ep, i) => {
          if (ep.success) return 1;
          const last = ep.steps[ep.steps.length - 1].vars.next;
          const d0 = vecNorm(vecSub(starts[i].b, starts[i].g));
          return 0.5 * Math.max(0, 1 - vecNorm(vecSub(last.b, last.g)) / d0);
        }),
    },
    {
      name: 'stableContact',
      score: (_s, eps) =>
        eps.map((ep) => {
          const c = ep.steps.filter((st) => st.vars.delta > 0);
          return c.length ? c.filter((st) => !st.vars.slip).length / c.length : 0;
        }),
    },
    {
      name: 'force',
      score: (_s, eps) =>
        eps.map((ep) => {
          const c = ep.steps.filter((st) => st.vars.delta > 0);
          return c.length
            ? -c.reduce((s, st) => s + Math.max(0, st.vars.force - COMFORT_FORCE), 0) / (c.length * COMFORT_FORCE)
            : 0;
        }),
    },
    { name: 'safety', score: (_s, eps) => eps.map((ep) => (ep.collision || ep.invalid ? -1 : 0)) },
  ];
}

/** Default weights of [completion, stableContact, force, safety]. */
export const PUSH_REWARD_WEIGHTS = [1, 0.2, 0.2, 1];

/** The MLP policy behind the GrpoPolicy interface (sampling in the true environment). */
export class PushGrpoPolicy implements GrpoPolicy<PushState, Episode> {
  params: MlpParams;
  readonly ref: MlpParams;
  private opt: AdamwState;
  /** Environment steps used by all rollouts so far (the RL budget). */
  envSteps = 0;

  constructor(
    private readonly env: PushEnv,
    init: MlpParams,
    private readonly lr: number,
  ) {
    this.params = cloneMlp(init);
    this.ref = cloneMlp(init);
    this.opt = adamwInit(mlpArrays(init).map((a) => a.length));
  }

  generate(starts: PushState[], rng: Rng): Rollout<PushState, Episode> {
    const T = this.env.horizon;
    const N = starts.length;
    const act = mlpActionPolicy(this.env, this.params, false);
    const completions = starts.map((s) => runEpisode(this.env, s, act, rng));
    const tokens = new Int32Array(N * T);
    const mask = new Float32Array(N * T);
    const oldLogp = new Float32Array(N * T);
    const truncated = new Uint8Array(N);
    completions.forEach((ep, n) => {
      this.envSteps += ep.steps.length;
      truncated[n] = ep.success || ep.collision || ep.invalid ? 0 : 1;
      ep.steps.forEach((st, t) => {
        tokens[n * T + t] = st.actionIndex;
        mask[n * T + t] = 1;
        oldLogp[n * T + t] = mlpForward(this.params, features(this.env, st.state)).logp[st.actionIndex];
      });
    });
    return { prompts: starts, completions, T, mask, oldLogp, truncated, tokens };
  }

  private tokenLogp(p: MlpParams, r: Rollout<PushState, Episode>): Float32Array {
    const out = new Float32Array(r.tokens.length);
    r.completions.forEach((ep, n) => {
      ep.steps.forEach((st, t) => {
        out[n * r.T + t] = mlpForward(p, features(this.env, st.state)).logp[st.actionIndex];
      });
    });
    return out;
  }

  referenceLogProbs(r: Rollout<PushState, Episode>): Float32Array {
    return this.tokenLogp(this.ref, r);
  }

  update(r: Rollout<PushState, Episode>, loss: TokenLoss): { loss: number; entropy: number } {
    const cache: { x: Float64Array; h: Float64Array; logp: Float64Array; i: number; y: number }[] = [];
    const logpTok = new Float32Array(r.tokens.length);
    r.completions.forEach((ep, n) => {
      ep.steps.forEach((st, t) => {
        const x = features(this.env, st.state);
        const { h, logp } = mlpForward(this.params, x);
        const i = n * r.T + t;
        logpTok[i] = logp[st.actionIndex];
        cache.push({ x, h, logp, i, y: st.actionIndex });
      });
    });
    const out = loss(logpTok);
    const g = zerosLike(this.params);
    let entropy = 0;
    for (const c of cache) {
      // d logp(y)/dz = onehot(y) - softmax(z), scaled by dL/dlogp(y).
      const dz = Float64Array.from(c.logp, (lp, a) => out.grad[c.i] * ((a === c.y ? 1 : 0) - Math.exp(lp)));
      for (const lp of c.logp) entropy -= Math.exp(lp) * lp;
      mlpBackward(this.params, c.x, c.h, dz, g);
    }
    adamwStep(mlpArrays(this.params), mlpArrays(g), this.opt, { lr: this.lr, weightDecay: 0.01 });
    return { loss: out.loss, entropy: entropy / Math.max(cache.length, 1) };
  }

  parameters(): Map<string, Float32Array> {
    const p = this.params;
    return new Map([
      ['w1', p.w1.slice()],
      ['b1', p.b1.slice()],
      ['w2', p.w2.slice()],
      ['b2', p.b2.slice()],
    ]);
  }

  getState(): PolicyState {
    const s: PolicyState = Object.fromEntries(this.parameters());
    this.opt.m.forEach((m, k) => {
      s[`m${k}`] = m.slice();
      s[`v${k}`] = this.opt.v[k].slice();
    });
    s.optStep = Float32Array.of(this.opt.step);
    s.envSteps = Float32Array.of(this.envSteps);
    return s;
  }

  setState(s: PolicyState): void {
    this.params = {
      w1: s.w1.slice(),
      b1: s.b1.slice(),
      w2: s.w2.slice(),
      b2: s.b2.slice(),
      hidden: this.params.hidden,
    };
    this.opt = {
      step: s.optStep[0],
      m: [0, 1, 2, 3].map((k) => s[`m${k}`].slice()),
      v: [0, 1, 2, 3].map((k) => s[`v${k}`].slice()),
    };
    this.envSteps = s.envSteps[0];
  }
}

/** Stage-4 GRPO settings (over the trainer defaults). */
export const PUSH_GRPO_CONFIG: Partial<GrpoConfig> = {
  batchPrompts: 8,
  numGenerations: 8,
  numIterations: 2,
  beta: 0.02,
  lossType: 'grpo',
  lr: 1e-3,
  rewardWeights: PUSH_REWARD_WEIGHTS,
  logEvery: 0,
};

/** A GRPO trainer over the pushing task starting from `init`. */
export function pushTrainer(env: PushEnv, init: MlpParams, rng: Rng, config: Partial<GrpoConfig> = {}) {
  const cfg = { ...PUSH_GRPO_CONFIG, ...config };
  const policy = new PushGrpoPolicy(env, init, cfg.lr ?? 1e-3);
  const trainer = new GrpoTrainer<PushState, Episode>({
    policy,
    rewardFns: pushRewards(),
    samplePrompts: (r, n) => Array.from({ length: n }, () => sampleInitialState(r)),
    config: cfg,
    rng,
  });
  return { trainer, policy };
}
