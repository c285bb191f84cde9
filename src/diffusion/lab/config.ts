/**
 * The one typed config of the 2-D lab (nanoGPT-style: defaults plus small presets that never add
 * a code path). Model: an energy network E(x, t) trained by denoising score matching with
 * score = -grad_x E (Vincent 2011; Song & Ermon 2019), or a direct eps-network (Ho et al. 2020).
 */
import { z } from 'zod';
import { parseConfig } from '../../core/config.js';
import { SCHEDULE_TYPES } from '../schedules.js';
import { DATASETS } from './data.js';

export const LAB_MODELS = ['energy', 'eps'] as const;
/** 'energy': scalar E(x, t), eps = sigma grad_x E; 'eps': the network outputs eps directly. */
export type LabModelKind = (typeof LAB_MODELS)[number];

export const labConfigSchema = z
  .object({
    // ---- data and schedule
    data: z.enum(DATASETS).default('moons').describe('data set'),
    schedule: z
      .enum(SCHEDULE_TYPES)
      .default('linear')
      .describe('beta schedule of the forward process (linear: 1e-4..0.02, Ho et al. 2020)'),
    scheduleSteps: z.number().int().min(10).max(10000).default(1000).describe('training steps T of the schedule'),
    // ---- model
    model: z.enum(LAB_MODELS).default('energy').describe("network: 'energy' (score = -grad E by autodiff) or 'eps'"),
    hidden: z.number().int().min(4).max(1024).default(128).describe('hidden width of the MLP'),
    depth: z.number().int().min(1).max(8).default(3).describe('hidden layers of the MLP'),
    timeFrequencies: z
      .number()
      .int()
      .min(1)
      .max(32)
      .default(6)
      .describe('Fourier frequencies of the time embedding (2k + 1 features)'),
    // ---- optimisation
    steps: z.number().int().min(1).default(3000).describe('training steps'),
    batch: z.number().int().min(1).max(65536).default(256).describe('batch size (fresh data points each step)'),
    lr: z.number().gt(0).max(1).default(3e-3).describe('peak learning rate of AdamW (warm-up, cosine decay to 10%)'),
    warmupSteps: z.number().int().min(0).default(100).describe('warm-up steps (cut to the run length)'),
    checkpointEvery: z.number().int().min(1).default(500).describe('checkpoint every n steps (with --out)'),
    // ---- evaluation
    evalLevels: z
      .array(z.number().gt(0).max(1))
      .min(1)
      .default([0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 0.9])
      .describe('noise levels t in (0, 1] at which the score error is reported'),
    evalPoints: z
      .number()
      .int()
      .min(10)
      .max(20000)
      .default(1000)
      .describe('points per evaluation (score error and sample quality)'),
    ddpmSteps: z
      .number()
      .int()
      .min(1)
      .default(200)
      .describe('DDPM sampler steps (ancestral, fixed_small variance; <= scheduleSteps)'),
    ddimSteps: z.number().int().min(1).default(50).describe('DDIM sampler steps (eta = 0; <= scheduleSteps)'),
    // Annealed Langevin (Song & Ermon 2019, Alg. 1): geometric in sigma from t = 1 to t = 0.01; 10 x 20
    // steps at 2e-3 reach the MMD floor with the exact GMM score.
    langevinLevels: z.number().int().min(1).default(10).describe('annealed Langevin: noise levels'),
    langevinStepsPerLevel: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('annealed Langevin: steps per level (T in Alg. 1)'),
    langevinStepSize: z
      .number()
      .positive()
      .default(2e-3)
      .describe('annealed Langevin: base step size; level i uses eps sigma_i^2 / sigma_last^2'),
  })
  .superRefine((c, ctx) => {
    for (const key of ['ddpmSteps', 'ddimSteps'] as const) {
      if (c[key] > c.scheduleSteps) {
        ctx.addIssue({ code: 'custom', path: [key], message: `must be <= scheduleSteps (${c.scheduleSteps})` });
      }
    }
  });
export type LabConfig = z.output<typeof labConfigSchema>;

export const DIFFUSION_LAB_DEFAULTS: LabConfig = labConfigSchema.parse({});

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
  return validateLabConfig({ ...DIFFUSION_LAB_DEFAULTS, ...(preset ? LAB_PRESETS[preset] : {}), ...overrides });
}

/** Checks every field; messages name the field, the value and the allowed range. */
export function validateLabConfig(c: LabConfig): LabConfig {
  return parseConfig(labConfigSchema, c);
}
