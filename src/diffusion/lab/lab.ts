/**
 * The 2-D lab end to end: train a network (energy or eps) on a data set with nn's `trainLoop`
 * (progress, checkpoints, resume), then measure it: score error per noise level against the
 * closed-form noised marginal, and sample quality of DDPM, DDIM and annealed Langevin sampling
 * next to the two-sample floor and the N(0, I) prior. Weights save with their config as metadata.
 */
import { join } from 'node:path';
import { checkNumber, InputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { readSafetensorsFile } from '../../core/safetensors.js';
import { checkpointOf, loadParams, type Metrics, saveParams, trainLoop } from '../../nn/index.js';
import { DdimScheduler } from '../schedulers/ddim.js';
import { DdpmScheduler } from '../schedulers/ddpm.js';
import { makeSchedule } from '../schedules.js';
import { DIFFUSION_LAB_DEFAULTS, type LabConfig, labConfig, SAMPLER_FIELDS, validateLabConfig } from './config.js';
import { LAB_DIM, referenceMixture, sampleDataset } from './data.js';
import { type SampleQuality, type ScoreErrorRow, sampleQuality, scoreErrorByLevel } from './evaluate.js';
import { type LabParams, labEpsFn, labModelInit } from './models.js';
import { annealedLangevin, annealingLevels, type EpsFn, sampleWithScheduler, scoreFnFromEps } from './samplers.js';
import { createLabRun, labTrainStep } from './trainer.js';

export interface SamplerResult extends SampleQuality {
  sampler: 'ddpm' | 'ddim' | 'annealed_langevin';
  /** Network evaluations per sample. */
  nfe: number;
  /** Wall time for all samples (ms). */
  ms: number;
}

export interface LabReport {
  config: LabConfig;
  train: { steps: number; resumedFrom: number; finalLoss: number; msPerStep: number };
  scoreErrors: ScoreErrorRow[];
  samplers: SamplerResult[];
  /** Two independent data samples (floor) and N(0, I) against the data (ceiling). */
  baselines: { floor: SampleQuality; prior: SampleQuality };
  /** The samples of each sampler and the data they were compared with, [N, 2] each. */
  points: { data: Float32Array } & Record<SamplerResult['sampler'], Float32Array>;
}

/** Samples with every sampler of the lab and scores them against `data`. */
export function evaluateSamplers(
  eps: EpsFn,
  alphasCumprod: Float64Array,
  config: LabConfig,
  data: Float32Array,
  rng: Rng,
): { results: SamplerResult[]; points: Record<SamplerResult['sampler'], Float32Array> } {
  const n = data.length / LAB_DIM;
  const timed = (sampler: SamplerResult['sampler'], nfe: number, run: () => Float32Array) => {
    const start = performance.now();
    const x = run();
    return { x, result: { sampler, nfe, ms: performance.now() - start, ...sampleQuality(x, data) } };
  };
  const ddpm = timed('ddpm', config.ddpmSteps, () =>
    sampleWithScheduler(new DdpmScheduler(alphasCumprod), eps, {
      n,
      dim: LAB_DIM,
      steps: config.ddpmSteps,
      rng: rng.fork('ddpm'),
    }),
  );
  const ddim = timed('ddim', config.ddimSteps, () =>
    sampleWithScheduler(new DdimScheduler(alphasCumprod), eps, {
      n,
      dim: LAB_DIM,
      steps: config.ddimSteps,
      rng: rng.fork('ddim'),
    }),
  );
  const levels = annealingLevels(config.langevinLevels, alphasCumprod);
  const langevin = timed('annealed_langevin', config.langevinLevels * config.langevinStepsPerLevel, () =>
    annealedLangevin(
      scoreFnFromEps(eps, alphasCumprod),
      alphasCumprod,
      { levels, stepsPerLevel: config.langevinStepsPerLevel, stepSize: config.langevinStepSize, n, dim: LAB_DIM },
      rng.fork('langevin'),
    ),
  );
  return {
    results: [ddpm.result, ddim.result, langevin.result],
    points: { ddpm: ddpm.x, ddim: ddim.x, annealed_langevin: langevin.x },
  };
}

/** The reference points of sample quality: a second data sample (floor) and N(0, I), against `data`. */
function sampleBaselines(config: LabConfig, data: Float32Array, rng: Rng): LabReport['baselines'] {
  const n = data.length / LAB_DIM;
  return {
    floor: sampleQuality(sampleDataset(config.data, n, rng.fork('floor')), data),
    prior: sampleQuality(rng.fork('prior').normals(n * LAB_DIM), data),
  };
}

/** Score errors and sample quality of trained params (no training). */
export function evaluateLab(params: LabParams, config: LabConfig, seed: number): Omit<LabReport, 'train'> {
  const { alphasCumprod } = makeSchedule(config.schedule, { steps: config.scheduleSteps });
  const rng = new Rng(seed).fork('evaluate');
  const eps = labEpsFn(params, config, alphasCumprod);
  const reference = referenceMixture(config.data, rng.fork('reference'));
  const x0 = sampleDataset(config.data, config.evalPoints, rng.fork('x0'));
  const scoreErrors = scoreErrorByLevel(eps, reference, alphasCumprod, {
    levels: config.evalLevels,
    x0,
    rng: rng.fork('noise'),
  });
  const data = sampleDataset(config.data, config.evalPoints, rng.fork('data'));
  const { results, points } = evaluateSamplers(eps, alphasCumprod, config, data, rng.fork('samplers'));
  const baselines = sampleBaselines(config, data, rng);
  return { config, scoreErrors, samplers: results, baselines, points: { data, ...points } };
}

/** Options of a lab run. */
export interface RunLabOptions {
  seed: number;
  /** Output folder: `checkpoint/` during training, `weights.safetensors` at the end. */
  out?: string;
  /** Continue from `<out>/checkpoint`. */
  resume?: boolean;
  /** Stop after this many steps (a checkpoint is written; continue later with `resume`). Default: config.steps. */
  stopAfter?: number;
}

/** Trains, saves and evaluates. */
export async function runLab(
  config: LabConfig,
  options: RunLabOptions,
): Promise<{ report: LabReport; params: LabParams }> {
  validateLabConfig(config);
  const run = createLabRun(config, options.seed);
  if (options.resume && !options.out)
    throw new InputError('--resume needs --out <folder> (the checkpoint lives there)');
  const checkpoint = options.out
    ? {
        path: join(options.out, 'checkpoint'),
        every: config.checkpointEvery,
        ...checkpointOf({ params: run.params, optimizer: run.optimizer, rngs: { batches: run.rng } }),
      }
    : undefined;
  const start = performance.now();
  const until = checkNumber('stopAfter', options.stopAfter ?? config.steps, {
    min: 1,
    max: config.steps,
    integer: true,
  });
  const { history, resumedFrom } = await trainLoop({
    steps: until,
    step: (): Metrics => labTrainStep(run),
    checkpoint,
    resume: options.resume,
    label: `diffusion lab (${config.model}, ${config.data})`,
  });
  const msPerStep = (performance.now() - start) / Math.max(1, until - resumedFrom);
  if (options.out) saveLabModel(join(options.out, 'weights.safetensors'), run.params, config);
  const evaluation = evaluateLab(run.params, config, options.seed);
  const tail = history.slice(-50);
  const finalLoss = tail.reduce((s, r) => s + r.loss, 0) / Math.max(1, tail.length);
  run.optimizer.dispose();
  return {
    report: { ...evaluation, train: { steps: until, resumedFrom, finalLoss, msPerStep } },
    params: run.params,
  };
}

/** Format tag of saved lab weights. */
export const LAB_FORMAT = 'modelmath-diffusion-lab-1';

/** Saves lab weights with their config (JSON) as safetensors metadata. */
export function saveLabModel(path: string, params: LabParams, config: LabConfig): void {
  saveParams(path, params, { format: LAB_FORMAT, config: JSON.stringify(config) });
}

/** Loads lab weights saved by `saveLabModel` (the network is built from the stored config). */
export function loadLabModel(path: string): { params: LabParams; config: LabConfig } {
  const { metadata } = readSafetensorsFile(path);
  if (metadata.format !== LAB_FORMAT || !metadata.config) {
    throw new InputError(`${path}: not a diffusion lab model (metadata format must be '${LAB_FORMAT}')`);
  }
  let stored: Partial<LabConfig>;
  try {
    stored = JSON.parse(metadata.config) as Partial<LabConfig>;
  } catch (err) {
    throw new InputError(`${path}: the stored lab config is not valid JSON`, { cause: err });
  }
  const config = validateLabConfig({ ...DIFFUSION_LAB_DEFAULTS, ...stored });
  const params = labModelInit(new Rng(0), config);
  loadParams(path, params);
  return { params, config };
}

/**
 * Samples from saved weights with every sampler and scores them against fresh data, with the
 * two-sample floor and N(0, I). The network comes from the file; sampler settings are today's defaults.
 */
export function sampleFromWeights(path: string, n: number, seed: number) {
  const loaded = loadLabModel(path);
  const samplerDefaults = Object.fromEntries(SAMPLER_FIELDS.map((k) => [k, DIFFUSION_LAB_DEFAULTS[k]]));
  const config = labConfig({ ...loaded.config, ...samplerDefaults });
  const { alphasCumprod } = makeSchedule(config.schedule, { steps: config.scheduleSteps });
  const rng = new Rng(seed);
  const data = sampleDataset(config.data, n, rng.fork('data'));
  const eps = labEpsFn(loaded.params, config, alphasCumprod);
  const { results, points } = evaluateSamplers(eps, alphasCumprod, config, data, rng.fork('samplers'));
  const baselines = sampleBaselines(config, data, rng);
  return { config, samplers: results, baselines, points: { data, ...points } };
}
