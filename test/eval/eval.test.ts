import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { buildModel } from '../../src/core/onnx-graph.js';
import { Rng } from '../../src/core/rng.js';
import {
  type CausalLm,
  evaluateText,
  lmMetrics,
  onnxCausalLm,
  slidingWindows,
  tinyCausalLm,
  tokenNll,
} from '../../src/eval/index.js';
import {
  byteTokenizer,
  crossEntropyLoss,
  encodeBytes,
  saveTinyLm,
  TINY_LM_DEFAULTS,
  TINY_LM_PRESETS,
  tinyLmForward,
  tinyLmInit,
} from '../../src/lm/index.js';

/** A causal LM whose logits come from a function of the previous token (a bigram model). */
function bigramLm(table: Float32Array, V: number, contextLength = 8, bos?: number): CausalLm {
  return {
    name: 'bigram',
    vocabSize: V,
    contextLength,
    bos,
    tokenizer: byteTokenizer,
    async logits(ids) {
      const out = new Float32Array(ids.length * V);
      for (let t = 0; t < ids.length; t++) out.set(table.subarray(ids[t] * V, (ids[t] + 1) * V), t * V);
      return out;
    },
    async dispose() {},
  };
}

/** Closed form: sum over t >= 1 of -ln softmax(table[ids[t-1]])[ids[t]], in Float64. */
function bigramNats(table: Float32Array, V: number, ids: Int32Array): number {
  let s = 0;
  for (let t = 1; t < ids.length; t++) {
    const row = Array.from(table.subarray(ids[t - 1] * V, ids[t - 1] * V + V));
    const m = Math.max(...row);
    s += m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) - row[ids[t]];
  }
  return s;
}

/**
 * A causal LM that predicts the token `lag` positions back, when its window holds it (logit 20 on
 * it, 0 elsewhere), and is uniform otherwise: its score depends on how much history a window keeps.
 */
function copyLm(lag: number, V: number, contextLength: number): CausalLm {
  return {
    name: `copy-${lag}`,
    vocabSize: V,
    contextLength,
    tokenizer: byteTokenizer,
    async logits(ids) {
      const out = new Float32Array(ids.length * V);
      for (let p = 0; p < ids.length; p++) {
        const source = p + 1 - lag; // row p predicts token p + 1 of the window
        if (source >= 0) out[p * V + ids[source]] = 20;
      }
      return out;
    },
    async dispose() {},
  };
}

describe('the sliding window keeps history', () => {
  it('a model that needs `lag` tokens of history is scored as if it saw them (context - stride >= lag)', async () => {
    const V = 256;
    const lag = 6;
    const text = 'abcdef'.repeat(12); // every token equals the one 6 back
    const ids = encodeBytes(text);
    // independent closed form: targets 1..lag-1 have no source (uniform), every later target is predicted
    const hit = Math.log(Math.exp(20) + V - 1) - 20;
    const expected = (lag - 1) * Math.log(V) + (ids.length - lag) * hit;
    for (const [context, stride] of [
      [16, 10],
      [16, 4],
      [8, 2],
    ]) {
      const r = await evaluateText(copyLm(lag, V, 16), text, { context, stride });
      expect(r.crossEntropy * r.tokens, `context ${context}, stride ${stride}`).toBeCloseTo(expected, 6);
    }
    // with less history than the lag, later targets fall back to uniform: the score must get worse
    const short = await evaluateText(copyLm(lag, V, 16), text, { context: 4, stride: 3 });
    expect(short.crossEntropy * short.tokens).toBeGreaterThan(expected + 10);
  });
});

