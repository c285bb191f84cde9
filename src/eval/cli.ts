/**
 * `modelmath eval --model lm|DIR --text FILE [--context N --stride S] [--adapter DIR]`: cross-entropy,
 * perplexity and bits per byte of a text under the shipped tiny LM, a tiny-LM folder, or an ONNX
 * causal LM (a .onnx file or a folder with model.onnx). One JSON object with --json.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { ConfigError, InputError } from '../core/errors.js';
import { MODEL_CONFIG, shippedModelDir } from '../lm/index.js';
import { type CausalLm, onnxCausalLm, tinyCausalLm } from './causal-lm.js';
import { evaluateText } from './evaluate.js';

const schema = z.object({
  model: z.string().min(1),
  text: z.string().min(1),
  adapter: z.string().optional(),
  context: numberFlag.pipe(z.number().int().min(2).max(1_000_000)).optional(),
  stride: numberFlag.pipe(z.number().int().min(1).max(1_000_000)).optional(),
});

/** Opens `model`: 'lm' (shipped), a tiny-LM folder, an ONNX file or a folder with model.onnx. */
export async function openCausalLm(model: string, adapter?: string): Promise<CausalLm> {
  const path = model === 'lm' ? shippedModelDir() : model;
  if (!existsSync(path)) throw new InputError(`--model ${model}: no such file or folder`);
  const isDir = statSync(path).isDirectory();
  if (isDir && existsSync(join(path, MODEL_CONFIG)) && !existsSync(join(path, 'model.onnx'))) {
    return tinyCausalLm(path, adapter);
  }
  if (adapter) throw new ConfigError('--adapter applies to tiny-LM folders only, not to ONNX models');
  if (isDir && !existsSync(join(path, 'model.onnx'))) {
    throw new InputError(`--model ${model}: expected a tiny-LM folder (config.json) or an ONNX folder (model.onnx)`);
  }
  return onnxCausalLm(path);
}

function readText(path: string): string {
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`--text ${path}: cannot read text file (${(err as Error).message})`, { cause: err });
  }
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('cross-entropy (nats/token), perplexity and bits per byte of a text under a causal LM')
    .requiredOption(
      '--model <lm|dir>',
      "'lm' (shipped tiny LM), a tiny-LM folder, or an ONNX causal LM (.onnx or folder)",
    )
    .requiredOption('--text <file>', 'UTF-8 text to score')
    .option('--adapter <dir>', 'PEFT LoRA/DoRA adapter folder to apply (tiny LM only)')
    .option('--context <n>', "tokens per forward pass (default: the model's context length)")
    .option(
      '--stride <n>',
      'new tokens scored per window, <= context - 1; smaller = more history per token (default: context - 1)',
    )
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(schema, raw);
        const text = readText(o.text);
        const lm = await openCausalLm(o.model, o.adapter);
        try {
          const r = await evaluateText(lm, text, { context: o.context, stride: o.stride });
          ctx.log(
            `${lm.name}: ${r.tokens} tokens, cross-entropy ${r.crossEntropy.toFixed(4)} nats/token, ` +
              `perplexity ${r.perplexity.toFixed(3)}, ${r.bitsPerByte.toFixed(4)} bits/byte`,
          );
          return { model: lm.name, text: o.text, ...r };
        } finally {
          await lm.dispose();
        }
      }),
    );
}
