/**
 * `modelmath causal run`: the four-stage causal pipeline (cold start -> do(a) counterfactual
 * augmentation -> SFT -> GRPO) and the pure-RL baseline on the pushing SCM.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { CAUSAL_PRESETS, causalConfigSchema } from './config.js';

const c = causalConfigSchema.shape;
const run = defineCommand({
  name: 'run',
  summary: 'cold start -> do(a) counterfactuals + rejection sampling -> SFT -> GRPO, and a pure-RL baseline',
  options: z.object({
    preset: z
      .enum(['default', 'quick'])
      .default('default')
      .describe(
        "'default' (the documented results) or 'quick' (8 trajectories, 200 SFT updates, 4 GRPO steps: seconds)",
      ),
    stages: c.stages,
    realTrajectories: c.realTrajectories,
    scriptedEpsilon: c.scriptedEpsilon,
    scriptedAggressive: c.scriptedAggressive,
    sftSteps: c.sftSteps,
    rlSteps: c.rlSteps,
    evalEpisodes: c.evalEpisodes,
    evalEvery: c.evalEvery,
    hidden: c.hidden,
  }),
  presets: { option: 'preset', values: CAUSAL_PRESETS },
  examples: ['modelmath causal run --preset quick', 'modelmath causal run --real-trajectories 4 --json'],
  async run(o, ctx) {
    const { runCausalPipeline } = await import('./pipeline.js');
    const { preset: _preset, ...config } = o;
    const r = await runCausalPipeline(config, ctx.seed, ctx.log);
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
