/**
 * Training of the lab networks: every step draws a fresh batch of data x0, noise eps and DDPM
 * indices t ~ U{0..T-1}, and takes one AdamW step on the denoising loss (Ho et al. 2020, Alg. 1;
 * for the energy model this is denoising score matching, Vincent 2011, with score = -grad E).
 * The loop, progress, checkpoints and resume come from nn's `trainLoop`.
 */
import type { Tensor } from '../../core/engine.js';
import { tfSync } from '../../core/engine.js';
import { Rng } from '../../core/rng.js';
import { adamw, lrSchedule, type Optimizer } from '../../nn/index.js';
import { makeSchedule } from '../schedules.js';
import type { LabConfig } from './config.js';
import { LAB_DIM, sampleDataset } from './data.js';
import { denoisingLoss, type LabParams, labModelInit, noiseFeature } from './models.js';

/** Everything a lab training run holds between steps. */
export interface LabRun {
  config: LabConfig;
  params: LabParams;
  optimizer: Optimizer;
  /** Stream of the training batches (checkpointed). */
  rng: Rng;
  alphasCumprod: Float64Array;
}

/** A fresh run: network initialised from `seed`, AdamW with warm-up and cosine decay to 10%. */
export function createLabRun(config: LabConfig, seed: number): LabRun {
  const root = new Rng(seed);
  const params = labModelInit(root.fork('init'), config);
  const lr = lrSchedule({
    warmupSteps: config.warmupSteps,
    totalSteps: config.steps,
    peak: config.lr,
    floor: config.lr / 10,
  });
  const optimizer = adamw({ lr, weightDecay: 0, clipNorm: 1 });
  const { alphasCumprod } = makeSchedule(config.schedule, { steps: config.scheduleSteps });
  return { config, params, optimizer, rng: root.fork('batches'), alphasCumprod };
}

/** A training batch as tensors: x0, eps [B, 2], noise feature t [B], alpha, sigma [B, 1]. */
function drawBatch(run: LabRun): { x0: Tensor; eps: Tensor; t: Tensor; alpha: Tensor; sigma: Tensor } {
  const tf = tfSync();
  const { batch, data, scheduleSteps } = run.config;
  const x0 = sampleDataset(data, batch, run.rng);
  const eps = run.rng.normals(batch * LAB_DIM);
  const t = new Float32Array(batch);
  const alpha = new Float32Array(batch);
  const sigma = new Float32Array(batch);
  for (let i = 0; i < batch; i++) {
    const index = run.rng.int(scheduleSteps);
    alpha[i] = Math.sqrt(run.alphasCumprod[index]);
    sigma[i] = Math.sqrt(1 - run.alphasCumprod[index]);
    t[i] = noiseFeature(sigma[i]);
  }
  return {
    x0: tf.tensor2d(x0, [batch, LAB_DIM]),
    eps: tf.tensor2d(eps, [batch, LAB_DIM]),
    t: tf.tensor1d(t),
    alpha: tf.tensor2d(alpha, [batch, 1]),
    sigma: tf.tensor2d(sigma, [batch, 1]),
  };
}

/** One optimisation step; returns the metrics shown by the progress bar and logged. */
export function labTrainStep(run: LabRun): { loss: number; lr: number; gradNorm: number } {
  const batch = drawBatch(run);
  try {
    const loss = run.optimizer.step(() => denoisingLoss(run.params, run.config, batch), run.params);
    return { loss, lr: run.optimizer.lastLr, gradNorm: run.optimizer.lastGradNorm };
  } finally {
    for (const t of Object.values(batch)) t.dispose();
  }
}
