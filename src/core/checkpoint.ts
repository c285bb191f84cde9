/**
 * Training checkpoints: one folder per checkpoint, written atomically (temp folder + rename), so
 * an interrupted run always leaves the previous complete checkpoint. Layout:
 *   weights.safetensors    parameters by dotted name (F32)
 *   optimizer.safetensors  optimiser moments `m.<name>`, `v.<name>` (when an optimiser is saved)
 *   state.json             { format, step, optimizerStep, rng, metrics, extra }
 * Engine-free (plain arrays); nn/train.ts connects it to params and AdamW. Resume-equals-uninterrupted
 * and every corrupt-folder case are tested in test/core/checkpoint.test.ts and test/nn/train.test.ts.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, show } from './errors.js';
import { writeDirAtomic } from './outputs.js';
import type { RngState } from './rng.js';
import { readSafetensorsFile, type SafeTensor, type TensorToWrite, writeSafetensors } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'modelmath-checkpoint-1';

/** One row of the metrics history: the step index and named numbers (`loss`, `lr`, ...). */
export type MetricsRow = { step: number } & Record<string, number>;

/** What a training loop stores (without the step counter and history, which the loop adds). */
export interface CheckpointPayload {
  /** Parameters by name. */
  weights: Map<string, TensorToWrite>;
  /** Optimiser update count and moments by parameter name. */
  optimizer?: { step: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> };
  /** RNG states by stream name (`Rng.getState()`). */
  rng?: Record<string, RngState>;
  /** Any JSON-serialisable extra state (data cursor, config, ...). */
  extra?: Record<string, unknown>;
}

/** A complete checkpoint: payload + completed steps + metrics history. */
export interface Checkpoint extends CheckpointPayload {
  /** Number of completed training steps. */
  step: number;
  metrics: MetricsRow[];
}

/** Whether `dir` holds a checkpoint (its state.json exists). */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, 'state.json'));
}

/** Writes a checkpoint folder atomically; an existing checkpoint is replaced only once the new one is complete. */
export async function writeCheckpoint(dir: string, ckpt: Checkpoint): Promise<void> {
  await writeDirAtomic(dir, (tmp) => {
    writeSafetensors(join(tmp, 'weights.safetensors'), ckpt.weights, { format: CHECKPOINT_FORMAT });
    if (ckpt.optimizer) {
      const moments = new Map<string, TensorToWrite>();
      for (const [name, m] of ckpt.optimizer.m) moments.set(`m.${name}`, { shape: [m.length], data: m });
      for (const [name, v] of ckpt.optimizer.v) moments.set(`v.${name}`, { shape: [v.length], data: v });
      writeSafetensors(join(tmp, 'optimizer.safetensors'), moments, { format: CHECKPOINT_FORMAT });
    }
    const state = {
      format: CHECKPOINT_FORMAT,
      step: ckpt.step,
      optimizerStep: ckpt.optimizer?.step ?? null,
      rng: ckpt.rng ?? {},
      metrics: ckpt.metrics,
      extra: ckpt.extra ?? {},
    };
    // plain write: the whole temp folder is renamed into place. JSON numbers round-trip exactly.
    writeFileSync(join(tmp, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
  });
}

function readState(dir: string): Record<string, unknown> {
  const path = join(dir, 'state.json');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${dir}: checkpoint folder not found`);
  if (!existsSync(path)) throw new InputError(`${dir}: not a checkpoint (state.json missing)`);
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`${path}: invalid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof state !== 'object' || state === null || (state as { format?: unknown }).format !== CHECKPOINT_FORMAT) {
    throw new InputError(
      `${path}: expected format "${CHECKPOINT_FORMAT}", got ${show((state as { format?: unknown })?.format)}`,
    );
  }
  return state as Record<string, unknown>;
}

function checkState(path: string, s: Record<string, unknown>): void {
  const isCount = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!isCount(s.step)) throw new InputError(`${path}: step must be a non-negative integer, got ${show(s.step)}`);
  if (s.optimizerStep !== null && !isCount(s.optimizerStep)) {
    throw new InputError(`${path}: optimizerStep must be a non-negative integer or null, got ${show(s.optimizerStep)}`);
  }
  const rowOk = (r: unknown) =>
    typeof r === 'object' && r !== null && Object.values(r).every((v) => typeof v === 'number' || v === null);
  if (!Array.isArray(s.metrics) || !s.metrics.every(rowOk)) {
    throw new InputError(`${path}: metrics must be an array of objects of numbers`);
  }
  if (typeof s.rng !== 'object' || s.rng === null || typeof s.extra !== 'object' || s.extra === null) {
    throw new InputError(`${path}: rng and extra must be objects`);
  }
}

function readMoments(path: string, step: number) {
  const tensors = readSafetensorsFile(path).tensors;
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [key, t] of tensors) {
    const target = key.startsWith('m.') ? m : key.startsWith('v.') ? v : null;
    if (!target || t.dtype !== 'F32') throw new InputError(`${path}: unexpected tensor ${show(key)} (${t.dtype})`);
    target.set(key.slice(2), t.data as Float32Array);
  }
  return { step, m, v };
}

/** Reads and validates a checkpoint folder; InputError naming the file and the problem otherwise. */
export function readCheckpoint(dir: string): Checkpoint {
  const state = readState(dir);
  checkState(join(dir, 'state.json'), state);
  const weights: Map<string, SafeTensor> = readSafetensorsFile(join(dir, 'weights.safetensors')).tensors;
  const optPath = join(dir, 'optimizer.safetensors');
  let optimizer: Checkpoint['optimizer'];
  if (state.optimizerStep !== null) {
    if (!existsSync(optPath)) throw new InputError(`${optPath}: missing (state.json records an optimiser)`);
    optimizer = readMoments(optPath, state.optimizerStep as number);
  }
  return {
    step: state.step as number,
    weights,
    optimizer,
    rng: state.rng as Record<string, RngState>,
    // JSON stores NaN/±Infinity as null; they come back as NaN
    metrics: (state.metrics as Record<string, number | null>[]).map(
      (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v ?? Number.NaN])) as MetricsRow,
    ),
    extra: state.extra as Record<string, unknown>,
  };
}
