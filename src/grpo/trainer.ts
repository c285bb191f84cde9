/**
 * The GRPO trainer (Shao et al. 2024, Alg. 1, outcome supervision) for any `GrpoPolicy`:
 * sample G completions per prompt, score them with weighted reward functions, group-relative
 * advantages, optional dynamic sampling (DAPO) and truncation masking, then `numIterations`
 * PPO epochs on the one rollout batch with the loss of loss.ts. Mirrors TRL's GRPOTrainer flow;
 * tested in test/grpo/trainer.test.ts (every lossType: finite loss, every parameter moves).
 */
import type { CheckpointPayload } from '../core/checkpoint.js';
import type { Rng, RngState } from '../core/rng.js';
import { Rng as RngClass } from '../core/rng.js';
import { type GrpoConfig, validateGrpoConfig } from './config.js';
import { besselStd, combineRewards, groupAdvantages, grpoLoss } from './loss.js';
import type { GrpoPolicy, PolicyState, Rollout } from './policy.js';

/** A reward function scores every completion of the batch; `name` becomes the log key reward/<name>. */
export interface RewardFn<P, C> {
  name: string;
  score(prompts: P[], completions: C[]): ArrayLike<number>;
}

/** One step's log; the same slash keys appear in logs, --json output and the report. */
export interface GrpoStepLog {
  step: number;
  loss: number;
  'reward/mean': number;
  'reward/std': number;
  kl: number;
  'clipRatio/low': number;
  'clipRatio/high': number;
  entropy: number;
  /** Groups kept by dynamic sampling (all groups when it is off). */
  'groups/kept': number;
  'completions/truncatedRatio': number;
  [key: `reward/${string}`]: number;
}

export interface GrpoTrainerOptions<P, C> {
  policy: GrpoPolicy<P, C>;
  rewardFns: RewardFn<P, C>[];
  /** Draws `n` prompts for one step. */
  samplePrompts(rng: Rng, n: number): P[];
  config?: Partial<GrpoConfig>;
  rng: Rng;
}

/** Keeps rows [N] where keep[row] is true (rollout arrays are row-major with N rows). */
export function selectRows<P, C>(r: Rollout<P, C>, keep: boolean[]): Rollout<P, C> {
  const N = r.prompts.length;
  const S = r.tokens.length / N;
  const rows = keep.flatMap((k, i) => (k ? [i] : []));
  const pick = <A extends Float32Array | Int32Array | Uint8Array>(a: A, w: number, make: (n: number) => A): A => {
    const out = make(rows.length * w);
    rows.forEach((row, j) => {
      out.set(a.subarray(row * w, row * w + w), j * w);
    });
    return out;
  };
  return {
    prompts: rows.map((i) => r.prompts[i]),
    completions: rows.map((i) => r.completions[i]),
    T: r.T,
    mask: pick(r.mask, r.T, (n) => new Float32Array(n)),
    oldLogp: pick(r.oldLogp, r.T, (n) => new Float32Array(n)),
    truncated: pick(r.truncated, 1, (n) => new Uint8Array(n)),
    tokens: pick(r.tokens, S, (n) => new Int32Array(n)),
  };
}

export class GrpoTrainer<P, C> {
  readonly config: GrpoConfig;
  readonly policy: GrpoPolicy<P, C>;
  private readonly rewardFns: RewardFn<P, C>[];
  private readonly samplePrompts: (rng: Rng, n: number) => P[];
  rng: Rng;
  /** Steps done so far. */
  step = 0;

  constructor(o: GrpoTrainerOptions<P, C>) {
    this.config = validateGrpoConfig(o.config ?? {}, o.rewardFns.length);
    this.policy = o.policy;
    this.rewardFns = o.rewardFns;
    this.samplePrompts = o.samplePrompts;
    this.rng = o.rng;
  }

