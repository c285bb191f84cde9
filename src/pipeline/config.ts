/**
 * A diffusers/Optimum ONNX folder's settings, read from its own configs (diffusers' ConfigMixin
 * names): scheduler/scheduler_config.json (beta schedule and range, train timesteps, prediction
 * type, timestep spacing, clipping), vae_decoder/config.json (scaling_factor, latent_channels,
 * block_out_channels -> spatial factor 2^(n-1)), unet/config.json (in_channels, sample_size); the tokenizer reads its own tokenizer_config.json
 * (core/clip-tokenizer). A value the folder omits takes SD-Turbo's
 * (Sauer et al. 2023; the stabilityai/sd-turbo configs); a wrong value is an InputError naming file and field.
 */
import { z } from 'zod';
import { issueLine } from '../core/config.js';
import { InputError } from '../core/errors.js';
import { cumprodAlphas, makeSchedule, PREDICTION_TYPES, TIMESTEP_SPACINGS } from '../diffusion/index.js';

/** diffusers' beta_schedule names we implement ('squaredcos_cap_v2' = Nichol & Dhariwal's cosine). */
export const BETA_SCHEDULES = ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const;

/** What the pipeline reads from a folder (every field resolved, with SD-Turbo's value where the folder is silent). */
export interface PipelineConfig {
  scheduler: {
    /** num_train_timesteps: length of the training schedule T. */
    trainTimesteps: number;
    betaSchedule: (typeof BETA_SCHEDULES)[number];
    betaStart: number;
    betaEnd: number;
    /** trained_betas (overrides the schedule when given). */
    trainedBetas: number[] | null;
    /** What the unet outputs. */
    predictionType: (typeof PREDICTION_TYPES)[number];
    /** Placement of sampling timesteps (diffusers' timestep_spacing). */
    timestepSpacing: (typeof TIMESTEP_SPACINGS)[number];
    stepsOffset: number;
    /** Clip x0 estimates while sampling (clip_sample, clip_sample_range). */
    clipSample: boolean;
    clipSampleRange: number;
  };
  vae: {
    /** latent = encoder mean x scalingFactor; decoding divides by it. */
    scalingFactor: number;
    latentChannels: number;
    /** Pixels per latent cell along each side: 2^(len(block_out_channels) - 1). */
    spatialFactor: number;
  };
  unet: {
    /** Latent side the model was trained at (sample_size), when the folder says. */
    sampleSize: number | null;
    inChannels: number | null;
  };
}

/** SD-Turbo's values (stabilityai/sd-turbo): the defaults for everything a folder omits. */
export const SD_TURBO_CONFIG: PipelineConfig = Object.freeze({
  scheduler: {
    trainTimesteps: 1000,
    betaSchedule: 'scaled_linear',
    betaStart: 0.00085,
    betaEnd: 0.012,
    trainedBetas: null,
    predictionType: 'epsilon',
    timestepSpacing: 'trailing',
    stepsOffset: 1,
    clipSample: false,
    clipSampleRange: 1,
  },
  vae: { scalingFactor: 0.18215, latentChannels: 4, spatialFactor: 8 },
  unet: { sampleSize: null, inChannels: null },
} satisfies PipelineConfig);

const positiveInt = z.number().int().min(1);
const beta = z.number().gt(0).lt(1);

/** scheduler_config.json (only the fields we use; the rest pass through). */
const schedulerSchema = z.looseObject({
  num_train_timesteps: positiveInt.min(2).max(100_000).optional(),
  beta_schedule: z.enum(BETA_SCHEDULES).optional(),
  beta_start: beta.optional(),
  beta_end: beta.optional(),
  trained_betas: z.array(beta).min(2).nullable().optional(),
  prediction_type: z.enum(PREDICTION_TYPES).optional(),
  timestep_spacing: z.enum(TIMESTEP_SPACINGS).optional(),
  steps_offset: z.number().int().min(0).optional(),
  clip_sample: z.boolean().optional(),
  clip_sample_range: z.number().gt(0).optional(),
});

/** vae_decoder/config.json (and vae_encoder/config.json). */
const vaeSchema = z.looseObject({
  scaling_factor: z.number().gt(0).optional(),
  latent_channels: positiveInt.optional(),
  block_out_channels: z.array(positiveInt).min(1).optional(),
});

const unetSchema = z.looseObject({
  sample_size: z.union([positiveInt, z.array(positiveInt).length(2)]).optional(),
  in_channels: positiveInt.optional(),
});

