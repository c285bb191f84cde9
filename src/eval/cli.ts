/**
 * `modelmath eval --model lm|DIR --text FILE [--context N --stride S] [--adapter DIR]`: cross-entropy,
 * perplexity and bits per byte of a text under the shipped tiny LM, a tiny-LM folder, or an ONNX
 * causal LM (a .onnx file or a folder with model.onnx).
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';

const evaluate = defineCommand({
  name: 'eval',
  summary: 'cross-entropy (nats/token), perplexity and bits per byte of a text under a causal LM',
  options: z.object({
    model: z
      .string()
      .min(1)
      .describe("'lm' (the shipped tiny LM), a tiny-LM folder, or an ONNX causal LM (.onnx file or folder)")
      .meta({ placeholder: 'lm|dir' }),
    text: z.string().min(1).describe('UTF-8 text to score').meta({ placeholder: 'file' }),
    adapter: z
      .string()
      .optional()
      .describe('PEFT LoRA/DoRA adapter folder to apply (tiny LM only)')
      .meta({ placeholder: 'dir' }),
    context: z
      .number()
      .int()
      .min(2)
      .max(1_000_000)
      .optional()
      .describe("tokens per forward pass (default: the model's context length)"),
    stride: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe(
        'new tokens scored per window, <= context - 1; smaller = more history per token (default: context - 1)',
      ),
  }),
  examples: ['modelmath eval --model lm --text assets/lm/corpus/pretrain.valid.txt'],
  async run(o) {
    const { openCausalLm, readText } = await import('./open.js');
    const { evaluateText } = await import('./evaluate.js');
    const text = readText(o.text);
    const lm = await openCausalLm(o.model, o.adapter);
    try {
      const r = await evaluateText(lm, text, { context: o.context, stride: o.stride });
      return {
        data: { model: lm.name, text: o.text, ...r },
        text:
          `${lm.name}: ${r.tokens} tokens, cross-entropy ${r.crossEntropy.toFixed(4)} nats/token, ` +
          `perplexity ${r.perplexity.toFixed(3)}, ${r.bitsPerByte.toFixed(4)} bits/byte`,
      };
    } finally {
      await lm.dispose();
    }
  },
});

export const commands = [evaluate];
