/**
 * modelmath/causal — the lecture's causal data pipeline (lecture17 六) on a pushing task with a
 * known structural causal model: cold start, do(a) counterfactuals by abduction-action-prediction
 * with a learned model, rejection sampling, SFT, GRPO fine-tuning, and a pure-RL baseline.
 */

// Augmentation and rejection sampling
export {
  type AugmentReport,
  augment,
  type LabeledSample,
  labelRealStep,
  REJECT_REASONS,
  rejectionReason,
} from './augment.js';
// Counterfactuals and the learned model
export { abduct, counterfactual, fitMechanisms, type ObservedStep, observe } from './dynamics.js';
// Episodes and the scripted cold-start policy
export { type Episode, type EvalStats, episodeStats, runEpisode, type StepRecord, scriptedPolicy } from './episode.js';
// The pipeline and its settings
export {
  CAUSAL_DEFAULTS,
  CAUSAL_PRESETS,
  type CausalConfig,
  causalConfigSchema,
  STAGES,
  type Stage,
} from './config.js';
export { type CausalResult, runCausalPipeline, type StageResult } from './pipeline.js';
// Policy, SFT and RL
export { features, mlpForward, mlpPolicyInit, SFT_DEFAULTS, sft } from './policy.js';
export { PUSH_GRPO_CONFIG, PUSH_REWARD_WEIGHTS, PushGrpoPolicy, pushRewards, pushTrainer } from './rl.js';
// The structural causal model
export {
  ACTIONS,
  CAUSAL_PARENTS,
  contactGeometry,
  type Exogenous,
  type Interventions,
  type NodeName,
  PUSH_ENV,
  type PushEnv,
  type PushState,
  type StepVars,
  sampleExogenous,
  sampleInitialState,
  scmStep,
  type Vec2,
} from './scm.js';
