/**
 * `grpo lm`: optional SFT warm start (lm-warm.ts), then GRPO + LoRA on the shipped tiny LM for a
 * verifiable task (lm.ts: word reversal or two-digit addition) with an exact-match reward; greedy
 * and sampled accuracy on the same held-out prompts for the base, the warm-started and the GRPO model, and generation throughput (tokens/s).
 */
import { getTf } from '../core/engine.js';
import { checkOneOf } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { loadTinyLm } from '../lm/index.js';
import { addLora } from '../lora/index.js';
import { disposeParams } from '../nn/index.js';
import type { GrpoConfig } from './config.js';
import { charCredit, exactMatch, LM_TASKS, LmGrpoPolicy, type LmTask, lmGreedyAccuracy } from './lm.js';
import { LM_TASK_NAMES, type LmTaskName, WARM_START_PRESETS, type WarmStartOptions } from './lm-config.js';
import { type WarmStartResult, warmStart } from './lm-warm.js';
import { trainGrpo } from './train.js';
import { type GrpoStepLog, GrpoTrainer, type RewardFn } from './trainer.js';

export interface LmGrpoOptions {
  /** Model folder (config.json + model.safetensors). */
  modelDir: string;
  /** The verifiable task (default 'reverse', as `grpo lm`). */
  task?: LmTaskName;
  steps: number;
  seed: number;
  /** LoRA rank and targets. */
  r: number;
  targetModules: string[];
  /** Held-out problems for the before/after accuracy. */
  evalProblems: number;
  /** Sampling temperature of the policy (default 1). */
  temperature?: number;
  /** Weight of the character partial-credit reward added to exact match (default 0: exact match only). */
  partialCredit?: number;
  config?: Partial<GrpoConfig>;
  /** SFT warm start before GRPO (steps 0 or undefined: none; other fields default to the task's WARM_START_PRESETS entry). */
  warmStart?: Partial<WarmStartOptions>;
  checkpointPath?: string;
  resume?: boolean;
  onLog?(log: GrpoStepLog): void;
  /** Text log every config.logEvery steps. */
  log?(line: string): void;
}

export interface LmGrpoResult {
  task: LmTaskName;
  /** Greedy held-out accuracy of the shipped model. */
  heldOutAccuracyBase: number;
  /** Greedy held-out accuracy when GRPO starts (after the warm start; equals the base without one). */
  heldOutAccuracyBefore: number;
  heldOutAccuracyAfter: number;
  /** Held-out accuracy of one sample per prompt at the policy temperature, when GRPO starts and after it. */
  sampledAccuracyBefore: number;
  sampledAccuracyAfter: number;
  warmStart: WarmStartResult | null;
  evalProblems: number;
  steps: number;
  trainRewardFirst10: number;
  trainRewardLast10: number;
  generatedTokens: number;
  tokensPerSecond: number;
  wallSeconds: number;
  curve: { step: number; reward: number; kl: number }[];
}

/** Trainer defaults for the LM task (over GRPO_DEFAULTS): 8 prompts x 8 samples, 2 PPO epochs, DAPO-style clip-higher. */
export const LM_GRPO_CONFIG: Partial<GrpoConfig> = {
  batchPrompts: 8,
  numGenerations: 8,
  numIterations: 2,
  lr: 2e-3,
  beta: 0.02,
  epsilonHigh: 0.28,
  lossType: 'dapo',
  logEvery: 0,
};

/** The task's rewards: exact match, plus right-aligned character partial credit when its weight is > 0. */
export function lmRewardFns<P>(task: LmTask<P>, partialCredit: number): RewardFn<P, string>[] {
  const exact: RewardFn<P, string> = {
    name: 'exactMatch',
    score: (ps, cs) => ps.map((p, i) => exactMatch(task, p, cs[i])),
  };
  if (!(partialCredit > 0)) return [exact];
  return [exact, { name: 'chars', score: (ps, cs) => ps.map((p, i) => charCredit(task.answer(p), cs[i])) }];
}

export async function runLmGrpo(o: LmGrpoOptions): Promise<LmGrpoResult> {
  const taskName = checkOneOf('task', o.task ?? 'reverse', LM_TASK_NAMES);
  // The tasks' problem types differ; inside the run only the task's own functions touch them.
  const task = LM_TASKS[taskName] as LmTask<unknown>;
  await getTf();
  const rng = new Rng(o.seed);
  const { params, config } = loadTinyLm(o.modelDir);
  try {
    const evalSet = task.heldOut(o.evalProblems, rng.fork('eval'));
    const sampleSeed = rng.fork('eval/sample').getState();
    const base = lmGreedyAccuracy(params, config, task, evalSet);
    const ws = { ...WARM_START_PRESETS[taskName], steps: 0, ...o.warmStart };
    const warm = ws.steps > 0 ? await warmStart(params, config, task, rng.fork('warm'), ws) : null;
    const before = warm ? lmGreedyAccuracy(params, config, task, evalSet) : base;
    addLora(params, rng.fork('lora'), { r: o.r, alpha: 2 * o.r, targetModules: o.targetModules });
    const cfg = { ...LM_GRPO_CONFIG, steps: o.steps, ...o.config };
    const policy = new LmGrpoPolicy(task, params, config, {
      temperature: o.temperature ?? 1,
      lr: cfg.lr ?? 2e-3,
      weightDecay: 0,
      maxGradNorm: 1,
      decayUpdates: o.steps * (cfg.numIterations ?? 1),
    });
    // The same sample seed for every measurement: differences come from the weights, not the draws.
    const sampled = () => policy.sampledAccuracy(evalSet, Rng.fromState(sampleSeed));
    const sampledBefore = sampled();
    const trainer = new GrpoTrainer<unknown, string>({
      policy,
      rewardFns: lmRewardFns(task, o.partialCredit ?? 0),
      samplePrompts: (r, n) => Array.from({ length: n }, () => task.sampleTrain(r)),
      config: o.partialCredit ? { ...cfg, rewardWeights: [1, o.partialCredit] } : cfg,
      rng: rng.fork('train'),
    });
    const curve: LmGrpoResult['curve'] = [];
    const t0 = performance.now();
    await trainGrpo(trainer, {
      checkpointPath: o.checkpointPath,
      resume: o.resume,
      label: 'grpo lm',
      log: o.log,
      onLog: (log) => {
        const reward = o.partialCredit ? log['reward/exactMatch'] : log['reward/mean'];
        curve.push({ step: log.step, reward, kl: log.kl });
        o.onLog?.(log);
      },
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const after = policy.greedyAccuracy(evalSet);
    const avg = (a: typeof curve) => a.reduce((s, c) => s + c.reward, 0) / Math.max(a.length, 1);
    return {
      task: taskName,
      heldOutAccuracyBase: base,
      heldOutAccuracyBefore: before,
      heldOutAccuracyAfter: after,
      sampledAccuracyBefore: sampledBefore,
      sampledAccuracyAfter: sampled(),
      warmStart: warm,
      evalProblems: evalSet.length,
      steps: o.steps,
      trainRewardFirst10: avg(curve.slice(0, 10)),
      trainRewardLast10: avg(curve.slice(-10)),
      generatedTokens: policy.generatedTokens,
      tokensPerSecond: policy.generatedTokens / wallSeconds,
      wallSeconds,
      curve,
    };
  } finally {
    disposeParams(params);
  }
}
