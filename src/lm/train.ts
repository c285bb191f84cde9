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
import { type LmTrainConfig, type TinyLmConfig, validateLmTrainConfig } from './config.js';
import { batchAt, randomBatch, validationOffsets } from './data.js';
import { crossEntropyLoss, type TinyLmParams, tinyLmForward } from './model.js';

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
