import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import {
  encodeBytes,
  loadTinyLm,
  mergeAdapter,
  saveTinyLm,
  TINY_LM_DEFAULTS,
  TINY_LM_PRESETS,
  tinyLmForward,
  tinyLmInit,
} from '../../src/lm/index.js';
import { addLora, type LoraLinearParams, saveLoraAdapter } from '../../src/lora/index.js';

describe('merging an adapter into the tiny LM', () => {
  it('gives a plain model folder with the adapted logits (DoRA), and lora inspect reads the adapter', async () => {
    const tf = await getTf();
    const config = { ...TINY_LM_DEFAULTS, ...TINY_LM_PRESETS.test };
    const tmp = mkdtempSync(join(tmpdir(), 'lm-merge-'));
    const params = tinyLmInit(new Rng(0), config);
    await saveTinyLm(join(tmp, 'base'), params, config);
    const cfg = { r: 2, alpha: 4, targetModules: ['wq', 'wo'], useDora: true };
    addLora(params, new Rng(1), cfg);
    const wq = params.blocks[0].attn.wq as unknown as LoraLinearParams;
    wq.loraB.assign(tf.tensor2d(new Rng(2).normals(32), [16, 2]));
    await saveLoraAdapter(join(tmp, 'adapter'), params, cfg);
    const r = await mergeAdapter(join(tmp, 'base'), join(tmp, 'adapter'), join(tmp, 'merged'));
    expect(r.merged).toEqual(['blocks.0.attn.wq', 'blocks.0.attn.wo']);
    expect(r.maxLogitChange).toBeLessThan(1e-4);
    const ids = tf.tensor2d(encodeBytes('hello there'), [1, 11], 'int32');
    const want = tinyLmForward(params, config, ids).dataSync();
    const merged = loadTinyLm(join(tmp, 'merged'));
    const got = tinyLmForward(merged.params, config, ids).dataSync();
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4);
    expect(await runCli(['lora', 'inspect', '--adapter', join(tmp, 'adapter')])).toBe(0);
    expect(await runCli(['lora', 'inspect', '--adapter', join(tmp, 'base')])).toBe(2);
    expect(
      await runCli([
        'lm',
        'merge',
        '--model',
        join(tmp, 'base'),
        '--adapter',
        join(tmp, 'nope'),
        '--out',
        join(tmp, 'x'),
      ]),
    ).toBe(2);
  });
});
