import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Tf } from '../../src/core/engine.js';
import { InputError, ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { readSafetensorsFile } from '../../src/core/safetensors.js';
import {
  attentionInit,
  disposeParams,
  flattenParams,
  layerNormInit,
  loadParams,
  mlpInit,
  paramCount,
  saveParams,
} from '../../src/nn/index.js';

let tf: Tf;
const dir = mkdtempSync(join(tmpdir(), 'nn-params-'));
beforeAll(async () => {
  tf = await getTf();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model = (seed: number, dim = 4) => ({
  blocks: [{ attn: attentionInit(new Rng(seed), { dim, heads: 2 }), ln: layerNormInit(dim) }],
  head: mlpInit(new Rng(seed + 1), [dim, 3]),
});

describe('flattenParams', () => {
  it('names every Variable by its dotted path, skipping static numbers', () => {
    const names = [...flattenParams(model(1)).keys()];
    expect(names).toEqual([
      'blocks.0.attn.wq.w',
      'blocks.0.attn.wq.b',
      'blocks.0.attn.wk.w',
      'blocks.0.attn.wk.b',
      'blocks.0.attn.wv.w',
      'blocks.0.attn.wv.b',
      'blocks.0.attn.wo.w',
      'blocks.0.attn.wo.b',
      'blocks.0.ln.gamma',
      'blocks.0.ln.beta',
      'head.layers.0.w',
      'head.layers.0.b',
    ]);
    expect(paramCount(model(1))).toBe(4 * (16 + 4) + 8 + 15);
  });
  it('refuses plain tensors in a params tree', () => {
    expect(() => flattenParams({ w: tf.zeros([2]) })).toThrow(/not trainable/);
    expect(() => flattenParams({ 'a.b': layerNormInit(2) })).toThrow(/key "a.b" is empty or has a '.'/);
  });
});

describe('saveParams / loadParams', () => {
  it('round-trips every parameter by name into a fresh model', () => {
    const a = model(1);
    const path = join(dir, 'a.safetensors');
    saveParams(path, a, { step: '7' });
    const b = model(99);
    expect(Array.from(flattenParams(b).get('head.layers.0.w')!.dataSync())).not.toEqual(
      Array.from(flattenParams(a).get('head.layers.0.w')!.dataSync()),
    );
    expect(loadParams(path, b)).toEqual({ step: '7' });
    const fa = flattenParams(a);
    for (const [name, v] of flattenParams(b))
      expect(Array.from(v.dataSync()), name).toEqual(Array.from(fa.get(name)!.dataSync()));
    expect(readSafetensorsFile(path).tensors.size).toBe(12);
    disposeParams(b);
  });

  it('shape mismatch → ShapeError naming the tensor; missing/extra → InputError', () => {
    const path = join(dir, 'b.safetensors');
    saveParams(path, model(1));
    expect(() => loadParams(path, model(1, 6))).toThrow(ShapeError);
    expect(() => loadParams(path, model(1, 6))).toThrow(
      /blocks\.0\.attn\.wq\.w has shape \[4,4\], the model expects \[6,6\]/,
    );
    expect(() => loadParams(path, { ...model(1), extra: layerNormInit(2) })).toThrow(
      /missing parameter\(s\) extra.gamma/,
    );
    expect(() => loadParams(path, { head: mlpInit(new Rng(0), [4, 3]) })).toThrow(InputError);
    expect(() => loadParams(path, { head: mlpInit(new Rng(0), [4, 3]) }, { strict: false })).not.toThrow();
  });

  it('a failed load leaves the model untouched', () => {
    const path = join(dir, 'c.safetensors');
    saveParams(path, { a: layerNormInit(3), b: layerNormInit(2) });
    const target = { a: layerNormInit(3), b: layerNormInit(4) };
    target.a.gamma.assign(tf.tensor1d([5, 5, 5]));
    expect(() => loadParams(path, target)).toThrow(ShapeError);
    expect(Array.from(target.a.gamma.dataSync())).toEqual([5, 5, 5]);
  });
});

describe('flattenParams (property)', () => {
  it('gives one unique dotted name per Variable, in insertion order, for random nestings', () => {
    type Spec = number | Spec[] | { [k: string]: Spec };
    const spec: fc.Arbitrary<Spec> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constant(1),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), tie('node'), { maxKeys: 3 }),
      ),
    })).node as fc.Arbitrary<Spec>;
    fc.assert(
      fc.property(spec, (sp) => {
        let count = 0;
        const build = (s: Spec): unknown => {
          if (typeof s === 'number') {
            count++;
            return tf.variable(tf.zeros([1]));
          }
          if (Array.isArray(s)) return s.map((c) => build(c));
          return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, build(v as Spec)]));
        };
        const tree = build(sp) as object;
        if (count === 0 || typeof sp === 'number') return;
        const flat = flattenParams(tree);
        expect(flat.size).toBe(count);
        expect([...flattenParams(tree).keys()]).toEqual([...flat.keys()]);
        for (const [name, v] of flat) {
          const leaf = name.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], tree);
          expect(leaf).toBe(v);
        }
        disposeParams(tree);
      }),
      { numRuns: 40 },
    );
  });
});
