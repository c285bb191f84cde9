/**
 * The one training loop of modelmath: runs `step(i)` for i = start..steps−1, shows progress,
 * records the metrics history, checkpoints every N steps through core/checkpoint.ts and resumes
 * from the last checkpoint, so an interrupted run ends with the same weights as an uninterrupted
 * one (tested bit for bit in test/nn/train.test.ts). `checkpointOf` builds the save/restore pair
 * for the usual state: params, AdamW moments and RNG streams.
 */
import {
  type CheckpointPayload,
  hasCheckpoint,
  type MetricsRow,
  readCheckpoint,
  writeCheckpoint,
} from '../core/checkpoint.js';
import { ConfigError, checkNumber, show } from '../core/errors.js';
import { createProgress, type Progress } from '../core/progress.js';
import type { Rng } from '../core/rng.js';
import type { Optimizer } from './adamw.js';
import { assignParams, type ParamTree, paramsToTensors } from './params.js';

/** Metrics returned by one step (slash-namespaced keys, e.g. `loss`, `clipRatio/low`). */
export type Metrics = Record<string, number>;

export interface CheckpointHooks {
  /** Checkpoint folder (replaced atomically at each save). */
  path: string;
  /** Save after every `every` completed steps and at the end (≥ 1). */
  every: number;
  /** Captures the state to store. */
  save(): CheckpointPayload;
  /** Restores the state from a loaded checkpoint (before the first resumed step). */
  restore(payload: CheckpointPayload): void;
}

export interface TrainLoopOptions {
  /** Total number of steps of the run (≥ 0). */
  steps: number;
  /** One training step with 0-based index `i`; returns its metrics. */
  step(i: number): Metrics | Promise<Metrics>;
  /** Checkpointing (optional). */
  checkpoint?: CheckpointHooks;
  /** Continue from `checkpoint.path` when it holds a checkpoint (default false: start fresh). */
  resume?: boolean;
  /** Progress-bar label (default 'train'). */
  label?: string;
  /** Progress sink (default: `createProgress(label, steps)`, a no-op off a TTY). */
  progress?: Progress;
  /**
   * Early stopping: called after step `i` is recorded; returning true ends the run there (a
   * checkpoint of that step is written). The schedule of `step` is unaffected.
   */
  stopWhen?(i: number, metrics: Metrics): boolean;
}

export interface TrainLoopResult {
  /** One row per completed step (including those before a resume). */
  history: MetricsRow[];
  /** Step the run resumed from (0 for a fresh run). */
  resumedFrom: number;
  /** True when `stopWhen` ended the run before `steps`. */
  stoppedEarly?: boolean;
}

/** Runs the loop; see `TrainLoopOptions`. */
export async function trainLoop(options: TrainLoopOptions): Promise<TrainLoopResult> {
  const { steps, step, checkpoint, resume = false, label = 'train' } = options;
  checkNumber('steps', steps, { min: 0, integer: true });
  if (checkpoint) checkNumber('checkpoint.every', checkpoint.every, { min: 1, integer: true });
  if (resume && !checkpoint) throw new ConfigError('resume needs a checkpoint path');
  let history: MetricsRow[] = [];
  let start = 0;
  // 1. resume: restore the payload, the step counter and the metrics history
  if (resume && checkpoint && hasCheckpoint(checkpoint.path)) {
    const ckpt = readCheckpoint(checkpoint.path);
    if (ckpt.step > steps) {
      throw new ConfigError(`checkpoint ${checkpoint.path} is at step ${ckpt.step}, beyond steps=${steps}`);
    }
    checkpoint.restore(ckpt);
    history = ckpt.metrics;
    start = ckpt.step;
  }
  const progress = options.progress ?? createProgress(label, steps);
  const save = async (done: number) => {
    if (checkpoint) await writeCheckpoint(checkpoint.path, { ...checkpoint.save(), step: done, metrics: history });
  };
  progress.update(start);
  try {
    // 2. the steps, with a checkpoint every `every` completed steps
    for (let i = start; i < steps; i++) {
      const metrics = await step(i);
      for (const [key, value] of Object.entries(metrics)) {
        if (typeof value !== 'number')
          throw new ConfigError(`step ${i}: metric ${key} must be a number, got ${show(value)}`);
      }
      history.push({ ...metrics, step: i });
      progress.update(i + 1, metrics);
      if (options.stopWhen?.(i, metrics)) {
        if (checkpoint) await save(i + 1);
        return { history, resumedFrom: start, stoppedEarly: i + 1 < steps };
      }
      if (checkpoint && (i + 1) % checkpoint.every === 0) await save(i + 1);
    }
    // 3. final checkpoint unless the last step already wrote one
    if (checkpoint && steps > start && steps % checkpoint.every !== 0) await save(steps);
  } finally {
    progress.stop();
  }
  return { history, resumedFrom: start };
}

/** Restores an Rng in place from a saved state (the loop's closures keep their Rng objects). */

/**
 * save/restore for the usual training state: every Variable of `params` (by dotted name), the
 * optimiser's moments and step, named RNG streams and optional JSON extra state.
 */
export function checkpointOf(state: {
  params: ParamTree;
  optimizer?: Optimizer;
  rngs?: Record<string, Rng>;
  extra?: { save(): Record<string, unknown>; restore(extra: Record<string, unknown>): void };
}): Pick<CheckpointHooks, 'save' | 'restore'> {
  const { params, optimizer, rngs = {}, extra } = state;
  return {
    save: () => ({
      weights: paramsToTensors(params),
      optimizer: optimizer?.getState(),
      rng: Object.fromEntries(Object.entries(rngs).map(([k, r]) => [k, r.getState()])),
      extra: extra?.save(),
    }),
    restore: (payload) => {
      assignParams(params, payload.weights as Map<string, { shape: number[]; data: Float32Array }>);
      if (optimizer) {
        if (!payload.optimizer) throw new ConfigError('checkpoint has no optimiser state to resume from');
        optimizer.setState(payload.optimizer);
      }
      for (const [name, rng] of Object.entries(rngs)) {
        const s = payload.rng?.[name];
        if (!s) throw new ConfigError(`checkpoint has no RNG state named ${name}`);
        rng.setState(s);
      }
      if (extra) extra.restore(payload.extra ?? {});
    },
  };
}
