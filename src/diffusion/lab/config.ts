/**
 * The one typed config of the 2-D lab (nanoGPT-style: defaults plus small presets that never add
 * a code path). Model: an energy network E(x, t) trained by denoising score matching with
 * score = -grad_x E (Vincent 2011; Song & Ermon 2019), or a direct eps-network (Ho et al. 2020).
 */
import { ConfigError, checkNumber, checkOneOf } from '../../core/errors.js';
import { SCHEDULE_TYPES, type ScheduleType } from '../schedules.js';
import { DATASETS, type DatasetName } from './data.js';

export const LAB_MODELS = ['energy', 'eps'] as const;
/** 'energy': scalar E(x, t), eps = sigma grad_x E; 'eps': the network outputs eps directly. */
export type LabModelKind = (typeof LAB_MODELS)[number];

export interface LabConfig {
  // ---- data and schedule
  /** Data set: 'moons' | 'gmm' | 'spiral' | 'gaussian'. Default 'moons'. */
  data: DatasetName;
  /** Beta schedule of the forward process. Default 'linear' (1e-4..0.02, Ho et al. 2020). */
  schedule: ScheduleType;
  /** Training steps T of the schedule. Default 1000, integer in [10, 10000]. */
  scheduleSteps: number;
  // ---- model
  /** Which network: 'energy' (score = -grad E by autodiff) or 'eps'. Default 'energy'. */
  model: LabModelKind;
  /** Hidden width of the MLP. Default 128, integer in [4, 1024]. */
  hidden: number;
  /** Hidden layers of the MLP. Default 3, integer in [1, 8]. */
  depth: number;
  /** Fourier frequencies of the time embedding (2k + 1 features). Default 6, integer in [1, 32]. */
  timeFrequencies: number;
  // ---- optimisation
  /** Training steps. Default 3000, integer >= 1. */
  steps: number;
  /** Batch size (fresh data points each step). Default 256, integer in [1, 65536]. */
  batch: number;
  /** Peak learning rate of AdamW (warm-up, cosine decay to 10%). Default 3e-3, in (0, 1]. */
  lr: number;
  /** Warm-up steps. Default 100, integer >= 0. */
  warmupSteps: number;
  /** Checkpoint every this many steps (with --out). Default 500, integer >= 1. */
  checkpointEvery: number;
  // ---- evaluation
  /** Noise levels t in (0, 1] at which the score error is reported. */
  evalLevels: number[];
  /** Points per evaluation (score error and sample quality). Default 1000, integer in [10, 20000]. */
  evalPoints: number;
  /** DDPM sampler steps (ancestral, fixed_small variance). Default 200, integer in [1, scheduleSteps]. */
  ddpmSteps: number;
  /** DDIM sampler steps (eta = 0). Default 50, integer in [1, scheduleSteps]. */
  ddimSteps: number;
  /**
   * Annealed Langevin (Song & Ermon 2019, Alg. 1): number of noise levels, geometric in sigma from
   * t = 1 to t = 0.01. Default 10, integer >= 1 (10 x 20 steps at 2e-3 reach the MMD floor with the exact GMM score).
   */
  langevinLevels: number;
  /** Langevin steps per noise level (T in Alg. 1). Default 20, integer >= 1. */
  langevinStepsPerLevel: number;
  /** Base step size eps; level i uses eps sigma_i^2 / sigma_last^2. Default 2e-3, > 0. */
  langevinStepSize: number;
}

export const LAB_DEFAULTS: LabConfig = {
  data: 'moons',
  schedule: 'linear',
  scheduleSteps: 1000,
  model: 'energy',
  hidden: 128,
  depth: 3,
  timeFrequencies: 6,
  steps: 3000,
  batch: 256,
  lr: 3e-3,
  warmupSteps: 100,
  checkpointEvery: 500,
  evalLevels: [0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 0.9],
  evalPoints: 1000,
  ddpmSteps: 200,
  ddimSteps: 50,
  langevinLevels: 10,
  langevinStepsPerLevel: 20,
  langevinStepSize: 2e-3,
};

/** Presets: partial configs merged over the defaults. */
export const LAB_PRESETS = {
  /** Tests: a few steps of a small network. */
  quick: {
    hidden: 32,
    depth: 2,
    steps: 20,
    batch: 64,
    evalPoints: 200,
    ddpmSteps: 20,
    ddimSteps: 10,
    langevinStepsPerLevel: 10,
  },
  /** The tour's shipped weights (see docs/parts/diffusion.md for the command). */
  tour: { steps: 5000 },
} satisfies Record<string, Partial<LabConfig>>;

/** The sampler fields of a config (evaluation only; they do not change training). */
export const SAMPLER_FIELDS = [
  'ddpmSteps',
  'ddimSteps',
  'langevinLevels',
  'langevinStepsPerLevel',
  'langevinStepSize',
] as const;

/** Defaults, then a preset, then explicit overrides; validated. */
export function labConfig(overrides: Partial<LabConfig> = {}, preset?: keyof typeof LAB_PRESETS): LabConfig {
  return validateLabConfig({ ...LAB_DEFAULTS, ...(preset ? LAB_PRESETS[preset] : {}), ...overrides });
}

/** Checks every field; messages name the field, the value and the allowed range. */
export function validateLabConfig(c: LabConfig): LabConfig {
  checkOneOf('data', c.data, DATASETS);
  checkOneOf('schedule', c.schedule, SCHEDULE_TYPES);
  checkOneOf('model', c.model, LAB_MODELS);
  checkNumber('scheduleSteps', c.scheduleSteps, { min: 10, max: 10000, integer: true });
  checkNumber('hidden', c.hidden, { min: 4, max: 1024, integer: true });
  checkNumber('depth', c.depth, { min: 1, max: 8, integer: true });
  checkNumber('timeFrequencies', c.timeFrequencies, { min: 1, max: 32, integer: true });
  checkNumber('steps', c.steps, { min: 1, integer: true });
  checkNumber('batch', c.batch, { min: 1, max: 65536, integer: true });
  checkNumber('lr', c.lr, { min: 0, max: 1, minExclusive: true });
  checkNumber('warmupSteps', c.warmupSteps, { min: 0, integer: true });
  checkNumber('checkpointEvery', c.checkpointEvery, { min: 1, integer: true });
  checkNumber('evalPoints', c.evalPoints, { min: 10, max: 20000, integer: true });
  checkNumber('ddpmSteps', c.ddpmSteps, { min: 1, max: c.scheduleSteps, integer: true });
  checkNumber('ddimSteps', c.ddimSteps, { min: 1, max: c.scheduleSteps, integer: true });
  checkNumber('langevinLevels', c.langevinLevels, { min: 1, integer: true });
  checkNumber('langevinStepsPerLevel', c.langevinStepsPerLevel, { min: 1, integer: true });
  checkNumber('langevinStepSize', c.langevinStepSize, { min: 0, minExclusive: true });
  if (!Array.isArray(c.evalLevels) || c.evalLevels.length === 0) {
    throw new ConfigError(
      `evalLevels must be a non-empty list of noise levels in (0, 1], got ${JSON.stringify(c.evalLevels)}`,
    );
  }
  for (const t of c.evalLevels) checkNumber('evalLevels entry', t, { min: 0, max: 1, minExclusive: true });
  return c;
}
