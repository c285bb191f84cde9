import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Tf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import {
  crossEntropyLoss,
  encodeBytes,
  generateCorpus,
  LM_TRAIN_DEFAULTS,
  loadTinyLm,
  pickToken,
  readLmConfig,
  sampleTokens,
  saveTinyLm,
  TINY_LM_DEFAULTS,
  TINY_LM_PRESETS,
  type TinyLmConfig,
  tinyLmForward,
  tinyLmInit,
  trainTinyLm,
  validateTinyLmConfig,
} from '../../src/lm/index.js';
import { addLora, loraParamCount } from '../../src/lora/index.js';
import { flattenParams } from '../../src/nn/index.js';

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});
const cfg: TinyLmConfig = { ...TINY_LM_DEFAULTS, ...TINY_LM_PRESETS.test };

describe('tiny LM model', () => {
  it('maps [B, T] ids to [B, T, V] logits with loss near ln V + var(logits) / 2 at init', () => {
    const p = tinyLmInit(new Rng(0), cfg);
    const rng = new Rng(1);
    const ids = tf.tensor2d(
      Int32Array.from({ length: 2 * 16 }, () => rng.int(256)),
      [2, 16],
      'int32',
    );
    const logits = tinyLmForward(p, cfg, ids);
    expect(logits.shape).toEqual([2, 16, 256]);
    // for i.i.d. Gaussian logits of variance s2, E[CE] ~ ln V + s2 / 2 (log-normal mean of sum exp)
    const z = logits.dataSync() as Float32Array;
    const mean = z.reduce((a, v) => a + v, 0) / z.length;
    const s2 = z.reduce((a, v) => a + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(crossEntropyLoss(logits, ids).dataSync()[0] - (Math.log(256) + s2 / 2))).toBeLessThan(0.15);
    expect(() => tinyLmForward(p, cfg, tf.zeros([1, 17], 'int32'))).toThrow(/exceeds blockSize 16/);
    expect(() => tinyLmForward(p, cfg, tf.zeros([1, 4]))).toThrow(/int32/);
  });

  it('is causal: changing a later token leaves earlier logits unchanged', () => {
    const p = tinyLmInit(new Rng(2), cfg);
    const a = Int32Array.from([72, 101, 108, 108, 111, 32, 119, 111]);
    const b = a.slice();
    b[6] = 33;
    const la = tinyLmForward(p, cfg, tf.tensor2d(a, [1, 8], 'int32')).dataSync();
    const lb = tinyLmForward(p, cfg, tf.tensor2d(b, [1, 8], 'int32')).dataSync();
    for (let i = 0; i < 6 * 256; i++) expect(lb[i]).toBe(la[i]);
    expect(Math.max(...lb.slice(6 * 256).map((v, i) => Math.abs(v - la[6 * 256 + i])))).toBeGreaterThan(1e-4);
  });

  it('rejects inconsistent configs', () => {
    expect(() => validateTinyLmConfig({ ...cfg, dim: 18, nHead: 2 })).toThrow(/even integer head size/);
    expect(() => validateTinyLmConfig({ ...cfg, ropeLayout: 'x' as 'half' })).toThrow(/ropeLayout/);
  });

  it('a fresh LoRA adapter leaves the logits unchanged; training changes only the adapter', async () => {
    const p = tinyLmInit(new Rng(3), cfg);
    const ids = tf.tensor2d(encodeBytes('12+34=46\nThe cat'), [1, 16], 'int32');
    const before = tinyLmForward(p, cfg, ids).dataSync();
    const baseBefore = new Map([...flattenParams(p)].map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
    addLora(p, new Rng(4), { r: 2, alpha: 4, targetModules: ['wq', 'wv'] });
    const after = tinyLmForward(p, cfg, ids).dataSync();
    for (let i = 0; i < before.length; i++) expect(Math.abs(after[i] - before[i])).toBeLessThan(1e-5);
    expect(loraParamCount(p)).toBe(2 * (2 * (16 + 16)));
    const text = encodeBytes(generateCorpus('captions', 3000, new Rng(5)));
    const { history } = await trainTinyLm({
      params: p,
      config: cfg,
      train: text,
      valid: text,
      settings: { ...LM_TRAIN_DEFAULTS, steps: 8, warmupSteps: 1, evalEvery: 8, evalWindows: 4, lr: 1e-2 },
    });
    expect(history.length).toBe(8);
    for (const [name, v] of flattenParams(p)) {
      const was = baseBefore.get(name.replace('.base.', '.'));
      if (name.includes('lora')) continue;
      expect(was, name).toBeDefined();
      expect(Array.from(v.dataSync())).toEqual(Array.from(was!));
    }
  });
});

describe('tiny LM training, folders and sampling', () => {
  it('lowers the loss, updates every parameter, and resumes to the same weights', async () => {
    const text = encodeBytes(generateCorpus('pretrain', 6000, new Rng(6)));
    const settings = {
      ...LM_TRAIN_DEFAULTS,
      steps: 12,
      warmupSteps: 2,
      evalEvery: 12,
      evalWindows: 4,
      lr: 1e-2,
      checkpointEvery: 6,
    };
    const straight = tinyLmInit(new Rng(7), cfg);
    const init = new Map([...flattenParams(straight)].map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
    const { history } = await trainTinyLm({ params: straight, config: cfg, train: text, valid: text, settings });
    expect(history[11].loss).toBeLessThan(history[0].loss - 0.5);
    expect(Number.isFinite(history[11].validLoss)).toBe(true);
    for (const [name, v] of flattenParams(straight)) {
      expect(Array.from(v.dataSync()), name).not.toEqual(Array.from(init.get(name)!));
    }
    // interrupted after 6 steps (checkpoint), then resumed in a fresh model
    const dir = join(mkdtempSync(join(tmpdir(), 'lm-ckpt-')), 'ck');
    const first = tinyLmInit(new Rng(7), cfg);
    await trainTinyLm({
      params: first,
      config: cfg,
      train: text,
      valid: text,
      settings,
      checkpointDir: dir,
      stopAfter: 6,
    });
    const resumed = tinyLmInit(new Rng(99), cfg);
    const r = await trainTinyLm({
      params: resumed,
      config: cfg,
      train: text,
      valid: text,
      settings,
      checkpointDir: dir,
      resume: true,
    });
    expect(r.resumedFrom).toBe(6);
    const a = flattenParams(straight);
    for (const [name, v] of flattenParams(resumed)) {
      const want = a.get(name)!.dataSync();
      const got = v.dataSync();
      for (let i = 0; i < got.length; i++) expect(got[i]).toBe(want[i]);
    }
  });

  it('saves and loads a model folder; validates config.json', async () => {
    const p = tinyLmInit(new Rng(8), cfg);
    const dir = join(mkdtempSync(join(tmpdir(), 'lm-')), 'model');
    await saveTinyLm(dir, p, cfg, { card: '# card\n' });
    const loaded = loadTinyLm(dir);
    expect(loaded.config).toEqual(cfg);
    const ids = tf.tensor2d(encodeBytes('hello'), [1, 5], 'int32');
    expect(Array.from(tinyLmForward(loaded.params, cfg, ids).dataSync())).toEqual(
      Array.from(tinyLmForward(p, cfg, ids).dataSync()),
    );
    const bad = mkdtempSync(join(tmpdir(), 'lm-bad-'));
    expect(() => readLmConfig(bad)).toThrow(/missing config.json/);
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ architecture: 'gpt2' }));
    expect(() => readLmConfig(bad)).toThrow(/architecture must be/);
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ architecture: 'modelmath-tiny-lm', dim: 15, nHead: 3 }));
    expect(() => readLmConfig(bad)).toThrow(/head size/);
  });

  it('samples deterministically per seed; greedy picks the argmax', () => {
    const p = tinyLmInit(new Rng(9), cfg);
    const prompt = encodeBytes('12+');
    const a = sampleTokens(p, cfg, prompt, new Rng(1), { maxNewTokens: 10, stopAtNewline: false });
    const b = sampleTokens(p, cfg, prompt, new Rng(1), { maxNewTokens: 10, stopAtNewline: false });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.length).toBe(10);
    const logits = Float32Array.from([0.1, 3, -1, 2]);
    expect(pickToken(logits, 0, 0, new Rng(0))).toBe(1);
    expect(pickToken(logits, 1, 1, new Rng(0))).toBe(1);
    const counts = [0, 0, 0, 0];
    const rng = new Rng(2);
    for (let i = 0; i < 400; i++) counts[pickToken(logits, 1, 2, rng)]++;
    expect(counts[0] + counts[2]).toBe(0);
    expect(counts[1]).toBeGreaterThan(counts[3]);
  });
});
