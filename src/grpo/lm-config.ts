/**
 * Settings of `grpo lm` that the CLI needs without loading the engine: the verifiable tasks' names
 * and the per-task SFT warm-start presets (DeepSeek-R1 sec. 2.3.1 "cold start"). The tasks
 * themselves live in lm.ts, the warm start in lm-warm.ts.
 */

/** The verifiable tasks `grpo lm --task` offers (lm.ts LM_TASKS). */
export const LM_TASK_NAMES = ['addition', 'reverse'] as const;
export type LmTaskName = (typeof LM_TASK_NAMES)[number];

export interface WarmStartOptions {
  /** SFT optimiser steps (0: no warm start). */
  steps: number;
  /**
   * Formatted training lines in the SFT text. With too few, the SFT model recalls training pairs
   * instead of learning the rule (addition, 1000 LoRA steps: 2000 lines gave held-out greedy
   * accuracy 0.05, 20000 lines 0.21).
   */
  examples: number;
  /** Peak learning rate. */
  lr: number;
  /** LoRA rank of the SFT adapter (merged afterwards); 0 fine-tunes every weight. */
  r: number;
  /** Modules the SFT adapter targets (unused when r = 0). */
  targetModules: string[];
  /**
   * Early stop: end the SFT once greedy accuracy on CHECK_PROBLEMS fresh training-split problems
   * (never held-out ones) reaches this value; omitted: run all `steps` (then a maximum).
   */
  targetAccuracy?: number;
  /** SFT steps between accuracy checks (default 10). */
  checkEvery?: number;
}

/** Training-split problems of the early-stop accuracy check. */
export const CHECK_PROBLEMS = 100;

/**
 * Per-task warm starts, each chosen so that GRPO starts with a held-out greedy accuracy in the
 * 10-40 % range where groups of 8 samples often disagree (measured, docs/parts/grpo.md). Both stop
 * at a target accuracy on training problems instead of after a fixed step count, because where
 * the SFT gets to by a given step depends on the seed: reversal is learned abruptly (300 steps:
 * 0.29 for one seed, 0.04 for another), and 1000 addition steps gave 0.55 and 0.075. Addition's
 * target is higher because its SFT model partly recalls training pairs (training-split accuracy
 * 0.5 came with 0.15 held-out).
 */
export const WARM_START_PRESETS: Record<LmTaskName, WarmStartOptions> = {
  addition: {
    steps: 3000,
    examples: 20000,
    lr: 1e-2,
    r: 8,
    targetModules: ['wq', 'wk', 'wv', 'wo', 'mlp.layers.0', 'mlp.layers.1'],
    targetAccuracy: 0.5,
    checkEvery: 10,
  },
  reverse: { steps: 1000, examples: 20000, lr: 3e-3, r: 0, targetModules: [], targetAccuracy: 0.3, checkEvery: 10 },
};
