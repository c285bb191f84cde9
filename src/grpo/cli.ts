/**
 * `modelmath grpo ...`: the lecture's bandit (`grpo bandit`) and GRPO with LoRA on the tiny LM
 * (`grpo lm`). Options are validated by zod; results print as one JSON object with --json.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { getTf } from '../core/engine.js';
import { banditVjpTf } from './bandit-tf.js';
import { LOSS_TYPES } from './config.js';
import { runLectureBandit } from './lecture.js';

const banditSchema = z.object({
  steps: numberFlag.pipe(z.number().int().min(1).max(1_000_000)),
  engine: z.enum(['plain', 'tf']),
  lossType: z.enum(LOSS_TYPES),
});

export function register(program: Command): void {
  const grpo = program.command('grpo').description('GRPO: the lecture minimal trainer, its variants, and an LM task');
  grpo
    .command('bandit')
    .description(
      "the lecture's GRPO script: 32 prompts, 8 actions, reward prompt % 8 (group 8, batch 16, beta 0.05, k3)",
    )
    .option('--steps <n>', 'training steps', '1000')
    .option('--engine <name>', "back-propagation: 'plain' (analytic Float32Array) or 'tf' (engine autodiff)", 'plain')
    .option(
      '--loss-type <type>',
      `loss aggregation: ${LOSS_TYPES.join(', ')} (identical for one-token completions)`,
      'grpo',
    )
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(banditSchema, raw);
        const vjp = o.engine === 'tf' ? banditVjpTf(await getTf()) : undefined;
        const r = await runLectureBandit({ steps: o.steps, seed: ctx.seed, vjp, config: { lossType: o.lossType } });
        ctx.log(
          `grpo bandit seed ${ctx.seed}: greedy accuracy ${r.greedyAccuracy.toFixed(3)}, mean reward (last 50) ` +
            `${r.meanRewardLast50.toFixed(3)}, KL to ref ${r.klToRef.toFixed(3)}, ${r.wallSeconds.toFixed(2)} s`,
        );
        return r;
      }),
    );
}
