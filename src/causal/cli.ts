/**
 * `modelmath causal run`: the four-stage causal pipeline (cold start -> do(a) counterfactual
 * augmentation -> SFT -> GRPO) and the pure-RL baseline on the pushing SCM. With --json prints
 * {"stages": {coldStart, sftReal, sftAugmented, rl}, "pureRl"}.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { ConfigError } from '../core/errors.js';
import {
  CAUSAL_DEFAULTS,
  CAUSAL_PRESETS,
  type CausalConfig,
  runCausalPipeline,
  STAGES,
  type StageResult,
} from './pipeline.js';

const runSchema = z.object({
  stages: z.string().optional(),
  real: numberFlag.pipe(z.number().int().min(1).max(1000)).optional(),
  rlSteps: numberFlag.pipe(z.number().int().min(0).max(100_000)).optional(),
  evalEpisodes: numberFlag.pipe(z.number().int().min(1).max(100_000)).optional(),
  quick: z.boolean().optional(),
});

/** Parses `--stages a,b,c` against the known stage names. */
export function parseStages(text: string): CausalConfig['stages'] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length)
    throw new ConfigError(`--stages must list stages (${STAGES.join(', ')}), got ${JSON.stringify(text)}`);
  for (const n of names) {
    if (!(STAGES as readonly string[]).includes(n)) {
      throw new ConfigError(`--stages: unknown stage ${JSON.stringify(n)}; expected some of ${STAGES.join(', ')}`);
    }
  }
  return names as CausalConfig['stages'];
}

function row(name: string, r: StageResult | undefined): string {
  if (!r) return '';
  const s = r.samples;
  const rej = s.rejected;
  return (
    `${name.padEnd(13)} success ${r.successRate.toFixed(3)}  collision ${r.collisionRate.toFixed(3)}  ` +
    `force ${r.meanForce.toFixed(2)}  real ${s.real}  generated ${s.generated}  rejected ` +
    `collision/slip/invalid/noProgress ${rej.collision}/${rej.slip}/${rej.invalid}/${rej.noProgress}  ` +
    `pos ${s.positive} neg ${s.negative}  env steps ${r.budgetEnvSteps}`
  );
}

export function register(program: Command): void {
  const causal = program.command('causal').description('causal counterfactual augmentation on a pushing task (SCM)');
  causal
    .command('run')
    .description('cold start -> do(a) counterfactuals + rejection sampling -> SFT -> GRPO, and a pure-RL baseline')
    .option('--stages <list>', `comma-separated stages: ${STAGES.join(',')}`, STAGES.join(','))
    .option('--real <n>', `real cold-start trajectories (default ${CAUSAL_DEFAULTS.realTrajectories})`)
    .option('--rl-steps <n>', `GRPO steps of stage 4 (default ${CAUSAL_DEFAULTS.rlSteps})`)
    .option('--eval-episodes <n>', `evaluation episodes per stage (default ${CAUSAL_DEFAULTS.evalEpisodes})`)
    .option('--quick', 'small settings (seconds)')
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(runSchema, raw);
        const cfg: Partial<CausalConfig> = {
          ...(o.quick ? CAUSAL_PRESETS.quick : {}),
          stages: parseStages(o.stages ?? STAGES.join(',')),
          ...(o.real !== undefined && { realTrajectories: o.real }),
          ...(o.rlSteps !== undefined && { rlSteps: o.rlSteps }),
          ...(o.evalEpisodes !== undefined && { evalEpisodes: o.evalEpisodes }),
        };
        const r = await runCausalPipeline(cfg, ctx.seed, ctx.log);
        for (const [name, st] of Object.entries(r.stages)) ctx.log(row(name, st));
        if (r.pureRl) ctx.log(row('pureRl', r.pureRl));
        const stages: Record<string, unknown> = { ...r.stages };
        if (r.stages.sftAugmented && r.augment) {
          stages.sftAugmented = {
            ...r.stages.sftAugmented,
            counterfactual: { meanBlockError: r.augment.cfMeanBlockError, labelAgreement: r.augment.cfLabelAgreement },
          };
        }
        return { stages, pureRl: r.pureRl ?? null };
      }),
    );
}
