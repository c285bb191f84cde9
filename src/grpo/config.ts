/**
 * GRPO trainer configuration: one zod schema, documented knob by knob with Hugging Face TRL's
 * names in camelCase (GRPOConfig), plus `GRPO_DEFAULTS`, presets and `validateGrpoConfig()`.
 * Sources: Shao et al. 2024 (DeepSeekMath, GRPO eq. 3), Yu et al. 2025 (DAPO: clip-higher,
 * dynamic sampling, token-level loss), Liu et al. 2025 (Dr. GRPO), Schulman 2020 (k1/k2/k3 KL).
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** Loss aggregation variants (see `aggregateLoss` in loss.ts). */
export const LOSS_TYPES = ['grpo', 'bnpo', 'dr_grpo', 'dapo'] as const;
export type LossType = (typeof LOSS_TYPES)[number];
/** Advantage scaling: divide by the std of the group, of the whole batch, or not at all. */
export const SCALE_REWARDS = ['group', 'batch', 'none'] as const;
export type ScaleRewards = (typeof SCALE_REWARDS)[number];
/** KL estimators of KL(pi || pi_ref) from one sample (Schulman 2020). */
export const KL_ESTIMATORS = ['k1', 'k2', 'k3'] as const;
export type KlEstimator = (typeof KL_ESTIMATORS)[number];

export const grpoConfigSchema = z.object({
  // ---- batch and generation ----
  /** Prompts per step (TRL: per_device_train_batch_size / num_generations). Default 16, >= 1. */
  batchPrompts: z.number().int().min(1).max(4096),
  /** Completions sampled per prompt, the "group" G (GRPO eq. 3). Default 8, >= 2. */
  numGenerations: z.number().int().min(2).max(1024),
  /** Optimiser steps to run. Default 1000, >= 1. */
  steps: z.number().int().min(1).max(10_000_000),
  /** PPO epochs over one rollout batch (TRL: num_iterations; the lecture uses 4). Default 4, >= 1. */
  numIterations: z.number().int().min(1).max(64),
  // ---- loss ----
  /** KL coefficient beta (DeepSeekMath 0.04, the lecture 0.05; 0 keeps no reference model). Default 0.05, >= 0. */
  beta: z.number().min(0).max(100),
  /** Lower clip range epsilon: ratio clipped at 1 - epsilon (PPO). Default 0.2, in (0, 1). */
  epsilon: z.number().gt(0).lt(1),
  /** Upper clip range (DAPO clip-higher uses 0.28); defaults to `epsilon` when omitted. Range (0, 10]. */
  epsilonHigh: z.number().gt(0).max(10).optional(),
  /**
   * Loss aggregation (TRL loss_type):
   * - 'grpo': mean over tokens of each completion, then mean over completions (DeepSeekMath eq. 3);
   * - 'bnpo': masked mean over every token of the batch;
   * - 'dr_grpo': masked sum / (completions x maxCompletionLength), a constant normaliser (Dr. GRPO);
   * - 'dapo': token-level sum / number of valid tokens in the (global) batch (DAPO eq. 12).
   * Default 'grpo'.
   */
  lossType: z.enum(LOSS_TYPES),
  /** Advantage scaling (TRL scale_rewards): 'group' std (GRPO), 'batch' std, or 'none' (Dr. GRPO). Default 'group'. */
  scaleRewards: z.enum(SCALE_REWARDS),
  /** Added to the std before dividing the advantages (TRL 1e-4, the lecture 1e-8). Default 1e-4, > 0. */
  advantageEps: z.number().gt(0).max(1),
  /** KL estimator: 'k1' log-ratio, 'k2' half squared log-ratio, 'k3' exp(-d)+d-1 (GRPO eq. 4). Default 'k3'. */
  klEstimator: z.enum(KL_ESTIMATORS),
  /** One weight per reward function (TRL reward_weights); omitted means all 1. */
  rewardWeights: z.array(z.number()).optional(),
  /** Zero the loss mask of completions that hit the length limit (TRL mask_truncated_completions). Default false. */
  maskTruncatedCompletions: z.boolean(),
  /** DAPO dynamic sampling: drop groups whose rewards are all equal (zero advantage). Default false. */
  dynamicSampling: z.boolean(),
  // ---- optimiser (AdamW, PyTorch defaults) ----
  /** Learning rate. Default 1e-3 (the lecture), > 0. */
  lr: z.number().gt(0).max(10),
  /** AdamW decoupled weight decay (PyTorch default 0.01). Default 0.01, >= 0. */
  weightDecay: z.number().min(0).max(1),
  // ---- logging and checkpoints ----
  /** Log one line every this many steps (0 = never). Default 50. */
  logEvery: z.number().int().min(0),
  /** Save a checkpoint every this many steps (0 = never; needs a checkpoint path). Default 0. */
  checkpointEvery: z.number().int().min(0),
});

export type GrpoConfig = z.infer<typeof grpoConfigSchema>;

/** Defaults: the lecture's script (group 8, batch 16, clip 0.2, beta 0.05, k3, 4 PPO epochs, AdamW 1e-3). */
export const GRPO_DEFAULTS: GrpoConfig = {
  batchPrompts: 16,
  numGenerations: 8,
  steps: 1000,
  numIterations: 4,
  beta: 0.05,
  epsilon: 0.2,
  lossType: 'grpo',
  scaleRewards: 'group',
  advantageEps: 1e-4,
  klEstimator: 'k3',
  maskTruncatedCompletions: false,
  dynamicSampling: false,
  lr: 1e-3,
  weightDecay: 0.01,
  logEvery: 50,
  checkpointEvery: 0,
};

/** Presets are partial objects merged over the defaults; they never add a code path. */
export const GRPO_PRESETS = {
  /** The lecture's script exactly (std + 1e-8). */
  lecture: { advantageEps: 1e-8 },
  /** Tests and `--quick`: a few steps. */
  quick: { steps: 20, logEvery: 0 },
  /** DAPO recipe: clip-higher, token-level loss, dynamic sampling, no KL. */
  dapo: { lossType: 'dapo', epsilonHigh: 0.28, dynamicSampling: true, beta: 0 },
  /** Dr. GRPO recipe: constant normaliser, no std scaling. */
  dr_grpo: { lossType: 'dr_grpo', scaleRewards: 'none' },
} as const satisfies Record<string, Partial<GrpoConfig>>;

/** Cross-field checks; runs at trainer construction. `numRewardFns` is the number of reward functions. */
export function validateGrpoConfig(input: Partial<GrpoConfig>, numRewardFns = 1): GrpoConfig {
  const merged = { ...GRPO_DEFAULTS, ...input };
  const parsed = grpoConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.map(String).join('.') || 'config';
    throw new ConfigError(`GRPO config ${key}: ${issue.message}`);
  }
  const cfg = parsed.data;
  if (cfg.rewardWeights && cfg.rewardWeights.length !== numRewardFns) {
    throw new ConfigError(
      `GRPO config rewardWeights has ${cfg.rewardWeights.length} weights but there are ${numRewardFns} reward functions; give one weight per function or omit it`,
    );
  }
  if (cfg.epsilonHigh !== undefined && cfg.epsilonHigh < cfg.epsilon) {
    throw new ConfigError(
      `GRPO config epsilonHigh (${cfg.epsilonHigh}) is below epsilon (${cfg.epsilon}); clip-higher needs epsilonHigh >= epsilon`,
    );
  }
  if (cfg.checkpointEvery > cfg.steps) {
    throw new ConfigError(`GRPO config checkpointEvery (${cfg.checkpointEvery}) exceeds steps (${cfg.steps})`);
  }
  return cfg;
}
