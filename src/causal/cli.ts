/**
 * `modelmath causal run`: the four-stage causal pipeline (cold start -> do(a) counterfactual
 * augmentation -> SFT -> GRPO) and the pure-RL baseline on the pushing SCM.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';

const STAGE_NAMES = ['coldStart', 'sftReal', 'sftAugmented', 'rl', 'pureRl'] as const;

const run = defineCommand({
  name: 'run',
  summary: 'cold start -> do(a) counterfactuals + rejection sampling -> SFT -> GRPO, and a pure-RL baseline',
  options: z.object({
    stages: z
      .array(z.enum(STAGE_NAMES))
      .min(1)
      .default([...STAGE_NAMES])
      .describe('stages to run'),
    real: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('real cold-start trajectories (default: 16; --quick: 8)'),
    rlSteps: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .optional()
      .describe('GRPO steps of stage 4 (default: 30; --quick: 4)'),
    evalEpisodes: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe('evaluation episodes per stage (default: 200; --quick: 50)'),
    quick: z.boolean().default(false).describe('small settings (seconds)'),
  }),
  examples: ['modelmath causal run --quick', 'modelmath causal run --real 4 --json'],
  async run(o, ctx) {
    const { CAUSAL_PRESETS, runCausalPipeline } = await import('./pipeline.js');
    const r = await runCausalPipeline(
      {
        ...(o.quick ? CAUSAL_PRESETS.quick : {}),
        stages: o.stages,
        ...(o.real !== undefined && { realTrajectories: o.real }),
        ...(o.rlSteps !== undefined && { rlSteps: o.rlSteps }),
        ...(o.evalEpisodes !== undefined && { evalEpisodes: o.evalEpisodes }),
      },
      ctx.seed,
      ctx.log,
    );
    type StageRow = NonNullable<typeof r.pureRl>;
    const row = (name: string, st: StageRow) => {
      const s = st.samples;
      const rej = s.rejected;
      return (
        `${name.padEnd(13)} success ${st.successRate.toFixed(3)}  collision ${st.collisionRate.toFixed(3)}  ` +
        `force ${st.meanForce.toFixed(2)}  real ${s.real}  generated ${s.generated}  rejected ` +
        `collision/slip/invalid/noProgress ${rej.collision}/${rej.slip}/${rej.invalid}/${rej.noProgress}  ` +
        `pos ${s.positive} neg ${s.negative}  env steps ${st.budgetEnvSteps}`
      );
    };
    const lines = Object.entries(r.stages).flatMap(([name, st]) => (st ? [row(name, st)] : []));
    if (r.pureRl) lines.push(row('pureRl', r.pureRl));
    const stages: Record<string, unknown> = { ...r.stages };
    if (r.stages.sftAugmented && r.augment) {
      stages.sftAugmented = {
        ...r.stages.sftAugmented,
        counterfactual: {
          meanBlockError: r.augment.cfMeanBlockError,
          labelAgreement: r.augment.cfLabelAgreement,
          uncertainLabels: r.augment.uncertainLabels,
        },
      };
    }
    return { data: { stages, pureRl: r.pureRl ?? null }, text: lines.join('\n') };
  },
});

export const commands = [
  { name: 'causal', summary: 'causal counterfactual augmentation on a pushing task (SCM)', commands: [run] },
];
