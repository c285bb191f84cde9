/**
 * Training the tiny LM (pre-training, or LoRA fine-tuning of a loaded model) with nn's AdamW,
 * warm-up + cosine schedule (`lrAt`) and `trainLoop` (progress, checkpoints, --resume).
 * One step: random windows -> next-token cross-entropy -> AdamW on the trainable params (all of
 * them, or only A/B(/m) when LoRA layers are present: the base stays frozen).
 */

import type { MetricsRow } from '../core/checkpoint.js';
import type { Scalar } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import { checkNumber } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { loraTrainable } from '../lora/index.js';
import { adamw, checkpointOf, lrSchedule, type ParamTree, trainLoop } from '../nn/index.js';
import { batchAt, randomBatch, validationOffsets } from './data.js';
import { crossEntropyLoss, type TinyLmConfig, type TinyLmParams, tinyLmForward } from './model.js';

export interface LmTrainConfig {
  /** Optimiser steps. Default 1500. */
  steps: number;
  /** Windows per batch B. Default 16. */
  batchSize: number;
  /** Peak learning rate after warm-up. Default 3e-3 (LoRA: 1e-2 works for r = 8). */
  lr: number;
  /** Linear warm-up steps. Default 50. */
  warmupSteps: number;
  /** Final learning rate as a fraction of the peak (cosine floor). Default 0.1. */
  floorRatio: number;
  /** AdamW decoupled weight decay on matrices. Default 0.01. */
  weightDecay: number;
  /** Global gradient-norm clip. Default 1. */
  clipNorm: number;
  /** Validation loss every N steps (and at the end). Default 100. */
  evalEvery: number;
  /** Validation windows (non-overlapping, from the start of the validation text). Default 32. */
  evalWindows: number;
  /** Checkpoint every N steps. Default 100. */
  checkpointEvery: number;
  /** Seed of the batch sampler. Default 0. */
  seed: number;
}

export const LM_TRAIN_DEFAULTS: LmTrainConfig = {
  steps: 1500,
  batchSize: 16,
  lr: 3e-3,
  warmupSteps: 50,
  floorRatio: 0.1,
  weightDecay: 0.01,
  clipNorm: 1,
  evalEvery: 100,
  evalWindows: 32,
  checkpointEvery: 100,
  seed: 0,
};

/** Checks every field (ConfigError naming it). */
export function validateLmTrainConfig(c: LmTrainConfig): LmTrainConfig {
  checkNumber('steps', c.steps, { min: 1, integer: true });
  checkNumber('batchSize', c.batchSize, { min: 1, max: 4096, integer: true });
  checkNumber('lr', c.lr, { min: 0, minExclusive: true, max: 1 });
  checkNumber('warmupSteps', c.warmupSteps, { min: 0, max: c.steps - 1, integer: true });
  checkNumber('floorRatio', c.floorRatio, { min: 0, max: 1 });
  checkNumber('weightDecay', c.weightDecay, { min: 0 });
  checkNumber('clipNorm', c.clipNorm, { min: 0, minExclusive: true });
  checkNumber('evalEvery', c.evalEvery, { min: 1, integer: true });
  checkNumber('evalWindows', c.evalWindows, { min: 1, integer: true });
  checkNumber('checkpointEvery', c.checkpointEvery, { min: 1, integer: true });
  checkNumber('seed', c.seed, { min: 0, max: 2 ** 32 - 1, integer: true });
  return c;
}

/** Mean next-token loss (nats) over fixed validation windows. */
export function validationLoss(
  params: TinyLmParams,
  config: TinyLmConfig,
  tokens: Int32Array,
  windows: number,
): number {
  const tf = tfSync();
  const T = config.blockSize;
  const offsets = validationOffsets(tokens.length, T, windows);
  let total = 0;
  for (let i = 0; i < offsets.length; i += 16) {
    const chunk = offsets.slice(i, i + 16);
    const { x, y } = batchAt(tokens, chunk, T);
    total += tf.tidy(() => crossEntropyLoss(tinyLmForward(params, config, x), y).dataSync()[0]) * chunk.length;
    x.dispose();
    y.dispose();
  }
  return total / offsets.length;
}

export interface LmTrainRun {
  params: TinyLmParams;
  config: TinyLmConfig;
  train: Int32Array;
  valid: Int32Array;
  settings: LmTrainConfig;
  /** Checkpoint folder (optional) and whether to resume from it. */
  checkpointDir?: string;
  resume?: boolean;
  label?: string;
  /** Stop after this many steps (a time-boxed or interrupted run); the schedule still spans `settings.steps`. */
  stopAfter?: number;
  /** Early stopping, checked after every step (0-based index); the schedule still spans `settings.steps`. */
  stopWhen?(step: number): boolean;
}

/** Trains in place; returns the metrics history (loss, lr, gradNorm every step; validLoss at evals). */
export async function trainTinyLm(
  run: LmTrainRun,
): Promise<{ history: MetricsRow[]; resumedFrom: number; stoppedEarly?: boolean }> {
  const tf = tfSync();
  const s = validateLmTrainConfig(run.settings);
  const { params, config, train, valid } = run;
  const lora = loraTrainable(params);
  const trainable: ParamTree = Object.keys(lora).length > 0 ? lora : params;
  const lr = lrSchedule({ warmupSteps: s.warmupSteps, totalSteps: s.steps, peak: s.lr, floor: s.lr * s.floorRatio });
  const optimizer = adamw({ lr, weightDecay: s.weightDecay, clipNorm: s.clipNorm });
  const sampler = new Rng(s.seed);
  const hooks = checkpointOf({ params: trainable, optimizer, rngs: { sampler } });
  try {
    const steps =
      run.stopAfter === undefined
        ? s.steps
        : checkNumber('stopAfter', run.stopAfter, { min: 1, max: s.steps, integer: true });
    return await trainLoop({
      steps,
      label: run.label ?? 'lm train',
      resume: run.resume,
      stopWhen: run.stopWhen,
      checkpoint: run.checkpointDir ? { path: run.checkpointDir, every: s.checkpointEvery, ...hooks } : undefined,
      step: (i) => {
        const { x, y } = randomBatch(train, sampler, config.blockSize, s.batchSize);
        const loss = optimizer.step(
          () => tf.tidy(() => crossEntropyLoss(tinyLmForward(params, config, x), y)) as Scalar,
          trainable,
        );
        x.dispose();
        y.dispose();
        const metrics: Record<string, number> = { loss, lr: optimizer.lastLr, gradNorm: optimizer.lastGradNorm };
        if ((i + 1) % s.evalEvery === 0 || i + 1 === s.steps) {
          metrics.validLoss = validationLoss(params, config, valid, s.evalWindows);
        }
        return metrics;
      },
    });
  } finally {
    optimizer.dispose();
  }
}
