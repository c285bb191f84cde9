/**
 * Exports the tiny LM (model.ts; a LoRA/DoRA adapter merged into its effective weights) as an ONNX
 * causal LM (opset 17) that `modelmath eval --model DIR` reads through src/eval/causal-lm.ts:
 * input_ids [B, T] (T <= blockSize) -> logits [B, T, 256]; RoPE tables (RoFormer eq. 13) and the
 * causal mask are constants for blockSize positions, sliced to T in the graph. config.json carries
 * the context length, the BOS byte ('\n') and the byte tokenizer. Checked in test/lm/export.test.ts.
 */
import { getTf } from '../core/engine.js';
import { OnnxGraphBuilder, writeModelFiles } from '../core/onnx-graph.js';
import { writeDirAtomic } from '../core/outputs.js';
import { loraView } from '../lora/index.js';
import { attentionOnnx, mlpOnnx, rmsNormOnnx, sliceRows, weight } from '../nn/onnx.js';
import { ropeTables } from '../rope/index.js';
import type { TinyLmConfig } from './config.js';
import { loadTinyLm } from './io.js';
import type { TinyLmParams } from './model.js';
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

/** The source of an export: a tiny-LM folder, an optional adapter, and how config.json names the source. */
export interface TinyLmSource {
  model: string;
  adapter?: string;
  /** How the source is named in config.json (default: its path). */
  label?: string;
}

/** model.onnx, config.json and README.md of the ONNX folder of a tiny-LM folder (and adapter). */
export async function tinyLmOnnxFiles(from: TinyLmSource): Promise<Record<string, string | Uint8Array>> {
  await getTf();
  const { params, config } = loadTinyLm(from.model, from.adapter);
  const source = from.label ?? from.model;
  return {
    'model.onnx': tinyLmGraph(params, config),
    'config.json': `${JSON.stringify(
      {
        architecture: 'modelmath-tiny-lm-onnx',
        contextLength: config.blockSize,
        bos: NEWLINE_ID,
        tokenizer: 'bytes',
        source: { model: source, adapter: from.adapter ?? null },
        ...config,
      },
      null,
      2,
    )}\n`,
    'README.md': `# Tiny LM as ONNX\n\nMade by \`modelmath lm export-onnx\` from ${source}${from.adapter ? ` + ${from.adapter}` : ''}: input_ids [B, T <= ${config.blockSize}] (bytes) -> logits [B, T, ${config.vocabSize}]; opset 17. Score a text with \`modelmath eval --model DIR --text FILE\`.\n`,
  };
}

/** Writes the ONNX folder of a tiny-LM folder (and adapter) to `dir` (library use; the CLI goes through its output contract). */
export async function exportTinyLmOnnx(dir: string, from: TinyLmSource): Promise<string[]> {
  const files = await tinyLmOnnxFiles(from);
  await writeDirAtomic(dir, (tmp) => writeModelFiles(tmp, files));
  return Object.keys(files).sort();
}
