/**
 * GRPO trainer configuration: one zod schema, documented knob by knob with Hugging Face TRL's
 * names in camelCase (GRPOConfig), plus `GRPO_DEFAULTS`, presets and `validateGrpoConfig()`.
 * Sources: Shao et al. 2024 (DeepSeekMath, GRPO eq. 3), Yu et al. 2025 (DAPO: clip-higher,
 * dynamic sampling, token-level loss), Liu et al. 2025 (Dr. GRPO), Schulman 2020 (k1/k2/k3 KL).
 */
import { z } from 'zod';
import { issueLine } from '../core/config.js';
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
  batchPrompts: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .default(16)
    .describe('prompts per step (TRL: per_device_train_batch_size / num_generations)'),
  numGenerations: z
    .number()
    .int()
    .min(2)
    .max(1024)
    .default(8)
    .describe('completions sampled per prompt, the group G (GRPO eq. 3)'),
  steps: z.number().int().min(1).max(10_000_000).default(1000).describe('optimiser steps to run'),
  numIterations: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe('PPO epochs over one rollout batch (TRL: num_iterations; the lecture uses 4)'),
  // ---- loss ----
  beta: z
    .number()
    .min(0)
    .max(100)
    .default(0.05)
    .describe('KL coefficient beta (DeepSeekMath 0.04, the lecture 0.05; 0 keeps no reference model)'),
  epsilon: z.number().gt(0).lt(1).default(0.2).describe('lower clip range: the ratio is clipped at 1 - epsilon (PPO)'),
  epsilonHigh: z
    .number()
    .gt(0)
    .max(10)
    .optional()
    .describe('upper clip range (DAPO clip-higher uses 0.28; default: epsilon)'),
  lossType: z
    .enum(LOSS_TYPES)
    .default('grpo')
    .describe(
      "loss aggregation (TRL loss_type): 'grpo' token mean per completion, then mean over completions " +
        "(DeepSeekMath eq. 3); 'bnpo' token mean over the batch; 'dr_grpo' sum / (completions x max length) " +
        "(Dr. GRPO); 'dapo' token sum / valid tokens of the batch (DAPO eq. 12)",
    ),
  scaleRewards: z
    .enum(SCALE_REWARDS)
    .default('group')
    .describe("advantage scaling (TRL scale_rewards): 'group' std (GRPO), 'batch' std, or 'none' (Dr. GRPO)"),
  advantageEps: z
    .number()
    .gt(0)
    .max(1)
    .default(1e-4)
    .describe('added to the std before dividing the advantages (TRL 1e-4, the lecture 1e-8)'),
  klEstimator: z
    .enum(KL_ESTIMATORS)
    .default('k3')
    .describe("KL estimator: 'k1' log-ratio, 'k2' half squared log-ratio, 'k3' exp(-d) + d - 1 (GRPO eq. 4)"),
  rewardWeights: z
    .array(z.number())
    .optional()
    .describe('one weight per reward function (TRL reward_weights; default: all 1)'),
  maskTruncatedCompletions: z
    .boolean()
    .default(false)
    .describe('zero the loss mask of completions that hit the length limit (TRL mask_truncated_completions)'),
  dynamicSampling: z
    .boolean()
    .default(false)
    .describe('DAPO dynamic sampling: drop groups whose rewards are all equal (zero advantage)'),
  // ---- optimiser (AdamW, PyTorch defaults) ----
  lr: z.number().gt(0).max(10).default(1e-3).describe('learning rate (the lecture: 1e-3)'),
  weightDecay: z.number().min(0).max(1).default(0.01).describe('AdamW decoupled weight decay (PyTorch default 0.01)'),
  // ---- logging and checkpoints ----
  logEvery: z.number().int().min(0).default(50).describe('log one line every n steps (0 = never)'),
  checkpointEvery: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('save a checkpoint every n steps (0 = never; needs a checkpoint path)'),
});

export type GrpoConfig = z.output<typeof grpoConfigSchema>;

/** Defaults: the lecture's script (group 8, batch 16, clip 0.2, beta 0.05, k3, 4 PPO epochs, AdamW 1e-3). */
export const GRPO_DEFAULTS: GrpoConfig = grpoConfigSchema.parse({});

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
  if (!parsed.success) throw new ConfigError(`GRPO config ${issueLine(parsed.error, merged)}`);
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
