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
import { type LmTask, lmGreedyAccuracy } from './lm.js';
import { CHECK_PROBLEMS, type WarmStartOptions } from './lm-config.js';

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
      warmupSteps: 20,
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
