/**
 * Learning-rate schedule: linear warm-up, cosine decay, constant floor (Loshchilov & Hutter 2017,
 * SGDR eq. 5 for the cosine; nanoGPT's `get_lr` for the three phases). A pure function of the step,
 * tested phase by phase in test/nn/schedule.test.ts.
 */
import { checkNumber } from '../core/errors.js';

export interface LrSchedule {
  /**
   * Steps of linear warm-up from peak/warmupSteps to peak (≥ 0; 0 = no warm-up). A warm-up longer
   * than the run is cut to totalSteps − 1 steps, so a short run (`--steps 10`) needs no other flag.
   */
  warmupSteps: number;
  /** Step at which the cosine reaches the floor (≥ 1). */
  totalSteps: number;
  /** Peak learning rate reached at the end of warm-up (> 0). */
  peak: number;
  /** Final learning rate after `totalSteps` (0 ≤ floor ≤ peak). */
  floor: number;
}

/** Validates a schedule; ConfigError naming the field otherwise. */
export function validateLrSchedule(cfg: LrSchedule): LrSchedule {
  checkNumber('warmupSteps', cfg.warmupSteps, { min: 0, integer: true });
  checkNumber('totalSteps', cfg.totalSteps, { min: 1, integer: true });
  checkNumber('peak', cfg.peak, { min: 0, minExclusive: true });
  checkNumber('floor', cfg.floor, { min: 0, max: cfg.peak });
  return cfg;
}

/** Learning rate at 0-based `step` (the update about to be applied). */
export function lrAt(step: number, cfg: LrSchedule): number {
  validateLrSchedule(cfg);
  checkNumber('step', step, { min: 0, integer: true });
  const { totalSteps, peak, floor } = cfg;
  const warmupSteps = Math.min(cfg.warmupSteps, totalSteps - 1);
  // 1. warm-up: peak · (step + 1) / warmupSteps, reaching peak at step = warmupSteps − 1
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  // 3. floor after the decay
  if (step >= totalSteps) return floor;
  // 2. cosine decay: floor + ½ (1 + cos(π r)) (peak − floor), r = (step − warmup) / (total − warmup)
  const r = (step - warmupSteps) / (totalSteps - warmupSteps);
  return floor + 0.5 * (1 + Math.cos(Math.PI * r)) * (peak - floor);
}

/** The schedule as a `(step) => lr` function for `adamw({ lr })`. */
export function lrSchedule(cfg: LrSchedule): (step: number) => number {
  validateLrSchedule(cfg);
  return (step) => lrAt(step, cfg);
}
