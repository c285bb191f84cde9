/**
 * The causal pipeline's settings, declared once: each field's meaning, default and range. The
 * library validates with this schema and `causal run`'s flags and --help come from it.
 */
import { z } from 'zod';

export const STAGES = ['coldStart', 'sftReal', 'sftAugmented', 'rl', 'pureRl'] as const;
export type Stage = (typeof STAGES)[number];

export const causalConfigSchema = z.object({
  realTrajectories: z.number().int().min(1).max(1000).default(16).describe('real cold-start trajectories (stage 1)'),
  scriptedEpsilon: z
    .number()
    .min(0)
    .max(1)
    .default(0.25)
    .describe('scripted cold-start policy: probability of a random action'),
  scriptedAggressive: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('scripted cold-start policy: probability of an over-long (aggressive) step'),
  evalEpisodes: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(200)
    .describe('evaluation episodes per stage (fixed starts)'),
  sftSteps: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1500)
    .describe('SFT minibatch updates of real-only SFT; augmented SFT gets the same passes over the real samples'),
  rlSteps: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(30)
    .describe('GRPO steps of stage 4 (8 starts x 8 episodes each)'),
  evalEvery: z.number().int().min(1).default(5).describe('evaluate the RL curves every this many GRPO steps'),
  hidden: z.number().int().min(1).max(4096).default(64).describe('hidden width of the policy MLP'),
  stages: z
    .array(z.enum(STAGES))
    .min(1)
    .default([...STAGES])
    .describe('stages to run (pureRl is the baseline)'),
});
export type CausalConfig = z.output<typeof causalConfigSchema>;

export const CAUSAL_DEFAULTS: Readonly<CausalConfig> = Object.freeze(causalConfigSchema.parse({}));
/** Named partial settings: 'quick' runs in seconds (tests, the CLI example). */
export const CAUSAL_PRESETS = {
  default: {},
  quick: { realTrajectories: 8, evalEpisodes: 50, sftSteps: 200, rlSteps: 4, evalEvery: 2 },
} as const satisfies Record<string, Partial<CausalConfig>>;