/** model_index.json: a class name and, per component, [library, class] (null pairs = absent). */
const indexSchema = z.looseObject({ _class_name: z.string().optional() });

/** Parses JSON text against a schema; any problem is one InputError naming the file and the field. */
export function parseConfigFile<T>(file: string, text: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError(`${file} must be a JSON object`);
  const r = schema.safeParse(raw);
  if (!r.success) {
    const line = issueLine(r.error, raw as Record<string, unknown>, (key) => `field "${key}"`);
    throw new InputError(`${file}: ${line}`);
  }
  return r.data;
}

/** The component names model_index.json lists with a non-null class. */
export function listedComponents(file: string, text: string): string[] {
  const index = parseConfigFile(file, text, indexSchema) as Record<string, unknown>;
  return Object.entries(index)
    .filter(([k, v]) => !k.startsWith('_') && Array.isArray(v) && v[1] !== null && v[1] !== undefined)
    .map(([k]) => k);
}

/** The raw config texts of a folder (absent ones undefined); file names are for the messages. */
export interface ConfigTexts {
  scheduler?: { file: string; text: string };
  vae?: { file: string; text: string };
  unet?: { file: string; text: string };
}

/** Resolves the pipeline settings from the config texts, SD-Turbo's values for what is absent. */
export function resolveConfig(texts: ConfigTexts): PipelineConfig {
  const d = SD_TURBO_CONFIG;
  const s = texts.scheduler ? parseConfigFile(texts.scheduler.file, texts.scheduler.text, schedulerSchema) : {};
  const v = texts.vae ? parseConfigFile(texts.vae.file, texts.vae.text, vaeSchema) : {};
  const u = texts.unet ? parseConfigFile(texts.unet.file, texts.unet.text, unetSchema) : {};
  const sampleSize = Array.isArray(u.sample_size) ? u.sample_size[0] : u.sample_size;
  const config: PipelineConfig = {
    scheduler: {
      trainTimesteps: s.num_train_timesteps ?? d.scheduler.trainTimesteps,
      betaSchedule: s.beta_schedule ?? d.scheduler.betaSchedule,
      betaStart: s.beta_start ?? d.scheduler.betaStart,
      betaEnd: s.beta_end ?? d.scheduler.betaEnd,
      trainedBetas: s.trained_betas ?? null,
      predictionType: s.prediction_type ?? d.scheduler.predictionType,
      timestepSpacing: s.timestep_spacing ?? d.scheduler.timestepSpacing,
      stepsOffset: s.steps_offset ?? d.scheduler.stepsOffset,
      clipSample: s.clip_sample ?? d.scheduler.clipSample,
      clipSampleRange: s.clip_sample_range ?? d.scheduler.clipSampleRange,
    },
    vae: {
      scalingFactor: v.scaling_factor ?? d.vae.scalingFactor,
      latentChannels: v.latent_channels ?? d.vae.latentChannels,
      spatialFactor: v.block_out_channels ? 2 ** (v.block_out_channels.length - 1) : d.vae.spatialFactor,
    },
    unet: { sampleSize: sampleSize ?? null, inChannels: u.in_channels ?? null },
  };
  const trained = config.scheduler.trainedBetas;
  if (trained && trained.length !== config.scheduler.trainTimesteps && texts.scheduler) {
    throw new InputError(
      `${texts.scheduler.file}: field "trained_betas" has ${trained.length} values, num_train_timesteps is ${config.scheduler.trainTimesteps}`,
    );
  }
  if (texts.unet && u.in_channels !== undefined && u.in_channels !== config.vae.latentChannels) {
    throw new InputError(
      `${texts.unet.file}: field "in_channels" is ${u.in_channels}, but the VAE has ${config.vae.latentChannels} latent channels`,
    );
  }
  return config;
}

/** The training schedule's abar table from the scheduler settings. */
export function alphasCumprodOf(c: PipelineConfig['scheduler']): Float64Array {
  if (c.trainedBetas) return cumprodAlphas(Float64Array.from(c.trainedBetas));
  const steps = c.trainTimesteps;
  if (c.betaSchedule === 'squaredcos_cap_v2') return makeSchedule('cosine', { steps }).alphasCumprod;
  return makeSchedule(c.betaSchedule, { steps, betaStart: c.betaStart, betaEnd: c.betaEnd }).alphasCumprod;
}