  /** One GRPO step: rollout, rewards, advantages, numIterations PPO epochs. */
  async trainStep(): Promise<GrpoStepLog> {
    const cfg = this.config;
    const G = cfg.numGenerations;
    // 1. Rollout: each prompt repeated G times, groups contiguous.
    const prompts = this.samplePrompts(this.rng, cfg.batchPrompts).flatMap((p) => Array<P>(G).fill(p));
    let rollout = await this.policy.generate(prompts, this.rng);
    const N = prompts.length;
    // 2. Rewards: every function, then the weighted sum.
    const perFn = this.rewardFns.map((f) => Float64Array.from(f.score(rollout.prompts, rollout.completions)));
    const rewards = combineRewards(perFn, cfg.rewardWeights);
    // 3. Group-relative advantages.
    let advantages = groupAdvantages(rewards, G, cfg.scaleRewards, cfg.advantageEps);
    // 4. Truncation mask and dynamic sampling (drop groups with identical rewards).
    if (cfg.maskTruncatedCompletions) {
      const mask = rollout.mask.slice();
      rollout.truncated.forEach((t, n) => {
        if (t) mask.fill(0, n * rollout.T, (n + 1) * rollout.T);
      });
      rollout = { ...rollout, mask };
    }
    const keepGroup = Array.from(
      { length: N / G },
      (_, g) => !cfg.dynamicSampling || besselStd(rewards, g * G, g * G + G) > 0,
    );
    const kept = keepGroup.filter(Boolean).length;
    if (kept < keepGroup.length) {
      const keepRow = Array.from({ length: N }, (_, n) => keepGroup[Math.floor(n / G)]);
      rollout = selectRows(rollout, keepRow);
      advantages = advantages.filter((_, n) => keepRow[n]);
    }
    const log = this.baseLog(rewards, perFn, rollout, kept);
    if (kept === 0) return log;
    // 5. Reference log-probs (no reference model when beta = 0).
    const refLogp = cfg.beta > 0 ? await this.policy.referenceLogProbs(rollout) : undefined;
    // 6. PPO epochs on the one rollout batch.
    let sums = { loss: 0, entropy: 0, kl: 0, low: 0, high: 0 };
    for (let it = 0; it < cfg.numIterations; it++) {
      let res: ReturnType<typeof grpoLoss> | undefined;
      const out = await this.policy.update(rollout, (logp) => {
        res = grpoLoss({ logp, oldLogp: rollout.oldLogp, refLogp, advantages, mask: rollout.mask, T: rollout.T }, cfg);
        return res;
      });
      if (!res) throw new Error('policy.update did not call the loss callback');
      sums = {
        loss: sums.loss + out.loss,
        entropy: sums.entropy + out.entropy,
        kl: sums.kl + res.kl,
        low: sums.low + res.clipLow,
        high: sums.high + res.clipHigh,
      };
    }
    const k = cfg.numIterations;
    Object.assign(log, {
      loss: sums.loss / k,
      entropy: sums.entropy / k,
      kl: sums.kl / k,
      'clipRatio/low': sums.low / k,
      'clipRatio/high': sums.high / k,
    });
    return log;
  }

  private baseLog(rewards: Float64Array, perFn: Float64Array[], rollout: Rollout<P, C>, kept: number): GrpoStepLog {
    this.step += 1;
    let mean = 0;
    for (const r of rewards) mean += r;
    mean /= rewards.length;
    const log: GrpoStepLog = {
      step: this.step,
      loss: 0,
      'reward/mean': mean,
      'reward/std': besselStd(rewards),
      kl: 0,
      'clipRatio/low': 0,
      'clipRatio/high': 0,
      entropy: 0,
      'groups/kept': kept,
      'completions/truncatedRatio':
        rollout.truncated.reduce((a, b) => a + b, 0) / Math.max(rollout.truncated.length, 1),
    };
    if (perFn.length > 1) {
      perFn.forEach((r, k) => {
        log[`reward/${this.rewardFns[k].name}`] = r.reduce((a, b) => a + b, 0) / r.length;
      });
    }
    return log;
  }

  /** Checkpoint payload: every policy array as a 1-D tensor, the RNG stream and the step. */
  toPayload(): CheckpointPayload {
    const s = this.getState();
    const weights = new Map(Object.entries(s.policy).map(([k, v]) => [k, { shape: [v.length], data: v }]));
    return { weights, rng: { train: s.rng }, extra: { step: s.step } };
  }

  fromPayload(p: CheckpointPayload): void {
    const policy = Object.fromEntries(
      [...p.weights].map(([k, t]) => [k, Float32Array.from(t.data as ArrayLike<number>)]),
    );
    if (!p.rng?.train) throw new Error('GRPO checkpoint has no "train" RNG state');
    this.setState({ policy, rng: p.rng.train, step: Number(p.extra?.step ?? 0) });
  }

  /** Trainer state for checkpoints: policy (weights, optimiser), RNG and step. */
  getState(): { policy: PolicyState; rng: RngState; step: number } {
    return { policy: this.policy.getState(), rng: this.rng.getState(), step: this.step };
  }

  setState(s: { policy: PolicyState; rng: RngState; step: number }): void {
    this.policy.setState(s.policy);
    this.rng = RngClass.fromState(s.rng);
    this.step = s.step;
  }
}

/** One log line: `step 50 loss 0.0123 reward/mean 0.812 ...` with the slash keys. */
export function formatLog(log: GrpoStepLog): string {
  return Object.entries(log)
    .map(([k, v]) => (k === 'step' ? `step ${v}` : `${k} ${Number(v).toPrecision(4)}`))
    .join('  ');
}
