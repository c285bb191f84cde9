/**
 * The lecture's causal data pipeline end to end (lecture17 六, four stages) against a pure-RL
 * baseline (the lecture's contrast with DeepSeek-R1-Zero): 1. cold start from a noisy scripted
 * policy, 2. do(a) counterfactual augmentation with a learned model + rejection sampling,
 * 3. SFT on real vs real + augmented samples, 4. GRPO fine-tuning; pure RL from scratch gets the
 * same environment-step budget (real steps + stage-4 steps). Every number here is measured.
 */
import { parseConfig } from '../core/config.js';
import { Rng } from '../core/rng.js';
import { explicitMlpClone } from '../nn/index.js';
import { type AugmentReport, augment, labelRealStep } from './augment.js';
import { CAUSAL_DEFAULTS, type CausalConfig, causalConfigSchema, type Stage } from './config.js';
import { fitMechanisms, observe } from './dynamics.js';
import {
  type ActionPolicy,
  type Episode,
  type EvalStats,
  episodeStats,
  runEpisode,
  scriptedPolicy,
} from './episode.js';
import { type MlpParams, mlpActionPolicy, mlpPolicyInit, SFT_DEFAULTS, sft } from './policy.js';
import { pushTrainer } from './rl.js';
import { PUSH_ENV, type PushEnv, sampleInitialState } from './scm.js';

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
  /** SFT minibatch updates (the SFT stages only). */
  sftSteps?: number;
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
  return episodeStats(env, eps);
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
  return { params: explicitMlpClone(policy.params), curve, envSteps: policy.envSteps };
}

const stageResult = (stats: EvalStats, samples: SampleCounts, budget: number): StageResult => ({
  ...stats,
  samples,
  budgetEnvSteps: budget,
});

/** Shared state of one pipeline run. */
interface RunContext {
  cfg: CausalConfig;
  env: PushEnv;
  seed: number;
  root: Rng;
  log(m: string): void;
  greedyEval(p: MlpParams): EvalStats;
}

/** Stage 1's data: `n` episodes of the noisy scripted policy from the seed's 'cold' stream, their steps and labels. */
export function coldStartData(
  env: PushEnv,
  n: number,
  root: Rng,
  scripted: ActionPolicy = scriptedPolicy(env, CAUSAL_DEFAULTS.scriptedEpsilon, CAUSAL_DEFAULTS.scriptedAggressive),
) {
  const coldRng = root.fork('cold');
  const episodes = Array.from({ length: n }, () => runEpisode(env, sampleInitialState(coldRng), scripted, coldRng));
  const realSteps = episodes.flatMap((e) => e.steps);
  const realSamples = realSteps.map((r) => labelRealStep(env, r)).filter((s) => s !== null);
  return { episodes, realSteps, realSamples };
}

/** Stage 1: real trajectories of the noisy scripted policy, labelled step by step. */
function coldStart(c: RunContext, result: CausalResult, report: boolean) {
  const scripted = scriptedPolicy(c.env, c.cfg.scriptedEpsilon, c.cfg.scriptedAggressive);
  const { episodes: real, realSteps, realSamples } = coldStartData(c.env, c.cfg.realTrajectories, c.root, scripted);
  result.realSuccesses = real.filter((e) => e.success).length;
  const positive = realSamples.filter((s) => s.positive).length;
  const counts: SampleCounts = {
    ...noSamples(),
    real: realSteps.length,
    positive,
    negative: realSamples.length - positive,
  };
  if (report) {
    const stats = evaluate(c.env, scripted, c.cfg.evalEpisodes, c.seed);
    result.stages.coldStart = stageResult(stats, counts, realSteps.length);
  }
  c.log(`coldStart: ${real.length} real trajectories (${result.realSuccesses} successes), ${realSteps.length} steps`);
  return { realSteps, realSamples, counts };
}

/**
 * SFT updates for a data set that holds the real samples plus generated ones: the real-only budget scaled by
 * (all samples / real samples), so that every real sample is visited as often as in real-only SFT (equal
 * passes over the real data; the generated samples ride along).
 */
export const sftStepsForEqualRealPasses = (realOnlySteps: number, realSamples: number, allSamples: number): number =>
  Math.round((realOnlySteps * allSamples) / Math.max(realSamples, 1));

