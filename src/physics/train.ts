/**
 * Training the latent-physics model (lecture section 三; Castañeda Garcia et al., CVPR 2025): Adam
 * on encoder + physical parameters (separate learning rates via the rescaling in ./model.ts), minibatches of clips
 * reshuffled every epoch (the permutation of epoch e is a pure function of (seed, e), so resuming
 * needs no RNG state), loss L = rollout MSE + KL. After training, the estimates; for
 * position-scaled parameters they are calibrated with the latent's scale fitted on the true
 * states when those are known (synthetic video).
 */

import type { Scalar, Tensor, Tf } from '../core/engine.js';
import { InputError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { adamw, checkpointOf, lrSchedule, type Optimizer, trainLoop } from '../nn/index.js';
import { fitLatentToState, type LineFit } from './calibrate.js';
import type { PhysicsConfig } from './config.js';
import { type ClipSet, downsample } from './dataset.js';
import {
  encodeAll,
  type PhysicsModel,
  physicsLoss,
  physicsModelInit,
  physValues,
  STANDARDIZE_CLIPS,
  standardizeLatent,
} from './model.js';
import { refitLaw } from './refit.js';
import { SYSTEMS, type SystemSpec, trainingSpec } from './systems.js';

/** Everything one training run holds between steps. */
export interface PhysicsRun {
  config: PhysicsConfig;
  /** The system trained (its block, parameters and calibration). */
  spec: SystemSpec;
  data: ClipSet;
  model: PhysicsModel;
  optimizer: Optimizer;
  seed: number;
  stepsPerEpoch: number;
}

/**
 * A fresh run: the clip set is pooled by `config.downsample`; the encoder is initialised from `seed`.
 * `spec` replaces the system's own block (benches compare variants of a block on the same clips).
 */
export function createPhysicsRun(
  tf: Tf,
  set: ClipSet,
  config: PhysicsConfig,
  seed: number,
  spec: SystemSpec = trainingSpec(set.system, config),
): PhysicsRun {
  const data = downsample(set, config.downsample);
  const model = physicsModelInit(tf, new Rng(seed).fork('init'), spec, config, data.height * data.width);
  if (config.latentInit === 'unit') {
    const clips = Math.min(data.count, STANDARDIZE_CLIPS);
    standardizeLatent(tf, model, data.frames.subarray(0, clips * data.length * data.height * data.width));
  }
  // plain Adam as the paper (no weight decay); betas and eps are PyTorch's defaults
  const stepsPerEpoch = Math.ceil(data.count / config.batchSize);
  const totalSteps = config.epochs * stepsPerEpoch;
  const lr =
    config.lrSchedule === 'cosine'
      ? lrSchedule({ warmupSteps: 0, totalSteps, peak: config.lrEncoder, floor: 0 })
      : config.lrEncoder;
  const optimizer = adamw({ lr, weightDecay: 0 });
  return { config: { ...config, dt: set.dt }, spec, data, model, optimizer, seed, stepsPerEpoch };
}

/** Clip order of epoch `epoch` (deterministic in (seed, epoch)). */
export function epochOrder(run: PhysicsRun, epoch: number): Int32Array {
  return new Rng(run.seed).fork(`epoch${epoch}`).permutation(run.data.count);
}

/** The clips of global step `step` as a tensor [B, T, P]. */
function batchTensor(tf: Tf, run: PhysicsRun, step: number, order: Int32Array): Tensor {
  const { data, config } = run;
  const b = step % run.stepsPerEpoch;
  const idx = order.subarray(b * config.batchSize, Math.min((b + 1) * config.batchSize, data.count));
  const clip = data.length * data.height * data.width;
  const buf = new Float32Array(idx.length * clip);
  idx.forEach((c, i) => {
    buf.set(data.frames.subarray(c * clip, (c + 1) * clip), i * clip);
  });
  return tf.tensor3d(buf, [idx.length, data.length, data.height * data.width]);
}

/** Metrics of one Adam step. */
export interface StepMetrics {
  loss: number;
  rollout: number;
  kl: number;
}

/** One Adam step on the clips of global step `step` (epoch = floor(step / stepsPerEpoch)). */
export function trainStep(tf: Tf, run: PhysicsRun, step: number, order: Int32Array): StepMetrics {
  const batch = batchTensor(tf, run, step, order);
  let parts: Tensor[] = [];
  try {
    const loss = run.optimizer.step(() => {
      const terms = physicsLoss(tf, run.spec, run.model, batch, run.config);
      parts = [tf.keep(terms.rollout), tf.keep(terms.kl)];
      return terms.total as Scalar;
    }, run.model);
    const [rollout, kl] = parts.map((t) => t.dataSync()[0]);
    return { loss, rollout, kl };
  } finally {
    batch.dispose();
    for (const t of parts) t.dispose();
  }
}

/** One estimated parameter: value, ground truth when known, relative error. */
export interface ParamEstimate {
  estimate: number;
  true?: number;
  relativeError?: number;
}

/**
 * Final estimates, two readings of the trained model:
 * - `params`, the paper's: the block's values, read as continuous-time parameters (`fromBlock`, for the
 *   paper's one-step block);
 * - `refit`, ours (./refit.ts): the continuous law fitted to every encoded frame with each clip's start free.
 * When the true states are known, position-scaled values are carried to physical units through the
 * latent's fitted map (`calibrate`). `fit` is the latent's affine fit to the state.
 */
export function estimates(tf: Tf, run: PhysicsRun) {
  const { spec, data } = run;
  const raw = physValues(run.model);
  const read = run.config.substeps === 1 && spec.fromBlock ? spec.fromBlock(raw, run.config.dt) : raw;
  const latent = encodeAll(tf, run.model, data.frames, data.height * data.width);
  const clips = Array.from({ length: data.count }, (_, c) =>
    Array.from(latent.subarray(c * data.length, (c + 1) * data.length)),
  );
  const refitted = refitLaw(spec, clips, { dt: run.config.dt, start: read }).params;
  const states = data.states;
  const fit: LineFit | undefined = states ? fitLatentToState(latent, states) : undefined;
  const physical = (values: Record<string, number>) => {
    const calibrated = states ? spec.calibrate(values, latent, states) : values;
    const out: Record<string, ParamEstimate> = {};
    // the system's own physical parameters (a variant block may train others and read them through fromBlock)
    for (const p of SYSTEMS[spec.name].params.filter((q) => !q.nuisance)) {
      const estimate = p.scaling === 'reference' ? calibrated[p.name] : values[p.name];
      const truth = data.params?.[p.name];
      out[p.name] =
        truth === undefined
          ? { estimate }
          : { estimate, true: truth, relativeError: Math.abs(estimate - truth) / Math.abs(truth) };
    }
    return out;
  };
  return { params: physical(read), refit: physical(refitted), raw, fit };
}

/** One row of the training history (means over the epoch's steps, parameters at its end). */
export interface EpochRow {
  epoch: number;
  loss: number;
  rollout: number;
  kl: number;
  params: Record<string, number>;
}

export interface FitOptions {
  seed: number;
  /** Checkpoint folder (none: no checkpoints). */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` if there is one. */
  resume?: boolean;
  /** A variant of the system's block to train instead of its own (benches). */
  spec?: SystemSpec;
  /** Called after every epoch (progress). */
  onEpoch?: (row: EpochRow, run: PhysicsRun) => void;
}

export interface FitResult {
  system: string;
  /** The block's values read as physical parameters (the paper's reading). */
  params: Record<string, ParamEstimate>;
  /** The continuous law refitted to the encoded frames with free clip starts (ours, ./refit.ts). */
  refit: Record<string, ParamEstimate>;
  /** Physics-block values (latent units for position-scaled parameters). */
  raw: Record<string, number>;
  /** Latent vs true state fit (synthetic video only). */
  fit?: { scale: number; offset: number; r2: number };
  epochs: number;
  /** Wall seconds per epoch of the epochs run in this call (shared machines inflate it). */
  secondsPerEpoch: number;
  /** CPU seconds (user + system) per epoch of the epochs run in this call. */
  cpuSecondsPerEpoch: number;
  history: EpochRow[];
  run: PhysicsRun;
}

/** Fields of the config that must match for a checkpoint to be resumed. */
const RESUME_KEYS = [
  'hidden',
  'latentInit',
  'downsample',
  'substeps',
  'batchSize',
  'lrEncoder',
  'lrPhys',
  'lrSchedule',
  'klWeight',
] as const;

/**
 * Trains for `config.epochs` epochs through nn's `trainLoop` (progress, checkpoints at epoch
 * boundaries, resume) and returns the estimates.
 */
export async function fitPhysics(tf: Tf, set: ClipSet, config: PhysicsConfig, opts: FitOptions): Promise<FitResult> {
  const run = createPhysicsRun(tf, set, config, opts.seed, opts.spec);
  const spe = run.stepsPerEpoch;
  const history: EpochRow[] = [];
  const identity = {
    system: set.system,
    clips: set.count,
    ...Object.fromEntries(RESUME_KEYS.map((k) => [k, config[k]])),
    // (checkpoints made before the block option have our block)
    ...(config.block === 'ours' ? {} : { block: config.block }),
    // a cosine schedule depends on the run's length; a constant one can be extended
    ...(config.lrSchedule === 'cosine' ? { epochs: config.epochs } : {}),
  };
  const hooks = checkpointOf({
    params: run.model,
    optimizer: run.optimizer,
    extra: {
      save: () => ({ identity, history }),
      restore: (extra) => {
        if (JSON.stringify(extra.identity) !== JSON.stringify(identity) || !Array.isArray(extra.history)) {
          throw new InputError(
            `${opts.checkpointDir}: checkpoint was made for ${JSON.stringify(extra.identity)}, this run is ${JSON.stringify(identity)}`,
          );
        }
        history.push(...(extra.history as EpochRow[]));
      },
    },
  });
  let order: Int32Array = new Int32Array(0);
  let sums = { loss: 0, rollout: 0, kl: 0 };
  let stepsRun = 0;
  const [t0, cpu0] = [performance.now(), process.cpuUsage()];
  await trainLoop({
    steps: config.epochs * spe,
    label: `physics ${set.system}`,
    resume: opts.resume,
    checkpoint: opts.checkpointDir
      ? { path: opts.checkpointDir, every: config.checkpointEvery * spe, ...hooks }
      : undefined,
    step: (i) => {
      const epoch = Math.floor(i / spe);
      if (i % spe === 0 || order.length === 0) [order, sums] = [epochOrder(run, epoch), { loss: 0, rollout: 0, kl: 0 }];
      const m = trainStep(tf, run, i, order);
      for (const k of ['loss', 'rollout', 'kl'] as const) sums[k] += m[k] / spe;
      stepsRun += 1;
      const params = physValues(run.model);
      if ((i + 1) % spe === 0) {
        history.push({ epoch: epoch + 1, ...sums, params });
        opts.onEpoch?.(history[history.length - 1], run);
      }
      return { ...m, ...params };
    },
  });
  const epochsRun = stepsRun / spe;
  const cpu = process.cpuUsage(cpu0);
  const secondsPerEpoch = stepsRun > 0 ? (performance.now() - t0) / 1000 / epochsRun : Number.NaN;
  const cpuSecondsPerEpoch = stepsRun > 0 ? (cpu.user + cpu.system) / 1e6 / epochsRun : Number.NaN;
  const { params, refit, raw, fit } = estimates(tf, run);
  return {
    system: set.system,
    params,
    refit,
    raw,
    fit,
    epochs: config.epochs,
    secondsPerEpoch,
    cpuSecondsPerEpoch,
    history,
    run,
  };
}
