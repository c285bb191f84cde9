/**
 * `modelmath grpo bandit | lm`: the lecture's GRPO script, and GRPO with LoRA on the tiny LM after
 * an SFT warm start. GRPO knobs come from grpo/config.ts's schema; `--task` picks the task's
 * warm-start preset (lm-config.ts), which explicit --warm-* flags override.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { grpoConfigSchema } from './config.js';
import { CHECK_PROBLEMS, LM_TASK_NAMES, type LmTaskName, WARM_START_PRESETS } from './lm-config.js';

const grpo = grpoConfigSchema.shape;

const bandit = defineCommand({
  name: 'bandit',
  summary: "the lecture's GRPO script: 32 prompts, 8 actions, reward prompt % 8 (group 8, batch 16, beta 0.05, k3)",
  options: z.object({
    steps: grpo.steps,
    engine: z
      .enum(['plain', 'tf'])
      .default('plain')
      .describe("back-propagation: 'plain' (hand-written gradients on Float32Array) or 'tf' (engine autodiff)"),
    lossType: grpo.lossType,
  }),
  examples: ['modelmath grpo bandit --steps 200', 'modelmath grpo bandit --engine tf --json'],
  async run(o, ctx) {
    const { runLectureBandit } = await import('./lecture.js');
    const vjp =
      o.engine === 'tf'
        ? (await import('./bandit-tf.js')).banditVjpTf(await (await import('../core/engine.js')).getTf())
        : undefined;
    const { accuracyCurve: _curve, ...r } = await runLectureBandit({
      steps: o.steps,
      seed: ctx.seed,
      vjp,
      config: { lossType: o.lossType },
    });
    return {
      data: r,
      text:
        `grpo bandit seed ${ctx.seed}: greedy accuracy ${r.greedyAccuracy.toFixed(3)}, mean reward (last 50) ` +
        `${r.meanRewardLast50.toFixed(3)}, KL to ref ${r.klToRef.toFixed(3)}, ${r.wallSeconds.toFixed(2)} s`,
    };
  },
});

/** Each task's warm start as flag values (its preset). */
const warmFlags = (task: LmTaskName) => {
  const w = WARM_START_PRESETS[task];
  return { warmStart: w.steps, warmLr: w.lr, warmRank: w.r, warmTarget: w.targetAccuracy ?? 0 };
};

const lm = defineCommand({
  name: 'lm',
  summary:
    'SFT warm start + GRPO with LoRA on the tiny LM: a verifiable task, exact-match reward, held-out accuracy before and after',
  options: z.object({
    model: z
      .string()
      .min(1)
      .default('lm')
      .describe("model folder, or 'lm' for the shipped model")
      .meta({ placeholder: 'dir' }),
    task: z
      .enum(LM_TASK_NAMES)
      .default('reverse')
      .describe(
        'verifiable task (also picks the warm-start preset: addition = LoRA r 8 to 0.5, reverse = full fine-tune to 0.3)',
      ),
    steps: grpo.steps,
    r: z.number().int().min(1).max(256).default(8).describe('LoRA rank of the GRPO policy'),
    targetModules: z.array(z.string().min(1)).min(1).default(['wq', 'wk', 'wv', 'wo']).describe('LoRA target modules'),
    eval: z.number().int().min(1).max(1000).default(200).describe('held-out problems for the accuracy'),
    lossType: grpo.lossType,
    beta: grpo.beta,
    temperature: z
      .number()
      .gt(0)
      .max(10)
      .default(1)
      .describe('sampling temperature; the trained policy is softmax(logits / temperature)'),
    partialCredit: z
      .number()
      .min(0)
      .max(10)
      .default(0)
      .describe('weight of a character partial-credit reward added to exact match (0 = off)'),
    warmStart: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .describe('SFT warm-start steps before GRPO, the maximum when a target is set (0 = none)'),
    warmExamples: z.number().int().min(10).max(1_000_000).default(20000).describe('training problems in the SFT text'),
    warmLr: z.number().gt(0).max(1).describe('SFT peak learning rate'),
    warmRank: z.number().int().min(0).max(256).describe('SFT LoRA rank, merged before GRPO; 0 fine-tunes every weight'),
    warmTarget: z
      .number()
      .min(0)
      .max(1)
      .describe(
        `end the warm start once greedy accuracy on ${CHECK_PROBLEMS} training problems reaches this (0 = run all steps)`,
      ),
  }),
  presets: { option: 'task', values: { addition: warmFlags('addition'), reverse: warmFlags('reverse') } },
  defaults: { lossType: 'dapo', beta: 0.02 },
  out: {
    kind: 'dir',
    describe: 'folder for checkpoint/ (continue with --resume) and result.json',
    optional: true,
    claims: ['checkpoint/'],
  },
  resumable: true,
  examples: [
    'modelmath grpo lm --steps 2 --warm-start 2 --eval 4',
    'modelmath grpo lm --task addition --out grpo-addition',
  ],
  async run(o, ctx) {
    const { join } = await import('node:path');
    const { runLmGrpo } = await import('./lm-task.js');
    const { shippedModelDir } = await import('../lm/index.js');
    const r = await runLmGrpo({
      modelDir: o.model === 'lm' ? shippedModelDir() : o.model,
      task: o.task,
      steps: o.steps,
      seed: ctx.seed,
      r: o.r,
      targetModules: o.targetModules,
      evalProblems: o.eval,
      temperature: o.temperature,
      partialCredit: o.partialCredit,
      warmStart: {
        ...WARM_START_PRESETS[o.task],
        steps: o.warmStart,
        examples: o.warmExamples,
        lr: o.warmLr,
        r: o.warmRank,
        targetAccuracy: o.warmTarget > 0 ? o.warmTarget : undefined,
      },
      config: {
        lossType: o.lossType,
        beta: o.beta,
        logEvery: 10,
        checkpointEvery: ctx.out ? Math.min(10, o.steps) : 0,
      },
      checkpointPath: ctx.out ? join(ctx.out, 'checkpoint') : undefined,
      resume: ctx.resume,
      log: ctx.log,
    });
    if (ctx.out) (await import('../core/outputs.js')).writeJsonAtomic(join(ctx.out, 'result.json'), r);
    return {
      data: r,
      text:
        `grpo lm (${r.task}): held-out greedy accuracy base ${r.heldOutAccuracyBase.toFixed(3)}, GRPO start ` +
        `${r.heldOutAccuracyBefore.toFixed(3)} -> after GRPO ${r.heldOutAccuracyAfter.toFixed(3)}; sampled ` +
        `${r.sampledAccuracyBefore.toFixed(3)} -> ${r.sampledAccuracyAfter.toFixed(3)} ` +
        `(${r.evalProblems} problems), train reward ${r.trainRewardFirst10.toFixed(3)} -> ${r.trainRewardLast10.toFixed(3)}, ` +
        `${r.tokensPerSecond.toFixed(0)} tokens/s, ${r.wallSeconds.toFixed(1)} s`,
    };
  },
});

export const commands = [
  { name: 'grpo', summary: 'GRPO: the lecture minimal trainer, its variants, and an LM task', commands: [bandit, lm] },
];
