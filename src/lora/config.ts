/**
 * LoRA / DoRA settings, named as in PEFT's LoraConfig (camelCase), declared once as a zod schema:
 * LoRA (Hu et al. 2021), DoRA (Liu et al. 2024), rsLoRA scaling (Kalajdzievski 2023). The CLI's
 * fine-tuning flags come from these fields.
 */
import { z } from 'zod';
import { parseConfig } from '../core/config.js';

export const loraConfigSchema = z.object({
  r: z.number().int().min(1).default(8).describe('rank r of A [r, in] and B [out, r]'),
  alpha: z.number().positive().default(16).describe('alpha in the scaling s = alpha / r'),
  dropout: z.number().min(0).lt(1).default(0).describe("dropout on the adapter's input during training"),
  targetModules: z
    .array(z.string().min(1))
    .default([])
    .describe("module names (or name suffixes) to adapt, PEFT's target_modules"),
  useDora: z.boolean().default(false).describe('DoRA: learn a per-output magnitude and normalise the direction'),
  useRslora: z.boolean().default(false).describe('rsLoRA scaling alpha / sqrt(r) instead of alpha / r'),
});
export type LoraConfig = z.output<typeof loraConfigSchema>;

export const LORA_DEFAULTS: LoraConfig = loraConfigSchema.parse({});

/** Checks a (partial) config, fills defaults and returns it (ConfigError naming 'lora <field>'). */
export function validateLoraConfig(config: Partial<LoraConfig>): LoraConfig {
  try {
    return parseConfig(loraConfigSchema, config);
  } catch (err) {
    throw Object.assign(err as Error, { message: `lora ${(err as Error).message}` });
  }
}
