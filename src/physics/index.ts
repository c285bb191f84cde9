/**
 * modelmath/physics — physical parameters from video without labels (lecture section 三;
 * Castañeda Garcia et al., CVPR 2025). Public API in groups: the physics blocks and their
 * arithmetic interface, the systems, synthetic video and clip sets, the model and its training,
 * integrator bias, and recovery summaries. Real video loading lives in core/video.ts.
 */

// Integrator bias and recovery summaries
export { fitBlock, integratorBias } from './bias.js';
// Physics blocks (one formula per system, over numbers or tensors)
export {
  type Acceleration,
  type Dynamics,
  decayRateFromEuler,
  eq6Step,
  eulerStep,
  freeFallAccel,
  GRAVITY,
  INCLINE,
  klToNormal,
  type LatentPrior,
  ledRate,
  oscillatorAccel,
  oscillatorFromEq6,
  type Params,
  pendulumAccel,
  type Rate,
  rk4,
  rk4Step,
  rollout,
  STANDARD_PRIOR,
  slidingBlockAccel,
  torricelliRate,
} from './blocks.js';
export { fitLatentToState, fitPowerLatent, fitSqrtLatent, type LineFit } from './calibrate.js';
// Model and training
export {
  PHYSICS_DEFAULTS,
  PHYSICS_PRESET_NAMES,
  PHYSICS_PRESETS,
  type PhysicsConfig,
  type PhysicsPreset,
  physicsConfigSchema,
  resolvePhysicsConfig,
} from './config.js';
export {
  type ClipSet,
  clipsFromFrames,
  downsample,
  readClipSet,
  readParamsFile,
  type SimulateOptions,
  simulateClips,
  simulateStates,
  writeClipSet,
} from './dataset.js';
export {
  encode,
  encodeAll,
  type PhysicsModel,
  physicsLoss,
  physicsModelInit,
  physTensors,
  physValues,
} from './model.js';
export { numberOps, type Ops, tensorOps } from './ops.js';
// Synthetic video and clip sets
export {
  BACKGROUNDS,
  type Background,
  FRAME_HEIGHT,
  FRAME_WIDTH,
  objectPosition,
  renderFrame,
  smoothBackground,
} from './render.js';
export { median, mergeSuites, type RecoveryRow, type RecoveryRun, readSuites, summarizeRuns } from './summary.js';
// Systems
export {
  getSystem,
  PAPER_BLOCK_SYSTEMS,
  type ParamScaling,
  type ParamSpec,
  paperBlockSpec,
  SYSTEM_NAMES,
  SYSTEMS,
  type SystemName,
  type SystemSpec,
  trainingSpec,
  trueParams,
} from './systems.js';
export {
  createPhysicsRun,
  type EpochRow,
  estimates,
  type FitOptions,
  type FitResult,
  fitPhysics,
  type ParamEstimate,
  type PhysicsRun,
  trainStep,
} from './train.js';
