import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Tf } from '../../src/core/engine.js';
import { InputError, ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { readSafetensors } from '../../src/core/safetensors.js';
import {
  addLora,
  attachLoraAdapter,
  type LoraLinearParams,
  loadLoraAdapter,
  loraLinear,
  saveLoraAdapter,
} from '../../src/lora/index.js';
import { type LinearParams, linearInit } from '../../src/nn/index.js';

const FIX = join(import.meta.dirname, 'fixtures');
let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tol) throw new Error(`index ${i}: ${a[i]} vs ${b[i]}`);
};

interface Expected {
  input: number[][];
  base: Record<string, { weight: number[][]; bias: number[] }>;
  peft_lora: Record<string, number[][]>;
  peft_dora: Record<string, number[][]>;
}

/** A model tree with PEFT's module names, base weights from expected.json (torch [out, in] -> nn [in, out]). */
function toyModel(e: Expected) {
  const lin = (name: string): LinearParams => {
    const { weight, bias } = e.base[name];
    return { w: tf.variable(tf.tensor2d(weight).transpose()), b: tf.variable(tf.tensor1d(bias)) };
  };
  return {
    layers: [{ self_attn: { q_proj: lin('layers.0.self_attn.q_proj'), v_proj: lin('layers.0.self_attn.v_proj') } }],
  };
}

describe('PEFT adapter format', () => {
  const expected = (): Expected => JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8'));

  for (const kind of ['peft_lora', 'peft_dora'] as const) {
    it(`loads an adapter written with PEFT's names and layouts (${kind}) and reproduces torch's outputs`, () => {
      const e = expected();
      const adapter = loadLoraAdapter(join(FIX, kind));
      expect(adapter.config.useDora).toBe(kind === 'peft_dora');
      expect(adapter.baseModel).toBe('toy/peft-fixture');
      const v = adapter.modules.get('layers.0.self_attn.v_proj')!;
      expect(v.dims).toEqual({ r: 3, inDim: 6, outDim: 3 }); // rank_pattern
      expect(v.scaling).toBe(2); // alpha_pattern 6 / r 3
      expect(adapter.modules.get('layers.0.self_attn.q_proj')!.scaling).toBe(2); // 4 / 2
      const model = toyModel(e);
      expect(attachLoraAdapter(model, adapter).sort()).toEqual([
        'layers.0.self_attn.q_proj',
        'layers.0.self_attn.v_proj',
      ]);
      const x = tf.tensor2d(e.input);
      for (const [name, want] of Object.entries(e[kind])) {
        const layer = name.endsWith('q_proj') ? model.layers[0].self_attn.q_proj : model.layers[0].self_attn.v_proj;
        close(loraLinear(layer as unknown as LoraLinearParams, x).dataSync(), want.flat(), 1e-4);
      }
    });
  }

  it('round-trips our own adapters (keys, config, values)', async () => {
    const rng = new Rng(1);
    const tree = { blocks: [{ attn: { wq: linearInit(rng.fork('q'), 4, 4), wk: linearInit(rng.fork('k'), 4, 4) } }] };
    const cfg = { r: 2, alpha: 8, targetModules: ['wq'], useDora: true };
    addLora(tree, rng, cfg);
    const wq = tree.blocks[0].attn.wq as unknown as LoraLinearParams;
    wq.loraB.assign(tf.tensor2d(rng.normals(8), [4, 2]));
    const dir = join(mkdtempSync(join(tmpdir(), 'lora-')), 'adapter');
    expect(await saveLoraAdapter(dir, tree, cfg, { baseModel: 'modelmath/tiny-lm' })).toEqual(['blocks.0.attn.wq']);
    const keys = [...readSafetensors(join(dir, 'adapter_model.safetensors')).keys()].sort();
    expect(keys).toEqual([
      'base_model.model.blocks.0.attn.wq.lora_A.weight',
      'base_model.model.blocks.0.attn.wq.lora_B.weight',
      'base_model.model.blocks.0.attn.wq.lora_magnitude_vector',
    ]);
    const json = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(json).toMatchObject({ peft_type: 'LORA', r: 2, lora_alpha: 8, target_modules: ['wq'], use_dora: true });
    const loaded = loadLoraAdapter(dir);
    const m = loaded.modules.get('blocks.0.attn.wq')!;
    close(m.factors.a, wq.loraA.dataSync(), 0);
    close(m.factors.b, wq.loraB.dataSync(), 0);
    close(m.factors.magnitude!, wq.magnitude!.dataSync(), 0);
    expect(m.scaling).toBe(4);
  });

  it('rejects bad folders with one clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lora-bad-'));
    expect(() => loadLoraAdapter(dir)).toThrow(/missing adapter_config.json/);
    writeFileSync(join(dir, 'adapter_config.json'), '{ not json');
    expect(() => loadLoraAdapter(dir)).toThrow(InputError);
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'IA3', r: 2, lora_alpha: 2 }));
    expect(() => loadLoraAdapter(dir)).toThrow(/peft_type must be "LORA"/);
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 0, lora_alpha: 2 }));
    expect(() => loadLoraAdapter(dir)).toThrow(/lora r/);
    // rank in the file disagrees with the config
    const cfg = JSON.parse(readFileSync(join(FIX, 'peft_lora', 'adapter_config.json'), 'utf8'));
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ ...cfg, rank_pattern: {} }));
    writeFileSync(
      join(dir, 'adapter_model.safetensors'),
      readFileSync(join(FIX, 'peft_lora', 'adapter_model.safetensors')),
    );
    expect(() => loadLoraAdapter(dir)).toThrow(ShapeError);
    // a model without the adapter's modules
    const adapter = loadLoraAdapter(join(FIX, 'peft_lora'));
    expect(() => attachLoraAdapter({ other: linearInit(new Rng(0), 6, 4) }, adapter)).toThrow(/not found in the model/);
  });
});
