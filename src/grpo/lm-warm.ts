/**
 * Supervised warm start ("cold start" before RL, DeepSeek-R1 sec. 2.3.1) for `grpo lm`: a LoRA
 * adapter trained by next-token cross-entropy on formatted training problems "a+b=c" (never a
 * held-out one), through the LM's own fine-tuning loop (`trainTinyLm` -> nn `trainLoop`), then
 * merged into the weights so GRPO starts (and its KL reference sits) at the SFT model.
 * Checked in test/grpo/lm-warm.test.ts (only training problems in the text, weights move, loss drops).
 */
import type { MetricsRow } from '../core/checkpoint.js';
import type { Rng } from '../core/rng.js';
import { encodeBytes, type TinyLmConfig, type TinyLmParams, trainTinyLm } from '../lm/index.js';
import { addLora, mergeLoraLayers } from '../lora/index.js';
import { type AdditionProblem, sampleTrainProblem } from './lm.js';

export interface WarmStartOptions {
  /** SFT optimiser steps (0: no warm start). Default 300. */
  steps: number;
  /** Distinct formatted training lines in the SFT text. Default 2000. */
  examples: number;
  /** Peak learning rate (LoRA). Default 1e-2. */
  lr: number;
  /** LoRA rank of the SFT adapter (merged afterwards). Default 8. */
  r: number;
  /** Modules the SFT adapter targets. Default attention and MLP projections. */
  targetModules: string[];
}

export const WARM_START_DEFAULTS: WarmStartOptions = {
  steps: 300,
  examples: 2000,
  lr: 1e-2,
  r: 8,
  targetModules: ['wq', 'wk', 'wv', 'wo', 'mlp.layers.0', 'mlp.layers.1'],
};

/** SFT text: `n` training problems formatted like the corpus, one "a+b=c" per line. */
export function sftText(n: number, rng: Rng, sample: (r: Rng) => AdditionProblem = sampleTrainProblem): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = sample(rng);
    lines.push(`${p.a}+${p.b}=${p.a + p.b}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface WarmStartResult {
  steps: number;
  /** Mean training loss (nats/byte) of the first and last 20 steps. */
  lossFirst: number;
  lossLast: number;
  wallSeconds: number;
}

/** LoRA SFT on training problems, merged into `params` in place (the model becomes the SFT model). */
export async function warmStart(
  params: TinyLmParams,
  config: TinyLmConfig,
  rng: Rng,
  o: WarmStartOptions,
  sample: (r: Rng) => AdditionProblem = sampleTrainProblem,
): Promise<WarmStartResult> {
  const t0 = performance.now();
  const train = encodeBytes(sftText(o.examples, rng.fork('sft/train'), sample));
  const valid = encodeBytes(sftText(200, rng.fork('sft/valid'), sample));
  addLora(params, rng.fork('sft/lora'), { r: o.r, alpha: 2 * o.r, targetModules: o.targetModules });
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
  });
  mergeLoraLayers(params);
  const mean = (rows: MetricsRow[]) => rows.reduce((s, r) => s + Number(r.loss), 0) / Math.max(rows.length, 1);
  return {
    steps: o.steps,
    lossFirst: mean(history.slice(0, 20)),
    lossLast: mean(history.slice(-20)),
    wallSeconds: (performance.now() - t0) / 1000,
  };
}
