/**
 * RoPE settings, declared once: the base of the frequency ladder and the context-extension scalings
 * (linear: Chen et al. 2023; dynamic NTK: Hugging Face `dynamic`; YaRN: Peng et al. 2023; Llama 3.1:
 * Meta 2024). One zod schema per object, with each field's meaning, default and range; the CLI's
 * `rope freqs` flags and --help come from these fields.
 */
import { z } from 'zod';

/** How position is scaled to reach a context longer than the one the model was trained on. */
export const ROPE_SCALING_TYPES = ['linear', 'dynamic', 'yarn', 'llama3'] as const;
export type RopeScalingType = (typeof ROPE_SCALING_TYPES)[number];

/** Base of the geometric frequency ladder theta_j = base^(-2j/d) (RoFormer Eq. 15; Llama 3: 500000). */
export const ropeBaseSchema = z.number().gt(1).default(10000).describe('RoPE base of theta_j = base^(-2j/d)');

export const ropeScalingSchema = z
  .object({
    type: z
      .enum(ROPE_SCALING_TYPES)
      .describe(
        'context extension: linear (positions / s), dynamic (NTK base), yarn (NTK-by-parts), llama3 (3.1 bands)',
      ),
    factor: z.number().positive().describe("context-extension factor s = L' / L (Llama 3.1 uses 8)"),
    originalMaxPositions: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('pre-training context L (default: 8192 for llama3, 4096 otherwise)'),
    lowFreqFactor: z
      .number()
      .positive()
      .default(1)
      .describe('llama3: wavelengths longer than L / lowFreqFactor are fully interpolated'),
    highFreqFactor: z
      .number()
      .positive()
      .default(4)
      .describe('llama3: wavelengths shorter than L / highFreqFactor are kept'),
    betaFast: z.number().positive().default(32).describe('yarn: rotations over L above which a pair is kept (alpha)'),
    betaSlow: z
      .number()
      .positive()
      .default(1)
      .describe('yarn: rotations over L below which a pair is interpolated (beta)'),
    attentionFactor: z
      .number()
      .positive()
      .optional()
      .describe('yarn: multiplier of cos and sin (default 0.1 ln(s) + 1, YaRN Eq. 22; 1 for the others)'),
  })
  .refine((s) => s.highFreqFactor > s.lowFreqFactor, {
    path: ['highFreqFactor'],
    message: 'must be > lowFreqFactor',
  });

/** A scaling as given (defaults not yet filled). */
export type RopeScaling = z.input<typeof ropeScalingSchema>;
