/**
 * modelmath/diffusion — the one diffusion module of modelmath: noise schedules, conversions
 * between eps / x0 / v / score, losses, DDIM and DDPM schedulers (schedules and conversions are
 * pure functions on typed arrays; ChordEdit and the toy model use them from here). The 2-D
 * lab (networks on the engine) has its own entry, ./lab/index.ts, so importing this one stays light.
 */

// Conversions between eps, x0, v and score at one noise level; losses
export {
  addNoise,
  epsFromScore,
  epsFromV,
  epsFromX0,
  lSimple,
  PREDICTION_TYPES,
  type PredictionType,
  scoreFromEps,
  toEps,
  toX0,
  tweedieX0,
  vFromEpsX0,
  vLoss,
  x0FromEps,
  x0FromV,
} from './conversions.js';
// The model contract (Denoiser, TextEncoder, LatentCodec) every consumer and model shares
export {
  type Denoiser,
  type LatentCodec,
  type TextEmbedding,
  type TextEncoder,
  type Timesteps,
  timestepsPerItem,
  toEpsPerItem,
} from './model.js';
// Schedulers (diffusers-shaped: setTimesteps(n), then step per timestep)
export { DDIM_DEFAULTS, type DdimConfig, DdimScheduler } from './schedulers/ddim.js';
export { DDPM_DEFAULTS, type DdpmConfig, DdpmScheduler, VARIANCE_TYPES, type VarianceType } from './schedulers/ddpm.js';
export {
  SCHEDULER_DEFAULTS,
  type Scheduler,
  type SchedulerConfig,
  type StepOptions,
  type StepResult,
  spacedTimesteps,
  TIMESTEP_SPACINGS,
  type TimestepSpacing,
} from './schedulers/scheduler.js';
// Schedules: beta / abar tables, t <-> index, SNR
export {
  alphaSigma,
  cumprodAlphas,
  fromAlphasCumprod,
  indexToTime,
  makeSchedule,
  SCHEDULE_DEFAULTS,
  SCHEDULE_TYPES,
  type Schedule,
  type ScheduleOptions,
  type ScheduleType,
  snr,
  timeToIndex,
} from './schedules.js';
