/**
 * The toy denoiser's settings, declared once: the architecture (a patch transformer with axial 2-D
 * RoPE) and the training run (AdamW, warm-up + cosine, caption dropout for classifier-free
 * guidance, Ho & Salimans 2022). Zod schemas with every field's meaning, default and range; the
 * `toy train` flags and --help come from them, presets are partial objects that add no code path.
 */
import { z } from 'zod';
import { parseConfig } from '../../core/config.js';

/** Side of the toy world's square images in pixels (world/scene.ts IMAGE_SIZE). */
const IMAGE_SIDE = 32;

export const toyModelConfigSchema = z
  .object({
    patch: z
      .number()
      .int()
      .min(1)
      .max(IMAGE_SIDE)
      .default(8)
      .describe('patch side in pixels, divides 32 (8: 16 patches of 192 values; 4 costs 2.7x CPU per step)'),
    dim: z.number().int().min(8).max(1024).default(96).describe('model width D (D / heads divisible by 4)'),
    depth: z.number().int().min(1).max(24).default(4).describe('transformer blocks'),
    heads: z.number().int().min(1).default(3).describe('attention heads'),
    mlpRatio: z.number().int().min(1).max(8).default(3).describe('MLP hidden width as a multiple of D'),
    prediction: z
      .enum(['sample', 'v_prediction'])
      .default('sample')
      .describe(
        "what the output means: 'sample' (x0) or 'v_prediction' (a 96-wide token cannot reproduce the noise in v at low noise; x0 is smooth and fits)",
      ),
  })
  .superRefine((c, ctx) => {
    if (IMAGE_SIDE % c.patch !== 0)
      ctx.addIssue({ code: 'custom', path: ['patch'], message: `must divide ${IMAGE_SIDE}` });
    if (c.dim % c.heads !== 0 || (c.dim / c.heads) % 4 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['dim'],
        message: `/ heads (${c.heads}) must be an integer divisible by 4 (axial RoPE)`,
      });
    }
  });
export type ToyModelConfig = z.output<typeof toyModelConfigSchema>;

export const TOY_MODEL_DEFAULTS: ToyModelConfig = toyModelConfigSchema.parse({});

/** Checks every field and the cross-field rules (ConfigError naming the field). */
export function validateToyModelConfig(c: ToyModelConfig): ToyModelConfig {
  return parseConfig(toyModelConfigSchema, c);
}

/** The training run's knobs (the architecture is `model`). */
export const toyRunConfigSchema = z
  .object({
    steps: z.number().int().min(1).max(10_000_000).default(2000).describe('optimiser steps'),
    batch: z.number().int().min(1).max(1024).default(16).describe('scenes per step'),
    peakLr: z.number().gt(0).max(1).default(2e-3).describe('peak AdamW learning rate after warm-up'),
    warmupSteps: z.number().int().min(0).default(50).describe('linear warm-up steps (cut to the run length)'),
    floorLr: z.number().min(0).default(1e-4).describe('learning rate at the end of the cosine decay (<= peakLr)'),
    weightDecay: z.number().min(0).max(1).default(0.01).describe('decoupled weight decay on matrices'),
    clipNorm: z.number().positive().default(1).describe('global gradient-norm clip'),
    captionDropout: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('probability of training a scene with the empty caption (for classifier-free guidance)'),
    checkpointEvery: z.number().int().min(1).default(50).describe('checkpoint every n steps'),
  })
  .superRefine((c, ctx) => {
    if (c.floorLr > c.peakLr)
      ctx.addIssue({ code: 'custom', path: ['floorLr'], message: `must be <= peakLr (${c.peakLr})` });
  });
export type ToyRunConfig = z.output<typeof toyRunConfigSchema>;

export interface ToyTrainConfig extends ToyRunConfig {
  /** Architecture. */
  model: ToyModelConfig;
}

export const TOY_TRAIN_DEFAULTS: ToyTrainConfig = { model: TOY_MODEL_DEFAULTS, ...toyRunConfigSchema.parse({}) };

/**
 * Presets, flat (model and run fields side by side, as the flags are): `quick` is the seconds-long
 * smoke run of the tests, `full` the shipped run (12000 steps were given on the command line).
 */
export const TOY_TRAIN_PRESETS: Record<'quick' | 'full', Partial<ToyModelConfig & ToyRunConfig>> = {
  quick: { dim: 32, depth: 1, heads: 2, steps: 12, batch: 4, warmupSteps: 2, checkpointEvery: 5 },
  full: {},
};

const MODEL_KEYS = Object.keys(toyModelConfigSchema.shape) as (keyof ToyModelConfig)[];

/** A training config from flat settings (flags or a preset) over the defaults. */
export function toyTrainConfig(flat: Partial<ToyModelConfig & ToyRunConfig> = {}): ToyTrainConfig {
  const model = Object.fromEntries(MODEL_KEYS.filter((k) => flat[k] !== undefined).map((k) => [k, flat[k]]));
  const run = Object.fromEntries(Object.entries(flat).filter(([k]) => !MODEL_KEYS.includes(k as keyof ToyModelConfig)));
  return validateToyTrainConfig({ ...TOY_TRAIN_DEFAULTS, ...run, model: { ...TOY_MODEL_DEFAULTS, ...model } });
}

/** Validates every field of a training config. */
export function validateToyTrainConfig(c: ToyTrainConfig): ToyTrainConfig {
  const { model, ...run } = c;
  return { model: validateToyModelConfig(model), ...parseConfig(toyRunConfigSchema, run) };
}
