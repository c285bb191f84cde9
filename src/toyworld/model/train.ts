/**
 * Trains the toy denoiser (model.ts) on endless fresh toy scenes: v-prediction MSE (Salimans & Ho
 * 2022, sec. 4) at uniform DDPM indices of the scaled-linear 1000-step schedule (SD-Turbo's),
 * 10% caption dropout for classifier-free guidance (Ho & Salimans 2022), AdamW with warm-up +
 * cosine decay, through nn's trainLoop (progress, checkpoints, bit-identical --resume).
 * Reproducible from the seed: batch i is drawn from rng.fork(i).
 */
import { join } from 'node:path';
import type { Scalar } from '../../core/engine.js';
import { getTf } from '../../core/engine.js';
import { checkNumber } from '../../core/errors.js';
import { writeJsonAtomic } from '../../core/outputs.js';
import { Rng } from '../../core/rng.js';
import { adamw, checkpointOf, lrSchedule, paramCount, saveParams, trainLoop } from '../../nn/index.js';
import { MAX_TOKENS } from '../world/index.js';
import { type ToyTrainConfig, validateToyTrainConfig } from './config.js';
import { makeBatch } from './data.js';
import { toyAlphasCumprod } from './denoiser.js';
import { patchGeometry, sequenceRopeTables, type ToyModelParams, toyModelApply, toyModelInit } from './model.js';
import { TOKEN_FEATURES } from './text.js';

export interface ToyTrainResult {
  params: ToyModelParams;
  config: ToyTrainConfig;
  history: { step: number; loss: number }[];
  /** Mean loss over the last 10% of steps (at least one). */
  finalLoss: number;
  resumedFrom: number;
  weightsPath: string;
}

/** File names inside a training folder. */
export const TRAIN_FILES = { checkpoint: 'checkpoint', weights: 'toy-denoiser.safetensors', curve: 'loss.json' };

/** One training step: loss, learning rate and gradient norm after the update. */
export type ToyTrainStep = (i: number) => { loss: number; lr: number; gradNorm: number };

/**
 * The model, optimiser and step function of a run from `seed` (batch i is drawn from
 * rng.fork('data').fork(i)); trainToyModel runs `step` in nn's trainLoop, bench/engine times it.
 */
export async function toyTrainer(c: ToyTrainConfig, seed: number) {
  const tf = await getTf();
  const rng = new Rng(seed);
  const params = toyModelInit(rng.fork('init'), c.model);
  const rope = sequenceRopeTables(c.model);
  const alphasCumprod = toyAlphasCumprod();
  const { patches, values } = patchGeometry(c.model);
  const lr = lrSchedule({ warmupSteps: c.warmupSteps, totalSteps: c.steps, peak: c.peakLr, floor: c.floorLr });
  const opt = adamw({ lr, weightDecay: c.weightDecay, clipNorm: c.clipNorm });
  const data = rng.fork('data');
  const step: ToyTrainStep = (i) => {
    const b = makeBatch(data.fork(i), { ...c.model, ...c, alphasCumprod });
    const loss = opt.step(
      () =>
        tf.tidy(() => {
          const input = {
            patches: tf.tensor3d(b.patches, [c.batch, patches, values]),
            t: b.t,
            words: tf.tensor3d(b.words, [c.batch, MAX_TOKENS, TOKEN_FEATURES]),
          };
          const out = toyModelApply(params, c.model, input, rope); // [B, P, Q]
          return tf.losses.meanSquaredError(tf.tensor3d(b.target, [c.batch, patches, values]), out) as Scalar;
        }),
      params,
    );
    return { loss, lr: opt.lastLr, gradNorm: opt.lastGradNorm };
  };
  return { params, opt, step };
}

/**
 * Trains from `seed` into `dir` (checkpoint folder, final weights with the config as metadata,
 * loss curve); with `resume`, continues from `dir/checkpoint`. `stopAfter` ends the run early at
 * that step (the learning-rate schedule still spans `config.steps`); resuming with
 * `stopAfter` = the checkpoint's step exports that checkpoint's weights without training.
 */
export async function trainToyModel(
  config: ToyTrainConfig,
  opts: { seed: number; dir: string; resume?: boolean; label?: string; stopAfter?: number },
): Promise<ToyTrainResult> {
  const c = validateToyTrainConfig(config);
  const stopAfter = checkNumber('stopAfter', opts.stopAfter ?? c.steps, { min: 1, max: c.steps, integer: true });
  const { params, opt, step } = await toyTrainer(c, opts.seed);
  const ckptDir = join(opts.dir, TRAIN_FILES.checkpoint);
  const { history, resumedFrom } = await trainLoop({
    steps: stopAfter,
    step,
    checkpoint: { path: ckptDir, every: c.checkpointEvery, ...checkpointOf({ params, optimizer: opt }) },
    resume: opts.resume,
    label: opts.label ?? 'toy train',
  });
  opt.dispose();
  const losses = history.map((h) => ({ step: h.step, loss: h.loss }));
  const tail = losses.slice(-Math.max(1, Math.floor(losses.length / 10)));
  const finalLoss = tail.reduce((s, h) => s + h.loss, 0) / tail.length;
  const weightsPath = join(opts.dir, TRAIN_FILES.weights);
  saveParams(
    weightsPath,
    params,
    toyWeightsMetadata(c, { seed: opts.seed, steps: history.length, finalLoss, params: paramCount(params) }),
  );
  writeJsonAtomic(join(opts.dir, TRAIN_FILES.curve), { config: c, seed: opts.seed, history: losses });
  return { params, config: c, history: losses, finalLoss, resumedFrom, weightsPath };
}

/** The safetensors metadata that makes a weights file self-describing (all values are strings). */
export function toyWeightsMetadata(
  c: ToyTrainConfig,
  info: { seed: number; steps: number; finalLoss: number; params: number },
): Record<string, string> {
  return {
    format: 'modelmath-toy-denoiser-1',
    model: JSON.stringify(c.model),
    train: JSON.stringify({ ...c, model: undefined }),
    seed: String(info.seed),
    steps: String(info.steps),
    scheduleSteps: String(c.steps),
    finalLoss: info.finalLoss.toFixed(5),
    params: String(info.params),
    schedule: 'scaled_linear 1000 (0.00085..0.012)',
  };
}
