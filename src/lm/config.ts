/**
 * The tiny LM's settings, declared once (nanoGPT's GPTConfig + train.py knobs): the model shape
 * and the training run, each a zod schema with every field's meaning, default and range. The
 * library validates with them, `modelmath lm train|finetune` derives its flags from them.
 */
import { z } from 'zod';
import { parseConfig } from '../core/config.js';
import { ROPE_LAYOUTS } from '../rope/index.js';

export const tinyLmConfigSchema = z
  .object({
    vocabSize: z.number().int().min(2).default(256).describe('vocabulary size V (256 for the byte tokenizer)'),
    blockSize: z.number().int().min(2).max(4096).default(64).describe('context length T (positions 0..T-1)'),
    nLayer: z.number().int().min(1).max(64).default(4).describe('transformer blocks L'),
    nHead: z.number().int().min(1).default(4).describe('attention heads H (dim / H must be an even head size)'),
    dim: z.number().int().min(2).default(64).describe('model width D'),
    mlpRatio: z.number().int().min(1).max(16).default(4).describe('MLP hidden width as a multiple of D'),
    ropeBase: z.number().gt(1).default(10000).describe('RoPE base'),
    ropeLayout: z
      .enum(ROPE_LAYOUTS)
      .default('half')
      .describe("RoPE pairing ('half' as Hugging Face Llama checkpoints)"),
  })
  .superRefine((c, ctx) => {
    const dh = c.dim / c.nHead;
    if (!Number.isInteger(dh) || dh % 2 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['dim'],
        message: `must split into nHead = ${c.nHead} heads of even integer head size (dim / nHead = ${dh})`,
      });
    }
  });
export type TinyLmConfig = z.output<typeof tinyLmConfigSchema>;

export const TINY_LM_DEFAULTS: TinyLmConfig = tinyLmConfigSchema.parse({});

/** Presets merged over the defaults: 'test' is a one-block model for tests. */
export const TINY_LM_PRESETS: Record<'default' | 'test', Partial<TinyLmConfig>> = {
  default: {},
  test: { blockSize: 16, nLayer: 1, nHead: 2, dim: 16, mlpRatio: 2 },
};

/** Checks every field and the cross-field rules (ConfigError naming the field). */
export function validateTinyLmConfig(c: TinyLmConfig): TinyLmConfig {
  return parseConfig(tinyLmConfigSchema, c);
}

export const lmTrainConfigSchema = z.object({
  steps: z.number().int().min(1).max(10_000_000).default(1500).describe('optimiser steps'),
  batchSize: z.number().int().min(1).max(4096).default(16).describe('windows per batch B'),
  lr: z.number().gt(0).max(1).default(3e-3).describe('peak learning rate after warm-up (LoRA: 1e-2 works for r = 8)'),
  warmupSteps: z.number().int().min(0).default(50).describe('linear warm-up steps (cut to the run length)'),
  floorRatio: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('final learning rate as a fraction of the peak (cosine floor)'),
  weightDecay: z.number().min(0).default(0.01).describe('AdamW decoupled weight decay on matrices'),
  clipNorm: z.number().positive().default(1).describe('global gradient-norm clip'),
  evalEvery: z.number().int().min(1).default(100).describe('validation loss every n steps (and at the end)'),
  evalWindows: z
    .number()
    .int()
    .min(1)
    .default(32)
    .describe('validation windows (from the start of the validation text)'),
  checkpointEvery: z.number().int().min(1).default(100).describe('checkpoint every n steps'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0)
    .describe('seed of the batch sampler'),
});
export type LmTrainConfig = z.output<typeof lmTrainConfigSchema>;

export const LM_TRAIN_DEFAULTS: LmTrainConfig = lmTrainConfigSchema.parse({});

/** Checks every field (ConfigError naming it). */
export function validateLmTrainConfig(c: LmTrainConfig): LmTrainConfig {
  return parseConfig(lmTrainConfigSchema, c);
}