/** Stage 2 + 3b: learned mechanisms, do(a) counterfactuals, rejection sampling, SFT on real + augmented. */
function augmentedSft(c: RunContext, result: CausalResult, cold: ReturnType<typeof coldStart>): MlpParams {
  const { model } = fitMechanisms(c.env, cold.realSteps.map(observe));
  const aug = augment(c.env, model, cold.realSteps, c.root.fork('abduction'));
  result.augment = aug.report;
  const p = mlpPolicyInit(c.root.fork('init'), c.cfg.hidden);
  const data = [...cold.realSamples, ...aug.samples];
  const steps = sftStepsForEqualRealPasses(c.cfg.sftSteps, cold.realSamples.length, data.length);
  sft(c.env, p, data, c.root.fork('sftAug'), { ...SFT_DEFAULTS, steps });
  const counts: SampleCounts = {
    real: cold.realSteps.length,
    generated: aug.report.generated,
    rejected: aug.report.rejected,
    positive: cold.counts.positive + aug.report.keptPositive,
    negative: cold.counts.negative + aug.report.keptNegative,
  };
  result.stages.sftAugmented = { ...stageResult(c.greedyEval(p), counts, cold.realSteps.length), sftSteps: steps };
  result.policies.sftAugmented = p;
  c.log(
    `sftAugmented: success ${result.stages.sftAugmented.successRate.toFixed(3)} (${aug.report.keptPositive} generated positives)`,
  );
  return p;
}

/** Runs the selected stages for one seed. */
export async function runCausalPipeline(
  input: Partial<CausalConfig>,
  seed: number,
  log: (m: string) => void = () => {},
): Promise<CausalResult> {
  const cfg = parseConfig(causalConfigSchema, input);
  const env = PUSH_ENV;
  const c: RunContext = {
    cfg,
    env,
    seed,
    root: new Rng(seed),
    log,
    greedyEval: (p) => evaluate(env, mlpActionPolicy(env, p, true), cfg.evalEpisodes, seed),
  };
  const want = new Set<Stage>(cfg.stages);
  const result: CausalResult = { stages: {}, curves: { rl: [], pureRl: [] }, realSuccesses: 0, policies: {} };
  // 1. Cold start (always: every later stage is measured against its real data).
  const cold = coldStart(c, result, want.has('coldStart'));
  // 3a. SFT on real samples only.
  if (want.has('sftReal')) {
    const p = mlpPolicyInit(c.root.fork('init'), cfg.hidden);
    sft(env, p, cold.realSamples, c.root.fork('sftReal'), { ...SFT_DEFAULTS, steps: cfg.sftSteps });
    result.stages.sftReal = {
      ...stageResult(c.greedyEval(p), cold.counts, cold.realSteps.length),
      sftSteps: cfg.sftSteps,
    };
    result.policies.sftReal = p;
    log(`sftReal: success ${result.stages.sftReal.successRate.toFixed(3)}`);
  }
  // 2 + 3b. Counterfactual augmentation and SFT on real + augmented.
  const augmented = want.has('sftAugmented') || want.has('rl') ? augmentedSft(c, result, cold) : undefined;
  // 4. GRPO from the augmented SFT policy.
  let rlBudget = 0;
  if (want.has('rl') && augmented) {
    const rl = await runRl(env, augmented, { steps: cfg.rlSteps }, cold.realSteps.length, cfg, seed, c.root.fork('rl'));
    rlBudget = rl.envSteps;
    result.policies.rl = rl.params;
    result.curves.rl = rl.curve;
    const samples = { ...result.stages.sftAugmented!.samples };
    result.stages.rl = stageResult(c.greedyEval(rl.params), samples, cold.realSteps.length + rl.envSteps);
    log(`rl: success ${result.stages.rl.successRate.toFixed(3)} after ${rl.envSteps} env steps`);
  }
  // Baseline: pure RL from scratch with the same environment-step budget (an upper bound at the horizon without stage 4).
  if (want.has('pureRl')) {
    const budget = cold.realSteps.length + (want.has('rl') ? rlBudget : cfg.rlSteps * 64 * env.horizon);
    const init = mlpPolicyInit(c.root.fork('init'), cfg.hidden);
    const pure = await runRl(env, init, { budget }, 0, cfg, seed, c.root.fork('pureRl'));
    result.curves.pureRl = pure.curve;
    result.policies.pureRl = pure.params;
    result.pureRl = stageResult(c.greedyEval(pure.params), noSamples(), pure.envSteps);
    log(`pureRl: success ${result.pureRl.successRate.toFixed(3)} after ${pure.envSteps} env steps`);
  }
  return result;
}
