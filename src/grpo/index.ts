/**
 * modelmath/grpo — Group Relative Policy Optimization (Shao et al. 2024) and its variants.
 * Public API: the config (TRL names), the pure loss math, the trainer for any token-log-prob
 * policy, and the lecture's bandit script.
 */

// The lecture's bandit
export {
  BANDIT_DEFAULTS,
  type BanditParams,
  BanditPolicy,
  type BanditSpec,
  banditInit,
  banditLogProbs,
  banditReward,
  banditVjpPlain,
} from './bandit.js';
export { banditVjpTf } from './bandit-tf.js';
export { type BanditRunResult, lectureTrainer, runLectureBandit } from './lecture.js';
// Configuration (TRL's GRPOConfig names)
export {
  GRPO_DEFAULTS,
  GRPO_PRESETS,
  type GrpoConfig,
  grpoConfigSchema,
  KL_ESTIMATORS,
  type KlEstimator,
  LOSS_TYPES,
  type LossType,
  SCALE_REWARDS,
  type ScaleRewards,
  validateGrpoConfig,
} from './config.js';
// GRPO + LoRA on the tiny LM (verifiable tasks: two-digit addition, word reversal)
export {
  ADDITION,
  type AdditionProblem,
  charCredit,
  exactMatch,
  isHeldOut,
  LM_TASKS,
  LmGrpoPolicy,
  type LmPolicyOptions,
  type LmTask,
  lmGreedyAccuracy,
  REVERSE,
} from './lm.js';
export {
  CHECK_PROBLEMS,
  LM_TASK_NAMES,
  type LmTaskName,
  WARM_START_PRESETS,
  type WarmStartOptions,
} from './lm-config.js';
export { LM_GRPO_CONFIG, type LmGrpoOptions, type LmGrpoResult, runLmGrpo } from './lm-task.js';
export { sftText, type WarmStartResult, warmStart } from './lm-warm.js';
// Pure loss math
export {
  aggregationWeights,
  besselStd,
  clippedSurrogate,
  combineRewards,
  type GrpoLossInput,
  type GrpoLossOptions,
  type GrpoLossResult,
  groupAdvantages,
  grpoLoss,
  klGrad,
  klK1,
  klK2,
  klK3,
  klValue,
  maskedMean,
} from './loss.js';
// Trainer and policy interface
export type { GrpoPolicy, PolicyState, Rollout, TokenLoss } from './policy.js';
export { type GrpoTrainOptions, trainGrpo } from './train.js';
export { formatLog, type GrpoStepLog, GrpoTrainer, type RewardFn, selectRows } from './trainer.js';
