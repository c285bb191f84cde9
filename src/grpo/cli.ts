/**
 * `modelmath grpo ...`: the lecture's bandit (`grpo bandit`) and GRPO with LoRA on the tiny LM
 * (`grpo lm`). Options are validated by zod; results print as one JSON object with --json.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { getTf } from '../core/engine.js';
import { shippedModelDir } from '../lm/index.js';
import { banditVjpTf } from './bandit-tf.js';
import { LOSS_TYPES } from './config.js';
import { runLectureBandit } from './lecture.js';
import { LM_TASKS, type LmTaskName } from './lm.js';
import { runLmGrpo } from './lm-task.js';
import { CHECK_PROBLEMS, WARM_START_PRESETS, type WarmStartOptions } from './lm-warm.js';

/** "addition 1000, reverse 1000": a warm-start field of every task's preset, for --help. */
const presetList = (field: (w: WarmStartOptions) => number | undefined): string =>
  Object.entries(WARM_START_PRESETS)
    .map(([task, w]) => `${task} ${field(w) ?? 'none'}`)
    .join(', ');

const banditSchema = z.object({
  steps: numberFlag.pipe(z.number().int().min(1).max(1_000_000)),
  engine: z.enum(['plain', 'tf']),
  lossType: z.enum(LOSS_TYPES),
});

const lmSchema = z.object({
  model: z.string().min(1),
  task: z.enum(Object.keys(LM_TASKS) as [LmTaskName, ...LmTaskName[]]),
  steps: numberFlag.pipe(z.number().int().min(1).max(1_000_000)),
  r: numberFlag.pipe(z.number().int().min(1).max(256)),
  targets: z.string().regex(/^[A-Za-z0-9_.]+(,[A-Za-z0-9_.]+)*$/, 'expected comma-separated module names'),
  eval: numberFlag.pipe(z.number().int().min(1).max(1000)),
  lossType: z.enum(LOSS_TYPES),
  beta: numberFlag.pipe(z.number().min(0).max(100)),
  temperature: numberFlag.pipe(z.number().gt(0).max(10)),
  partialCredit: numberFlag.pipe(z.number().min(0).max(10)),
  warmStart: numberFlag.pipe(z.number().int().min(0).max(100_000)).optional(),
  warmExamples: numberFlag.pipe(z.number().int().min(10).max(1_000_000)),
  warmLr: numberFlag.pipe(z.number().gt(0).max(1)).optional(),
  warmRank: numberFlag.pipe(z.number().int().min(0).max(256)).optional(),
  warmTarget: numberFlag.pipe(z.number().min(0).max(1)).optional(),
  checkpoint: z.string().optional(),
  resume: z.boolean().optional(),
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
        const { accuracyCurve: _unused, ...r } = await runLectureBandit({
          steps: o.steps,
          seed: ctx.seed,
          vjp,
          config: { lossType: o.lossType },
        });
        ctx.log(
          `grpo bandit seed ${ctx.seed}: greedy accuracy ${r.greedyAccuracy.toFixed(3)}, mean reward (last 50) ` +
            `${r.meanRewardLast50.toFixed(3)}, KL to ref ${r.klToRef.toFixed(3)}, ${r.wallSeconds.toFixed(2)} s`,
        );
        return r;
      }),
    );
  grpo
    .command('lm')
    .description(
      'SFT warm start + GRPO with LoRA on the tiny LM: a verifiable task (addition or word reversal), exact-match reward, held-out accuracy of base, SFT and GRPO model',
    )
    .option('--model <dir>', "model folder, or 'lm' for the shipped model", 'lm')
    .option('--task <name>', `verifiable task: ${Object.keys(LM_TASKS).join(', ')}`, 'reverse')
    .option('--steps <n>', 'GRPO steps (8 prompts x 8 samples each)', '1000')
    .option('--r <n>', 'LoRA rank', '8')
    .option('--targets <list>', 'LoRA target modules', 'wq,wk,wv,wo')
    .option('--eval <n>', 'held-out problems for the accuracy', '200')
    .option('--loss-type <type>', `loss aggregation: ${LOSS_TYPES.join(', ')}`, 'dapo')
    .option('--beta <x>', 'KL coefficient (0: no reference model)', '0.02')
    .option('--temperature <x>', 'sampling temperature; the trained policy is softmax(logits / temperature)', '1')
    .option('--partial-credit <w>', 'weight of a character partial-credit reward added to exact match (0 = off)', '0')
    .option(
      '--warm-start <steps>',
      `SFT warm-start steps (the maximum when a target accuracy is set) before GRPO, 0 = none (default per task: ${presetList((w) => w.steps)})`,
    )
    .option('--warm-examples <n>', 'training problems in the SFT text', '20000')
    .option(
      '--warm-target <acc>',
      `end the warm start once greedy accuracy on ${CHECK_PROBLEMS} training problems reaches this, 0 = run all steps (default per task: ${presetList((w) => w.targetAccuracy)})`,
    )
    .option('--warm-lr <x>', `SFT peak learning rate (default per task: ${presetList((w) => w.lr)})`)
    .option(
      '--warm-rank <r>',
      `SFT LoRA rank, merged before GRPO; 0 fine-tunes every weight (default per task: ${presetList((w) => w.r)})`,
    )
    .option('--checkpoint <dir>', 'GRPO checkpoint folder (LoRA weights, AdamW moments, RNG, step)')
    .option('--resume', 'continue from --checkpoint if it holds a checkpoint')
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(lmSchema, raw);
        const r = await runLmGrpo({
          modelDir: o.model === 'lm' ? shippedModelDir() : o.model,
          task: o.task,
          steps: o.steps,
          seed: ctx.seed,
          r: o.r,
          targetModules: o.targets.split(','),
          evalProblems: o.eval,
          temperature: o.temperature,
          partialCredit: o.partialCredit,
          warmStart: {
            ...WARM_START_PRESETS[o.task],
            examples: o.warmExamples,
            ...(o.warmStart !== undefined && { steps: o.warmStart }),
            ...(o.warmLr !== undefined && { lr: o.warmLr }),
            ...(o.warmRank !== undefined && { r: o.warmRank }),
            ...(o.warmTarget !== undefined && { targetAccuracy: o.warmTarget > 0 ? o.warmTarget : undefined }),
          },
          config: {
            lossType: o.lossType,
            beta: o.beta,
            logEvery: 10,
            checkpointEvery: o.checkpoint ? Math.min(10, o.steps) : 0,
          },
          checkpointPath: o.checkpoint,
          resume: o.resume,
          log: ctx.log,
        });
        ctx.log(
          `grpo lm (${r.task}): held-out greedy accuracy base ${r.heldOutAccuracyBase.toFixed(3)}, GRPO start ` +
            `${r.heldOutAccuracyBefore.toFixed(3)} -> after GRPO ${r.heldOutAccuracyAfter.toFixed(3)}; sampled ` +
            `${r.sampledAccuracyBefore.toFixed(3)} -> ${r.sampledAccuracyAfter.toFixed(3)} ` +
            `(${r.evalProblems} problems), train reward ${r.trainRewardFirst10.toFixed(3)} -> ${r.trainRewardLast10.toFixed(3)}, ` +
            `${r.tokensPerSecond.toFixed(0)} tokens/s, ${r.wallSeconds.toFixed(1)} s`,
        );
        return r;
      }),
    );
}
