/**
 * `modelmath lm ...`: generate the corpus, pre-train the tiny LM, LoRA/DoRA fine-tune it on a
 * second domain, and sample from it. Options are validated by zod (ConfigError naming the flag);
 * results print as one JSON object with --json, progress goes to stderr.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { getTf } from '../core/engine.js';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { disposeParams } from '../nn/index.js';
import { exportTinyLmOnnx } from './export.js';
import { loadTinyLm, shippedModelDir } from './io.js';
import { TINY_LM_PRESETS } from './model.js';
import { finetuneLora, mergeAdapter, pretrain, writeCorpus } from './pipeline.js';
import { sampleTokens } from './sample.js';
import { byteTokenizer } from './tokenizer.js';

const int = (min: number, max: number) => numberFlag.pipe(z.number().int().min(min).max(max));
const positive = numberFlag.pipe(z.number().positive());

const trainFlags = {
  steps: int(1, 1_000_000),
  batchSize: int(1, 4096),
  lr: positive.pipe(z.number().max(1)),
  warmupSteps: int(0, 1_000_000),
  evalEvery: int(1, 1_000_000),
  checkpoint: z.string().optional(),
  resume: z.boolean().optional(),
};

const trainSchema = z.object({
  data: z.string(),
  valid: z.string(),
  preset: z.enum(['default', 'test']),
  dim: int(2, 4096).optional(),
  nLayer: int(1, 64).optional(),
  nHead: int(1, 256).optional(),
  blockSize: int(2, 4096).optional(),
  ...trainFlags,
});

const finetuneSchema = z.object({
  model: z.string(),
  data: z.string(),
  valid: z.string(),
  originalValid: z.string().optional(),
  r: int(1, 1024),
  alpha: positive,
  dropout: numberFlag.pipe(z.number().min(0).max(0.99)),
  targets: z.string().min(1),
  dora: z.boolean().optional(),
  ...trainFlags,
});

const mergeSchema = z.object({ model: z.string(), adapter: z.string() });

const sampleSchema = z.object({
  model: z.string(),
  adapter: z.string().optional(),
  prompt: z.string(),
  maxTokens: int(1, 10_000),
  temperature: numberFlag.pipe(z.number().min(0).max(100)),
  topK: int(0, 100_000),
  multiline: z.boolean().optional(),
});

/** 'lm' names the shipped model; anything else is a model folder. */
export function resolveModelDir(model: string): string {
  return model === 'lm' ? shippedModelDir() : model;
}

function requireOut(out: string | undefined, what: string): string {
  if (!out) throw new ConfigError(`--out is required: the ${what} to write`);
  return out;
}

function addTrainFlags(cmd: Command, defaults: { steps: string; lr: string; batch: string }): Command {
  return cmd
    .option('--steps <n>', 'optimiser steps', defaults.steps)
    .option('--batch-size <n>', 'windows per batch', defaults.batch)
    .option('--lr <x>', 'peak learning rate (warm-up, then cosine to 0.1 x peak)', defaults.lr)
    .option('--warmup-steps <n>', 'linear warm-up steps', '50')
    .option('--eval-every <n>', 'validation loss every n steps', '100')
    .option('--checkpoint <dir>', 'checkpoint folder (weights, AdamW moments, RNG, step)')
    .option('--resume', 'continue from --checkpoint if it holds a checkpoint');
}

