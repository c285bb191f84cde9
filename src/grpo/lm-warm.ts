/**
 * Supervised warm start ("cold start" before RL, DeepSeek-R1 sec. 2.3.1) for `grpo lm`:
 * next-token cross-entropy on formatted training problems, one "prompt answer" line each ("a+b=c",
 * "abcd>dcba"; never a held-out one), through the LM's own fine-tuning loop (`trainTinyLm` -> nn
 * `trainLoop`), either as a LoRA adapter merged into the weights afterwards or on every weight, so
 * GRPO starts (and its KL reference sits) at the SFT model; optionally stopped at a target accuracy.
 * Checked in test/grpo/lm-warm.test.ts (only training problems in the text, weights move, loss
 * drops, the target stops it).
 */
import type { MetricsRow } from '../core/checkpoint.js';
import { checkNumber } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { encodeBytes, type TinyLmConfig, type TinyLmParams, trainTinyLm } from '../lm/index.js';
import { addLora, mergeLoraLayers } from '../lora/index.js';
import { type LmTask, type LmTaskName, lmGreedyAccuracy } from './lm.js';

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

/** SFT text: `n` training problems, one "prompt answer" line each (for addition the corpus's "a+b=c"). */
export function sftText<P>(task: LmTask<P>, n: number, rng: Rng): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = task.sampleTrain(rng);
    lines.push(`${task.prompt(p)}${task.answer(p)}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface WarmStartResult {
  /** SFT steps run (fewer than the maximum when the target accuracy stopped it). */
  steps: number;
  /** Greedy accuracy on the training-split check problems at the last check (with a target only). */
  checkAccuracy?: number;
  /** Mean training loss (nats/byte) of the first and last 20 steps. */
  lossFirst: number;
  lossLast: number;
  wallSeconds: number;
}

/** SFT on training problems (LoRA merged afterwards, or every weight when r = 0), in place: the model becomes the SFT model. */
export async function warmStart<P>(
  params: TinyLmParams,
  config: TinyLmConfig,
  task: LmTask<P>,
  rng: Rng,
  o: WarmStartOptions,
): Promise<WarmStartResult> {
  if (o.targetAccuracy !== undefined) checkNumber('warm-start targetAccuracy', o.targetAccuracy, { min: 0, max: 1 });
  if (o.checkEvery !== undefined) checkNumber('warm-start checkEvery', o.checkEvery, { min: 1, integer: true });
  const t0 = performance.now();
  const train = encodeBytes(sftText(task, o.examples, rng.fork('sft/train')));
  const valid = encodeBytes(sftText(task, 200, rng.fork('sft/valid')));
  if (o.r > 0) addLora(params, rng.fork('sft/lora'), { r: o.r, alpha: 2 * o.r, targetModules: o.targetModules });
  const checkRng = rng.fork('sft/check');
  const checkSet = Array.from({ length: CHECK_PROBLEMS }, () => task.sampleTrain(checkRng));
  const checkEvery = o.checkEvery ?? 10;
  let checkAccuracy: number | undefined;
  const target = o.targetAccuracy;
  const { history } = await trainTinyLm({
    params,
    config,
    train,
    valid,
    settings: {
      steps: o.steps,
      batchSize: 16,
      lr: o.lr,
      warmupSteps: Math.min(20, o.steps - 1),
      floorRatio: 0.1,
      weightDecay: 0,
      clipNorm: 1,
      evalEvery: o.steps,
      evalWindows: 8,
      checkpointEvery: o.steps,
      seed: rng.fork('sft/batches').int(2 ** 31),
    },
    label: 'grpo lm warm start',
    stopWhen:
      target === undefined
        ? undefined
        : (i) => {
            if ((i + 1) % checkEvery !== 0) return false;
            checkAccuracy = lmGreedyAccuracy(params, config, task, checkSet);
            return checkAccuracy >= target;
          },
  });
  if (o.r > 0) mergeLoraLayers(params);
  const mean = (rows: MetricsRow[]) => rows.reduce((s, r) => s + Number(r.loss), 0) / Math.max(rows.length, 1);
  return {
    steps: history.length,
    ...(checkAccuracy !== undefined && { checkAccuracy }),
    lossFirst: mean(history.slice(0, 20)),
    lossLast: mean(history.slice(-20)),
    wallSeconds: (performance.now() - t0) / 1000,
  };
}
