import { beforeAll, describe, expect, it } from 'vitest';
import type { EditorParts } from '../../src/chordedit/index.js';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { BENCH_METHODS, runEditBench } from '../../src/toyworld/bench/index.js';
import { classifierInit } from '../../src/toyworld/classifier/classifier.js';
import { ToyCodec, ToyDenoiser } from '../../src/toyworld/model/denoiser.js';
import { TOY_MODEL_DEFAULTS, toyModelInit } from '../../src/toyworld/model/model.js';
import { ToyTextEncoder } from '../../src/toyworld/model/text.js';
import { EDIT_TYPES } from '../../src/toyworld/world/edits.js';

// The harness on an untrained tiny model: checks the shape of the result and the bookkeeping
// (NFE per method, one pair per edit type, finite metrics), not the quality of the edits.
let model: EditorParts;
beforeAll(async () => {
  await getTf();
  const config = { ...TOY_MODEL_DEFAULTS, dim: 32, depth: 1, heads: 2 };
  model = {
    denoiser: new ToyDenoiser(toyModelInit(new Rng(0), config), config),
    textEncoder: new ToyTextEncoder(),
    codec: new ToyCodec(),
  };
});

describe('edit benchmark harness', () => {
  it('reports every method overall and per edit type with the paper NFE counts', async () => {
    const classifier = classifierInit(new Rng(1), 16);
    const r = await runEditBench(model, classifier, { pairs: 6, methods: BENCH_METHODS, seed: 3 });
    expect(r.pairs).toBe(6);
    expect(Object.keys(r.methods)).toEqual([...BENCH_METHODS]);
    const nfe = Object.fromEntries(BENCH_METHODS.map((m) => [m, r.methods[m]!.nfe]));
    expect(nfe).toEqual({ chord: 2, 'chord-norefine': 1, naive: 2, sdedit: 10, 'ddim-inversion': 40 });
    for (const m of BENCH_METHODS) {
      const s = r.methods[m]!;
      expect(Object.keys(s.byType).sort()).toEqual([...EDIT_TYPES].sort());
      for (const t of EDIT_TYPES) expect(s.byType[t]!.count).toBe(1);
      for (const key of [
        'backgroundPsnr',
        'backgroundMse',
        'backgroundSsim',
        'targetPsnr',
        'editAccuracy',
        'msPerEdit',
        'cpuMsPerEdit',
      ] as const) {
        expect(Number.isFinite(s[key]), `${m}.${key}`).toBe(true);
      }
      expect(s.editAccuracy).toBeGreaterThanOrEqual(0);
      expect(s.editAccuracy).toBeLessThanOrEqual(1);
    }
    const again = await runEditBench(model, classifier, { pairs: 6, methods: ['chord'], seed: 3 });
    expect(again.methods.chord!.backgroundPsnr).toBe(r.methods.chord!.backgroundPsnr);
  });

  it('needs at least one method', async () => {
    await expect(
      runEditBench(model, classifierInit(new Rng(1), 16), { pairs: 1, methods: [], seed: 0 }),
    ).rejects.toThrow(/at least one method/);
  });
});
