/**
 * Exports the tiny LM (model.ts; a LoRA/DoRA adapter merged into its effective weights) as an ONNX
 * causal LM (opset 17) that `modelmath eval --model DIR` reads through src/eval/causal-lm.ts:
 * input_ids [B, T] (T <= blockSize) -> logits [B, T, 256]; RoPE tables (RoFormer eq. 13) and the
 * causal mask are constants for blockSize positions, sliced to T in the graph. config.json carries
 * the context length, the BOS byte ('\n') and the byte tokenizer. Checked in test/lm/export.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../core/atomic.js';
import { getTf } from '../core/engine.js';
import { OnnxGraphBuilder } from '../core/onnx-graph.js';
import { loraView } from '../lora/index.js';
import { attentionOnnx, mlpOnnx, rmsNormOnnx, sliceRows, weight } from '../nn/onnx.js';
import { ropeTables } from '../rope/index.js';
import { loadTinyLm } from './io.js';
import type { TinyLmConfig, TinyLmParams } from './model.js';
import { NEWLINE_ID } from './tokenizer.js';

/** Additive causal mask [T, T]: 0 where key s <= query t, -1e9 above the diagonal (as nn/attention.ts). */
function causalMask(t: number): Float32Array {
  return Float32Array.from({ length: t * t }, (_, i) => (i % t > Math.floor(i / t) ? -1e9 : 0));
}

/** The ONNX graph of a tiny LM: input_ids [B, T] int64 -> logits [B, T, V] float32. */
export function tinyLmGraph(params: TinyLmParams, c: TinyLmConfig): Uint8Array {
  const p = loraView(params); // LoRA layers as their effective weights
  const g = new OnnxGraphBuilder();
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const t = g.op('Slice', [g.op('Shape', [ids]), g.int64('s1', [1]), g.int64('s2', [2])]); // [1]: T
  const dh = c.dim / c.nHead;
  const full = ropeTables(c.blockSize, dh, { base: c.ropeBase });
  const table = (name: string, values: Float32Array) => sliceRows(g, g.tensor(name, [c.blockSize, dh / 2], values), t);
  const rope = { tables: { cos: table('rope_cos', full.cos), sin: table('rope_sin', full.sin) }, layout: c.ropeLayout };
  const mask = sliceRows(g, g.tensor('causal_mask', [c.blockSize, c.blockSize], causalMask(c.blockSize)), t, [0, 1]);
  let x = g.op('Gather', [weight(g, 'tok_emb', p.tokEmb.table), ids], { axis: { i: 0 } }); // [B, T, D]
  p.blocks.forEach((b, i) => {
    const a = attentionOnnx(g, b.attn, rmsNormOnnx(g, b.ln1, x, `b${i}.ln1`), { rope, mask, hint: `b${i}.attn` });
    x = g.op('Add', [x, a]);
    x = g.op('Add', [x, mlpOnnx(g, b.mlp, rmsNormOnnx(g, b.ln2, x, `b${i}.ln2`), { hint: `b${i}.mlp` })]);
  });
  const logits = g.op('MatMul', [rmsNormOnnx(g, p.lnF, x, 'ln_f'), weight(g, 'head', p.head.w)]);
  g.output('logits', 'float32', ['batch_size', 'sequence_length', c.vocabSize], logits);
  return g.build({ name: 'tiny_lm', doc: `modelmath tiny LM ${JSON.stringify(c)}` });
}

/** Writes model.onnx + config.json (+ README.md) of a tiny-LM folder (and adapter) to `dir`; returns the file names. */
export async function exportTinyLmOnnx(
  dir: string,
  from: {
    model: string;
    adapter?: string /** How the source is named in config.json (default: its path). */;
    label?: string;
  },
): Promise<string[]> {
  await getTf();
  const { params, config } = loadTinyLm(from.model, from.adapter);
  const files: Record<string, string | Uint8Array> = {
    'model.onnx': tinyLmGraph(params, config),
    'config.json': `${JSON.stringify(
      {
        architecture: 'modelmath-tiny-lm-onnx',
        contextLength: config.blockSize,
        bos: NEWLINE_ID,
        tokenizer: 'bytes',
        source: { model: from.label ?? from.model, adapter: from.adapter ?? null },
        ...config,
      },
      null,
      2,
    )}\n`,
    'README.md': `# Tiny LM as ONNX\n\nMade by \`modelmath lm export-onnx\` from ${from.label ?? from.model}${from.adapter ? ` + ${from.adapter}` : ''}: input_ids [B, T <= ${config.blockSize}] (bytes) -> logits [B, T, ${config.vocabSize}]; opset 17. Score a text with \`modelmath eval --model DIR --text FILE\`.\n`,
  };
  await writeDirAtomic(dir, (tmp) => {
    mkdirSync(tmp, { recursive: true });
    for (const [name, data] of Object.entries(files)) writeFileSync(join(tmp, name), data);
  });
  return Object.keys(files).sort();
}
