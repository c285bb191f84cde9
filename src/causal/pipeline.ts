/**
 * The lecture's causal data pipeline end to end (lecture17 六, four stages) against a pure-RL
 * baseline (the lecture's contrast with DeepSeek-R1-Zero): 1. cold start from a noisy scripted
 * policy, 2. do(a) counterfactual augmentation with a learned model + rejection sampling,
 * 3. SFT on real vs real + augmented samples, 4. GRPO fine-tuning; pure RL from scratch gets the
 * same environment-step budget (real steps + stage-4 steps). Every number here is measured.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { type AugmentReport, augment, labelRealStep } from './augment.js';
import { fitMechanisms, observe } from './dynamics.js';
import {
  type ActionPolicy,
  type Episode,
  type EvalStats,
  episodeStats,
  runEpisode,
  scriptedPolicy,
} from './episode.js';
import { cloneMlp, type MlpParams, mlpActionPolicy, mlpPolicyInit, SFT_DEFAULTS, sft } from './policy.js';
import { pushTrainer } from './rl.js';
import { PUSH_ENV, type PushEnv, sampleInitialState } from './scm.js';

export const STAGES = ['coldStart', 'sftReal', 'sftAugmented', 'rl', 'pureRl'] as const;
export type Stage = (typeof STAGES)[number];

export const causalConfigSchema = z.object({
  /** Real cold-start trajectories (stage 1). Default 16, 1-1000. */
  realTrajectories: z.number().int().min(1).max(1000),
  /** Scripted policy: probability of a random action. Default 0.25. */
  scriptedEpsilon: z.number().min(0).max(1),
  /** Scripted policy: probability of an over-long (aggressive) step. Default 0.1. */
  scriptedAggressive: z.number().min(0).max(1),
  /** Evaluation episodes per stage (fixed starts). Default 200. */
  evalEpisodes: z.number().int().min(1).max(100_000),
  /** SFT minibatch updates (stage 3), equal for real-only and augmented data. Default 1500. */
  sftSteps: z.number().int().min(1).max(1_000_000),
  /** GRPO steps of stage 4 (8 starts x 8 episodes each). Default 30. */
  rlSteps: z.number().int().min(0).max(100_000),
  /** Evaluate the RL curves every this many GRPO steps. Default 5. */
  evalEvery: z.number().int().min(1),
  /** Hidden width of the policy MLP. Default 64. */
  hidden: z.number().int().min(1).max(4096),
  /** Stages to run (pureRl is the baseline). Default all. */
  stages: z.array(z.enum(STAGES)).min(1),
});
export type CausalConfig = z.infer<typeof causalConfigSchema>;

export const CAUSAL_DEFAULTS: CausalConfig = {
  realTrajectories: 16,
  scriptedEpsilon: 0.25,
  scriptedAggressive: 0.1,
  evalEpisodes: 200,
  sftSteps: 1500,
  rlSteps: 30,
  evalEvery: 5,
  hidden: 64,
  stages: [...STAGES],
};
export const CAUSAL_PRESETS = {
  quick: { realTrajectories: 8, evalEpisodes: 50, sftSteps: 200, rlSteps: 4, evalEvery: 2 },
} as const satisfies Record<string, Partial<CausalConfig>>;

export interface SampleCounts {
  real: number;
  generated: number;
  rejected: AugmentReport['rejected'];
  positive: number;
  negative: number;
}

export interface StageResult extends EvalStats {
  samples: SampleCounts;
  /** Environment steps consumed to build this stage (real + RL rollouts). */
  budgetEnvSteps: number;
}

export interface CausalResult {
  stages: Partial<Record<'coldStart' | 'sftReal' | 'sftAugmented' | 'rl', StageResult>>;
  pureRl?: StageResult;
  augment?: AugmentReport;
  /** Success rate vs environment steps (RL from the augmented SFT policy, and pure RL). */
  curves: { rl: { envSteps: number; successRate: number }[]; pureRl: { envSteps: number; successRate: number }[] };
  realSuccesses: number;
  /** The trained policies by stage (for figures and further use). */
  policies: Partial<Record<'sftReal' | 'sftAugmented' | 'rl' | 'pureRl', MlpParams>>;
}

const noSamples = (): SampleCounts => ({
  real: 0,
  generated: 0,
  rejected: { collision: 0, slip: 0, invalid: 0, noProgress: 0 },
  positive: 0,
  negative: 0,
});

/** Evaluates a policy on `n` fixed starts (the same for every stage: forked from the seed). */
export function evaluate(
  env: PushEnv,
  policy: ActionPolicy,
  n: number,
  seed: number,
): EvalStats & { episodes: number } {
  const rng = new Rng(seed).fork('eval');
  const eps: Episode[] = [];
  for (let i = 0; i < n; i++) eps.push(runEpisode(env, sampleInitialState(rng), policy, rng));
  return episodeStats(eps);
}

/** GRPO for `stop.steps` steps, or until `stop.budget` environment steps are used; returns the policy and its success curve. */
async function runRl(
  env: PushEnv,
  init: MlpParams,
  stop: { steps?: number; budget?: number },
  offset: number,
  cfg: CausalConfig,
  seed: number,
  rng: Rng,
) {
  const { trainer, policy } = pushTrainer(env, init, rng);
  const curve = [
    { envSteps: offset, successRate: evaluate(env, mlpActionPolicy(env, policy.params, true), 100, seed).successRate },
  ];
  let steps = 0;
  const done = () => (stop.steps !== undefined ? steps >= stop.steps : policy.envSteps >= (stop.budget ?? 0));
  while (!done()) {
    await trainer.trainStep();
    steps++;
    if (steps % cfg.evalEvery === 0 || done()) {
      const sr = evaluate(env, mlpActionPolicy(env, policy.params, true), 100, seed).successRate;
      curve.push({ envSteps: offset + policy.envSteps, successRate: sr });
    }
  }
  return { params: cloneMlp(policy.params), curve, envSteps: policy.envSteps };
}