export function register(program: Command): void {
  const lm = program
    .command('lm')
    .description('tiny byte-level transformer LM with RoPE: corpus, train, finetune, sample');

  lm.command('corpus')
    .description('write the generated corpus (English + arithmetic for pre-training, toy captions) to --out')
    .action(
      action(async (_raw, ctx) => {
        const out = requireOut(ctx.out, 'corpus folder');
        const bytes = await writeCorpus(out, ctx.seed);
        ctx.log(`wrote ${Object.keys(bytes).length} files to ${out}`);
        return { out, bytes };
      }),
    );

  addTrainFlags(
    lm
      .command('train')
      .description('pre-train a fresh tiny LM on a text file; writes a model folder to --out')
      .requiredOption('--data <file>', 'training text')
      .requiredOption('--valid <file>', 'validation text')
      .option('--preset <name>', "model size: 'default' (4 layers, width 64) or 'test' (tiny)", 'default')
      .option('--dim <n>', 'override the model width D')
      .option('--n-layer <n>', 'override the number of blocks')
      .option('--n-head <n>', 'override the number of heads')
      .option('--block-size <n>', 'override the context length T'),
    { steps: '1500', lr: '3e-3', batch: '16' },
  ).action(
    action(async (raw, ctx) => {
      const o = parseOptions(trainSchema, raw);
      const out = requireOut(ctx.out, 'model folder');
      await getTf();
      const r = await pretrain({
        data: o.data,
        valid: o.valid,
        out,
        model: {
          ...(o.preset === 'test' ? TINY_LM_PRESETS.test : {}),
          ...(o.dim !== undefined && { dim: o.dim }),
          ...(o.nLayer !== undefined && { nLayer: o.nLayer }),
          ...(o.nHead !== undefined && { nHead: o.nHead }),
          ...(o.blockSize !== undefined && { blockSize: o.blockSize }),
        },
        train: { steps: o.steps, batchSize: o.batchSize, lr: o.lr, warmupSteps: o.warmupSteps, evalEvery: o.evalEvery },
        seed: ctx.seed,
        checkpointDir: o.checkpoint,
        resume: o.resume,
        command: `modelmath lm train ${process.argv.slice(4).join(' ')}`.trim(),
      });
      ctx.log(`trained ${r.parameters} parameters: valid loss ${r.validLoss.toFixed(4)} nats/byte -> ${out}`);
      return { out, ...r };
    }),
  );

  addTrainFlags(
    lm
      .command('finetune')
      .description('LoRA/DoRA fine-tuning of a model folder on a second text; writes a PEFT adapter to --out')
      .requiredOption('--data <file>', 'training text of the new domain')
      .requiredOption('--valid <file>', 'validation text of the new domain')
      .option('--model <dir>', "model folder, or 'lm' for the shipped model", 'lm')
      .option('--original-valid <file>', 'validation text of the original domain (measures forgetting)')
      .option('--r <n>', 'LoRA rank', '8')
      .option('--alpha <x>', 'LoRA alpha (scaling alpha / r)', '16')
      .option('--dropout <p>', 'dropout on the adapter input (not used by the merged-weight forward)', '0')
      .option('--targets <list>', 'comma-separated module names to adapt', 'wq,wk,wv,wo')
      .option('--dora', 'DoRA instead of LoRA'),
    { steps: '300', lr: '1e-2', batch: '16' },
  ).action(
    action(async (raw, ctx) => {
      const o = parseOptions(finetuneSchema, raw);
      const out = requireOut(ctx.out, 'adapter folder');
      await getTf();
      const r = await finetuneLora({
        model: resolveModelDir(o.model),
        data: o.data,
        valid: o.valid,
        originalValid: o.originalValid,
        out,
        lora: { r: o.r, alpha: o.alpha, dropout: o.dropout, targetModules: o.targets.split(','), useDora: !!o.dora },
        train: { steps: o.steps, batchSize: o.batchSize, lr: o.lr, warmupSteps: o.warmupSteps, evalEvery: o.evalEvery },
        seed: ctx.seed,
        checkpointDir: o.checkpoint,
        resume: o.resume,
        command: `modelmath lm finetune ${process.argv.slice(4).join(' ')}`.trim(),
      });
      ctx.log(
        `perplexity on the new domain ${r.before.perplexity.toFixed(3)} -> ${r.after.perplexity.toFixed(3)} ` +
          `with ${r.trainableParameters} trainable parameters -> ${out}`,
      );
      return { out, ...r };
    }),
  );

  lm.command('merge')
    .description('merge a LoRA/DoRA adapter into the weights; writes a plain model folder to --out')
    .requiredOption('--adapter <dir>', 'PEFT adapter folder')
    .option('--model <dir>', "model folder, or 'lm' for the shipped model", 'lm')
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(mergeSchema, raw);
        const out = requireOut(ctx.out, 'merged model folder');
        await getTf();
        const r = await mergeAdapter(resolveModelDir(o.model), o.adapter, out);
        ctx.log(
          `merged ${r.merged.length} layers; max |logit change| on a probe text ${r.maxLogitChange.toExponential(2)}`,
        );
        return { out, ...r };
      }),
    );

  lm.command('export-onnx')
    .description('export a tiny-LM folder (and adapter) as an ONNX causal LM that `eval --model DIR` reads')
    .option('--model <dir>', "model folder, or 'lm' for the shipped model", 'lm')
    .option('--adapter <dir>', 'PEFT adapter folder to merge in')
    .addHelpText('after', '\nExample: modelmath --out assets/lm/onnx lm export-onnx   (regenerates the shipped folder)')
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(z.object({ model: z.string().min(1), adapter: z.string().min(1).optional() }), raw);
        const out = requireOut(ctx.out, 'ONNX model folder');
        const files = await exportTinyLmOnnx(out, {
          model: resolveModelDir(o.model),
          adapter: o.adapter,
          label: o.model,
        });
        ctx.log(`lm export-onnx: ${files.join(', ')} -> ${out}`);
        return { out, files };
      }),
    );

  lm.command('sample')
    .description('continue a prompt with the tiny LM (stops at the end of the line unless --multiline)')
    .requiredOption('--prompt <text>', 'text to continue, e.g. "12+34="')
    .option('--model <dir>', "model folder, or 'lm' for the shipped model", 'lm')
    .option('--adapter <dir>', 'PEFT adapter folder to apply')
    .option('--max-tokens <n>', 'bytes to generate at most', '80')
    .option('--temperature <x>', 'softmax temperature (0 = greedy)', '0.8')
    .option('--top-k <n>', 'sample among the k most likely bytes (0 = all)', '40')
    .option('--multiline', 'keep generating past a newline')
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(sampleSchema, raw);
        await getTf();
        const { params, config } = loadTinyLm(resolveModelDir(o.model), o.adapter);
        try {
          const ids = sampleTokens(params, config, byteTokenizer.encode(o.prompt), new Rng(ctx.seed), {
            maxNewTokens: o.maxTokens,
            temperature: o.temperature,
            topK: o.topK,
            stopAtNewline: !o.multiline,
          });
          const completion = byteTokenizer.decode(ids);
          if (!ctx.json) process.stdout.write(`${o.prompt}${completion}${completion.endsWith('\n') ? '' : '\n'}`);
          return { prompt: o.prompt, completion };
        } finally {
          disposeParams(params);
        }
      }),
    );
}
