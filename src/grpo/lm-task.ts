/**
 * `grpo lm`: GRPO + LoRA on the shipped tiny LM for two-digit addition with an exact-match reward;
 * greedy accuracy on held-out prompts before and after, and generation throughput (tokens/s).
 */
import { getTf } from '../core/engine.js';
import { Rng } from '../core/rng.js';
import { loadTinyLm } from '../lm/index.js';
import { addLora } from '../lora/index.js';
import { disposeParams } from '../nn/index.js';
import type { GrpoConfig } from './config.js';
import {
  type AdditionProblem,
  digitCredit,
  exactMatch,
  heldOutProblems,
  LmGrpoPolicy,
  sampleTrainProblem,
} from './lm.js';
import { type GrpoStepLog, GrpoTrainer } from './trainer.js';

export interface LmGrpoOptions {
  /** Model folder (config.json + model.safetensors). */
  modelDir: string;
  steps: number;
  seed: number;
  /** LoRA rank and targets. */
  r: number;
  targetModules: string[];
  /** Held-out problems for the before/after accuracy. */
  evalProblems: number;
  /** Sampling temperature of the policy (default 1). */
  temperature?: number;
  /** Weight of the digit partial-credit reward added to exact match (default 0: exact match only). */
  partialCredit?: number;
  config?: Partial<GrpoConfig>;
  checkpointPath?: string;
  resume?: boolean;
  onLog?(log: GrpoStepLog): void;
  /** Text log every config.logEvery steps. */
  log?(line: string): void;
}

export interface LmGrpoResult {
  heldOutAccuracyBefore: number;
  heldOutAccuracyAfter: number;
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

export async function runLmGrpo(o: LmGrpoOptions): Promise<LmGrpoResult> {
  await getTf();
  const rng = new Rng(o.seed);
  const { params, config } = loadTinyLm(o.modelDir);
  try {
    addLora(params, rng.fork('lora'), { r: o.r, alpha: 2 * o.r, targetModules: o.targetModules });
    const cfg = { ...LM_GRPO_CONFIG, steps: o.steps, ...o.config };
    const policy = new LmGrpoPolicy(params, config, {
      maxNewTokens: 4,
      temperature: o.temperature ?? 1,
      lr: cfg.lr ?? 2e-3,
      weightDecay: 0,
    });
    const evalSet = heldOutProblems(o.evalProblems, rng.fork('eval'));
    const before = policy.greedyAccuracy(evalSet);
    const trainer = new GrpoTrainer<AdditionProblem, string>({
      policy,
      rewardFns: [
        { name: 'exactMatch', score: (ps, cs) => ps.map((p, i) => exactMatch(p, cs[i])) },
        ...(o.partialCredit
          ? [
              {
                name: 'digits',
                score: (ps: AdditionProblem[], cs: string[]) => ps.map((p, i) => digitCredit(p, cs[i])),
              },
            ]
          : []),
      ],
      samplePrompts: (r, n) => Array.from({ length: n }, () => sampleTrainProblem(r)),
      config: o.partialCredit ? { ...cfg, rewardWeights: [1, o.partialCredit] } : cfg,
      rng: rng.fork('train'),
    });
    const curve: LmGrpoResult['curve'] = [];
    const t0 = performance.now();
    await trainer.train({
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
      heldOutAccuracyBefore: before,
      heldOutAccuracyAfter: after,
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
