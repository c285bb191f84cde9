import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CausalLm, evaluateText, onnxCausalLm, tinyCausalLm } from '../../src/eval/index.js';
import { assetsDir, exportTinyLmOnnx, shippedModelDir } from '../../src/lm/index.js';
import { checkOnnxFiles } from '../support/onnx-checker.js';

const tmp = mkdtempSync(join(tmpdir(), 'lm-export-'));
const open: CausalLm[] = [];
afterAll(async () => {
  await Promise.all(open.map((m) => m.dispose()));
  rmSync(tmp, { recursive: true, force: true });
});
const keep = (m: CausalLm) => {
  open.push(m);
  return m;
};

const TEXT = readFileSync(join(assetsDir(), 'corpus', 'captions.valid.txt'), 'utf8').slice(0, 3000);

describe('tiny LM -> ONNX causal LM', () => {
  it('the shipped folder (assets/lm/onnx) is what `lm export-onnx` writes (byte for byte)', async () => {
    const dir = join(tmp, 'shipped');
    await exportTinyLmOnnx(dir, { model: shippedModelDir(), label: 'lm' });
    for (const name of ['model.onnx', 'config.json', 'README.md']) {
      expect(Buffer.compare(readFileSync(join(dir, name)), readFileSync(join(assetsDir(), 'onnx', name))), name).toBe(
        0,
      );
    }
  });
  it('logits equal the engine model for every length up to the context, and perplexity to 1e-4 relative', async () => {
    const engine = keep(await tinyCausalLm(shippedModelDir()));
    const onnx = keep(await onnxCausalLm(join(assetsDir(), 'onnx')));
    expect(onnx.contextLength).toBe(engine.contextLength);
    expect(onnx.bos).toBe(engine.bos);
    for (const t of [1, 7, engine.contextLength]) {
      const ids = Int32Array.from({ length: t }, (_, i) => (i * 37 + 11) % 256);
      const [a, b] = [await engine.logits(ids), await onnx.logits(ids)];
      expect(b.length).toBe(a.length);
      expect(a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)).toBeLessThan(1e-4);
    }
    const [pe, po] = [await evaluateText(engine, TEXT), await evaluateText(onnx, TEXT)];
    expect(Math.abs(po.perplexity / pe.perplexity - 1)).toBeLessThan(1e-4);
  });
  it('a LoRA adapter is merged into the exported weights', async () => {
    const adapter = join(assetsDir(), 'lora-captions');
    const dir = join(tmp, 'lora');
    await exportTinyLmOnnx(dir, { model: shippedModelDir(), adapter });
    const engine = keep(await tinyCausalLm(shippedModelDir(), adapter));
    const onnx = keep(await onnxCausalLm(dir));
    const [pe, po] = [await evaluateText(engine, TEXT), await evaluateText(onnx, TEXT)];
    expect(Math.abs(po.perplexity / pe.perplexity - 1)).toBeLessThan(1e-4);
    const base = await evaluateText(keep(await tinyCausalLm(shippedModelDir())), TEXT);
    expect(Math.abs(po.perplexity - base.perplexity)).toBeGreaterThan(1e-3); // the adapter changes the model
  });
  it('passes the reference onnx checker', () => {
    const r = checkOnnxFiles([join(assetsDir(), 'onnx', 'model.onnx')]);
    if (r.available) expect(r.ok, r.output).toBe(true);
  });
});