describe('metric functions', () => {
  it('a uniform model has perplexity = vocabulary size and 8 bits per byte over 256 bytes', async () => {
    const lm = bigramLm(new Float32Array(256 * 256), 256, 16, 10);
    const text = 'The cat sees a red ball.\n12+34=46\n';
    const r = await evaluateText(lm, text, { stride: 5 });
    expect(r.tokens).toBe(text.length);
    expect(r.crossEntropy).toBeCloseTo(Math.log(256), 10);
    expect(r.perplexity).toBeCloseTo(256, 6);
    expect(r.bitsPerByte).toBeCloseTo(8, 10);
  });

  it('bits per byte = total nats / ln 2 / UTF-8 bytes (multi-byte text)', () => {
    const m = lmMetrics(100, 40, 25);
    expect(m.crossEntropy).toBe(2.5);
    expect(m.bitsPerByte).toBeCloseTo(100 / Math.LN2 / 25, 12);
    expect(m.bitsPerToken).toBeCloseTo(2.5 / Math.LN2, 12);
    expect(m.perplexity).toBeCloseTo(Math.exp(2.5), 12);
    expect(() => lmMetrics(1, 0, 1)).toThrow(/tokens/);
    expect(tokenNll(Float32Array.from([0, 0]), 1)).toBeCloseTo(Math.LN2, 12);
    expect(() => tokenNll(Float32Array.from([0, 0]), 2)).toThrow(/outside the vocabulary/);
  });

  it('sliding windows score every token 1..n-1 exactly once with at most `context` tokens (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 2, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        (n, context, s) => {
          const stride = Math.min(s, context - 1);
          const seen = new Int32Array(n);
          for (const w of slidingWindows(n, context, stride)) {
            if (w.end - w.begin > context || w.scoreFrom <= w.begin) return false;
            for (let t = w.scoreFrom; t < w.end; t++) seen[t]++;
          }
          return seen[0] === 0 && seen.subarray(1).every((c) => c === 1);
        },
      ),
    );
    expect(() => slidingWindows(10, 4, 4)).toThrow(/stride \(4\) must be at most context - 1/);
  });

  it('a bigram model gives the closed-form cross-entropy for any stride (its history is one token)', async () => {
    const V = 256;
    const table = new Rng(1).normals(V * V);
    const text = 'a small red circle at top left on snow\nthe dog runs.\n';
    const ids = encodeBytes(text);
    const want = bigramNats(table, V, ids) / (ids.length - 1);
    for (const stride of [1, 3, 7]) {
      const r = await evaluateText(bigramLm(table, V, 8), text, { stride });
      expect(r.tokens).toBe(ids.length - 1);
      expect(r.crossEntropy).toBeCloseTo(want, 5);
    }
    await expect(evaluateText(bigramLm(table, V, 8), text, { context: 9 })).rejects.toThrow(
      /exceeds the model's context/,
    );
  });
});

describe('causal LMs', () => {
  it('the tiny LM: windowed evaluation equals the engine loss on [BOS, text] when the text fits one window', async () => {
    const tf = await getTf();
    const config = { ...TINY_LM_DEFAULTS, ...TINY_LM_PRESETS.test };
    const params = tinyLmInit(new Rng(2), config);
    const dir = join(mkdtempSync(join(tmpdir(), 'eval-lm-')), 'model');
    await saveTinyLm(dir, params, config);
    const lm = await tinyCausalLm(dir);
    const text = 'The cat. 1+2=3\n';
    const r = await evaluateText(lm, text);
    const ids = Int32Array.of(10, ...encodeBytes(text));
    const x = tf.tensor2d(ids.subarray(0, ids.length - 1), [1, ids.length - 1], 'int32');
    const y = tf.tensor2d(ids.subarray(1), [1, ids.length - 1], 'int32');
    const want = crossEntropyLoss(tinyLmForward(params, config, x), y).dataSync()[0];
    expect(r.tokens).toBe(text.length);
    expect(r.crossEntropy).toBeCloseTo(want, 4);
    await lm.dispose();
  });

  for (const withMask of [false, true]) {
    it(`an ONNX bigram LM (Gather of a logits table${withMask ? ', with attention_mask' : ''}) matches the closed form`, async () => {
      const V = 256;
      const table = new Rng(3).normals(V * V);
      const dir = mkdtempSync(join(tmpdir(), 'eval-onnx-'));
      const inputs = [{ name: 'input_ids', dtype: 'int64' as const, shape: ['batch', 'seq'] }];
      if (withMask) inputs.push({ name: 'attention_mask', dtype: 'int64' as const, shape: ['batch', 'seq'] });
      const bytes = buildModel({
        inputs,
        outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 'seq', V] }],
        nodes: [{ op: 'Gather', inputs: ['table', 'input_ids'], outputs: ['logits'], attrs: { axis: { i: 0 } } }],
        initializers: [{ name: 'table', dtype: 'float32', dims: [V, V], values: table }],
      });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.onnx'), bytes);
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ contextLength: 16, tokenizer: 'bytes' }));
      const lm = await onnxCausalLm(dir);
      const text = 'The old fox waits by the sea. 7+8=15\n';
      const ids = encodeBytes(text);
      const r = await evaluateText(lm, text, { context: 16, stride: 4 });
      expect(r.tokens).toBe(ids.length - 1);
      expect(r.crossEntropy).toBeCloseTo(bigramNats(table, V, ids) / (ids.length - 1), 5);
      // no BOS: byte 0 is never scored, so it is not in the per-byte average either
      expect(r.bytes).toBe(ids.length - 1);
      expect(r.bitsPerByte).toBeCloseTo(bigramNats(table, V, ids) / Math.LN2 / (ids.length - 1), 5);
      expect(r.bitsPerByte).toBeCloseTo(r.bitsPerToken, 10);
      await lm.dispose();
    });
  }
});
