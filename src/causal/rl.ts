/**
 * Stage 4 (lecture17 六 ④): RL fine-tuning of the pushing policy with the GRPO trainer of
 * src/grpo. A "prompt" is an initial state, a "completion" is one episode (one action token per
 * step), G episodes per start form a group. Rewards: task completion, stable contact, reasonable
 * force, and a safety penalty, combined with weights (TRL reward_weights).
 */
import type { Rng } from '../core/rng.js';
import {
  type GrpoConfig,
  type GrpoPolicy,
  GrpoTrainer,
  type PolicyState,
  type RewardFn,
  type Rollout,
  type TokenLoss,
} from '../grpo/index.js';
import {
  type ArrayAdamwState,
  arrayAdamwInit,
  arrayAdamwStateEntries,
  arrayAdamwStateFrom,
  arrayAdamwStep,
  type ExplicitForward,
  explicitMlpArrays,
  explicitMlpBackward,
  explicitMlpClone,
  explicitMlpZeros,
  logProbGradToLogits,
} from '../nn/index.js';
import { type Episode, runEpisode } from './episode.js';
import { features, type MlpParams, mlpActionPolicy, mlpForward } from './policy.js';
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
  private opt: ArrayAdamwState;
  /** Environment steps used by all rollouts so far (the RL budget). */
  envSteps = 0;

  constructor(
    private readonly env: PushEnv,
    init: MlpParams,
    private readonly lr: number,
  ) {
    this.params = explicitMlpClone(init);
    this.ref = explicitMlpClone(init);
    this.opt = arrayAdamwInit(explicitMlpArrays(init).map((a) => a.length));
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
    const cache: { x: Float64Array; f: ExplicitForward; logp: Float64Array; i: number; y: number }[] = [];
    const logpTok = new Float32Array(r.tokens.length);
    r.completions.forEach((ep, n) => {
      ep.steps.forEach((st, t) => {
        const x = features(this.env, st.state);
        const f = mlpForward(this.params, x);
        const i = n * r.T + t;
        logpTok[i] = f.logp[st.actionIndex];
        cache.push({ x, f, logp: f.logp, i, y: st.actionIndex });
      });
    });
    const out = loss(logpTok);
    const g = explicitMlpZeros(this.params);
    let entropy = 0;
    for (const c of cache) {
      for (const lp of c.logp) entropy -= Math.exp(lp) * lp;
      explicitMlpBackward(this.params, c.x, c.f, logProbGradToLogits(c.logp, c.y, out.grad[c.i]), g);
    }
    arrayAdamwStep(explicitMlpArrays(this.params), explicitMlpArrays(g), this.opt, { lr: this.lr, weightDecay: 0.01 });
    return { loss: out.loss, entropy: entropy / Math.max(cache.length, 1) };
  }

  parameters(): Map<string, Float32Array> {
    const p = this.params;
    return new Map(p.w.flatMap((w, l) => [[`w${l + 1}`, w.slice()] as const, [`b${l + 1}`, p.b[l].slice()] as const]));
  }

  getState(): PolicyState {
    const s: PolicyState = { ...Object.fromEntries(this.parameters()), ...arrayAdamwStateEntries(this.opt) };
    s.envSteps = Float32Array.of(this.envSteps);
    return s;
  }

  setState(s: PolicyState): void {
    const p = this.params;
    this.params = { ...p, w: p.w.map((_, l) => s[`w${l + 1}`].slice()), b: p.b.map((_, l) => s[`b${l + 1}`].slice()) };
    this.opt = arrayAdamwStateFrom(s, this.opt.m.length);
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