/** Runs the selected stages for one seed. */
export async function runCausalPipeline(
  input: Partial<CausalConfig>,
  seed: number,
  log: (m: string) => void = () => {},
) {
  const parsed = causalConfigSchema.safeParse({ ...CAUSAL_DEFAULTS, ...input });
  if (!parsed.success)
    throw new ConfigError(`causal config ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  const cfg = parsed.data;
  const env = PUSH_ENV;
  const root = new Rng(seed);
  const want = new Set<Stage>(cfg.stages);
  const result: CausalResult = { stages: {}, curves: { rl: [], pureRl: [] }, realSuccesses: 0, policies: {} };
  const stage = (stats: EvalStats, samples: SampleCounts, budget: number): StageResult => ({
    ...stats,
    samples,
    budgetEnvSteps: budget,
  });
  // 1. Cold start: real trajectories of the noisy scripted policy.
  const scripted = scriptedPolicy(env, cfg.scriptedEpsilon, cfg.scriptedAggressive);
  const coldRng = root.fork('cold');
  const real = Array.from({ length: cfg.realTrajectories }, () =>
    runEpisode(env, sampleInitialState(coldRng), scripted, coldRng),
  );
  const realSteps = real.flatMap((e) => e.steps);
  result.realSuccesses = real.filter((e) => e.success).length;
  const realSamples = realSteps.map((r) => labelRealStep(env, r)).filter((s) => s !== null);
  const realCounts = { ...noSamples(), real: realSteps.length, positive: realSamples.filter((s) => s.positive).length };
  realCounts.negative = realSamples.length - realCounts.positive;
  if (want.has('coldStart')) {
    result.stages.coldStart = stage(evaluate(env, scripted, cfg.evalEpisodes, seed), realCounts, realSteps.length);
    log(`coldStart: ${real.length} real trajectories (${result.realSuccesses} successes), ${realSteps.length} steps`);
  }
  const sftOpts = { ...SFT_DEFAULTS, steps: cfg.sftSteps };
  // 3a. SFT on real samples only.
  if (want.has('sftReal')) {
    const p = mlpPolicyInit(root.fork('init'), cfg.hidden);
    sft(env, p, realSamples, root.fork('sftReal'), sftOpts);
    result.stages.sftReal = stage(
      evaluate(env, mlpActionPolicy(env, p, true), cfg.evalEpisodes, seed),
      realCounts,
      realSteps.length,
    );
    result.policies.sftReal = p;
    log(`sftReal: success ${result.stages.sftReal.successRate.toFixed(3)}`);
  }
  let augmented: MlpParams | undefined;
  if (want.has('sftAugmented') || want.has('rl')) {
    // 2. Learned mechanisms, counterfactual augmentation, rejection sampling. 3b. SFT on real + augmented.
    const { model } = fitMechanisms(env, realSteps.map(observe));
    const aug = augment(env, model, realSteps);
    result.augment = aug.report;
    augmented = mlpPolicyInit(root.fork('init'), cfg.hidden);
    sft(env, augmented, [...realSamples, ...aug.samples], root.fork('sftAug'), sftOpts);
    const counts: SampleCounts = {
      real: realSteps.length,
      generated: aug.report.generated,
      rejected: aug.report.rejected,
      positive: realCounts.positive + aug.report.keptPositive,
      negative: realCounts.negative + aug.report.keptNegative,
    };
    const stats = evaluate(env, mlpActionPolicy(env, augmented, true), cfg.evalEpisodes, seed);
    result.stages.sftAugmented = stage(stats, counts, realSteps.length);
    result.policies.sftAugmented = augmented;
    log(`sftAugmented: success ${stats.successRate.toFixed(3)} (${aug.report.keptPositive} generated positives)`);
  }
  // 4. GRPO from the augmented SFT policy.
  let rlBudget = 0;
  if (want.has('rl') && augmented) {
    const rl = await runRl(env, augmented, { steps: cfg.rlSteps }, realSteps.length, cfg, seed, root.fork('rl'));
    rlBudget = rl.envSteps;
    result.policies.rl = rl.params;
    result.curves.rl = rl.curve;
    const counts = { ...result.stages.sftAugmented!.samples };
    result.stages.rl = stage(
      evaluate(env, mlpActionPolicy(env, rl.params, true), cfg.evalEpisodes, seed),
      counts,
      realSteps.length + rl.envSteps,
    );
    log(`rl: success ${result.stages.rl.successRate.toFixed(3)} after ${rl.envSteps} env steps`);
  }
  // Baseline: pure RL from scratch with the same environment-step budget.
  if (want.has('pureRl')) {
    // Without stage 4 in this run, the budget is what cfg.rlSteps GRPO steps would take at the horizon (an upper bound).
    const budget = realSteps.length + (want.has('rl') ? rlBudget : cfg.rlSteps * 64 * env.horizon);
    const init = mlpPolicyInit(root.fork('init'), cfg.hidden);
    const pure = await runRl(env, init, { budget }, 0, cfg, seed, root.fork('pureRl'));
    result.curves.pureRl = pure.curve;
    result.policies.pureRl = pure.params;
    result.pureRl = stage(
      evaluate(env, mlpActionPolicy(env, pure.params, true), cfg.evalEpisodes, seed),
      noSamples(),
      pure.envSteps,
    );
    log(`pureRl: success ${result.pureRl.successRate.toFixed(3)} after ${pure.envSteps} env steps`);
  }
  return result;
}
