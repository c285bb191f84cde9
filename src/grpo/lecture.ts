/**
 * The lecture's script end to end (lecture17 section 五) on the general GRPO trainer: the bandit
 * policy, reward prompt % 8, the `lecture` preset (group 8, batch 16, clip 0.2, beta 0.05, k3,
 * 4 PPO epochs, AdamW 1e-3 wd 0.01, std + 1e-8). Compared with the PyTorch original by
 * bench/grpo/bandit.ts (bench/grpo/lecture_grpo.py).
 */
import { Rng } from '../core/rng.js';
import { BANDIT_DEFAULTS, BanditPolicy, type BanditVjp, banditInit, banditReward } from './bandit.js';
import { GRPO_PRESETS, type GrpoConfig } from './config.js';
import { type GrpoStepLog, GrpoTrainer } from './trainer.js';

export interface BanditRunOptions {
  steps: number;
  seed: number;
  /** Extra trainer settings over the lecture preset (for the loss-variant comparison). */
  config?: Partial<GrpoConfig>;
  /** Called after every step (progress, checkpoints). */
  onStep?(log: GrpoStepLog): void;
  /** Record the greedy accuracy every this many steps (0 = never). */
  accuracyEvery?: number;
  /** How the policy back-propagates: analytic Float32Array code (default) or the engine's autodiff. */
  vjp?: BanditVjp;
}

export interface BanditRunResult {
  greedyAccuracy: number;
  meanRewardLast50: number;
  klToRef: number;
  wallSeconds: number;
  /** Mean reward of each step's rollout. */
  curve: number[];
  /** Greedy accuracy over all prompts every `accuracyEvery` steps (with the step). */
  accuracyCurve: { step: number; greedyAccuracy: number }[];
}

/** Builds the lecture's trainer for one seed (init and sampling streams forked from the seed). */
export function lectureTrainer(o: BanditRunOptions): { trainer: GrpoTrainer<number, number>; policy: BanditPolicy } {
  const rng = new Rng(o.seed);
  const config: Partial<GrpoConfig> = { ...GRPO_PRESETS.lecture, steps: o.steps, ...o.config };
  const policy = new BanditPolicy(
    banditInit(BANDIT_DEFAULTS, rng.fork('init')),
    { lr: config.lr ?? 1e-3, weightDecay: config.weightDecay ?? 0.01 },
    BANDIT_DEFAULTS,
    o.vjp,
  );
  const { numPrompts, numActions } = BANDIT_DEFAULTS;
  const trainer = new GrpoTrainer<number, number>({
    policy,
    rewardFns: [{ name: 'exact', score: (p, a) => banditReward(p, a, numActions) }],
    samplePrompts: (r, n) => Array.from({ length: n }, () => r.int(numPrompts)),
    config,
    rng: rng.fork('train'),
  });
  return { trainer, policy };
}

/** Runs the lecture's script for `steps` steps and evaluates greedy accuracy and KL to the reference. */
export async function runLectureBandit(o: BanditRunOptions): Promise<BanditRunResult> {
  const { trainer, policy } = lectureTrainer(o);
  const curve: number[] = [];
  const accuracyCurve: BanditRunResult['accuracyCurve'] = [];
  let evalMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < o.steps; i++) {
    const log = await trainer.trainStep();
    curve.push(log['reward/mean']);
    o.onStep?.(log);
    if (o.accuracyEvery && (i + 1) % o.accuracyEvery === 0) {
      const e0 = performance.now();
      accuracyCurve.push({ step: i + 1, greedyAccuracy: policy.evaluate().greedyAccuracy });
      evalMs += performance.now() - e0;
    }
  }
  const wallSeconds = (performance.now() - t0 - evalMs) / 1000;
  const last = curve.slice(-50);
  return {
    ...policy.evaluate(),
    meanRewardLast50: last.reduce((a, b) => a + b, 0) / last.length,
    wallSeconds,
    curve,
    accuracyCurve,
  };
}
