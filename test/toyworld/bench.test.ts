import { beforeAll, describe, expect, it } from 'vitest';
import type { EditorParts } from '../../src/chordedit/index.js';
import { Rng } from '../../src/core/rng.js';
import { BENCH_METHODS, runEditBench } from '../../src/toyworld/bench/index.js';
import { classifierInit } from '../../src/toyworld/classifier/classifier.js';
import { EDIT_TYPES } from '../../src/toyworld/world/edits.js';
import { tinyToyModel } from '../support/tiny-toy.js';

// The harness on an untrained tiny model: checks the shape of the result and the bookkeeping
// (NFE per method, one pair per edit type, finite metrics), not the quality of the edits.
let model: EditorParts;
beforeAll(async () => {
  model = await tinyToyModel();
});

describe('edit benchmark harness', () => {
  it('reports every method overall and per edit type with the paper NFE counts', async () => {
    const classifier = classifierInit(new Rng(1), 16);
    const r = await runEditBench(model, classifier, { pairs: 6, methods: BENCH_METHODS, seed: 3 });
    expect(r.pairs).toBe(6);
    expect(Object.keys(r.methods)).toEqual([...BENCH_METHODS]);
    const nfe = Object.fromEntries(BENCH_METHODS.map((m) => [m, r.methods[m]!.nfe]));
    expect(nfe).toEqual({
      chord: 2,
      'chord-norefine': 1,
      naive: 2,
      'naive-norefine': 1,
      sdedit: 10,
      'sdedit-ddim': 10,
      'ddim-inversion': 40,
    });
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
      for (const key of ['backgroundPsnr', 'editAccuracy'] as const) {
        const [lo, hi] = s.ci95[key];
        expect(lo, `${m}.${key}`).toBeLessThanOrEqual(s[key] + 1e-9);
        expect(hi, `${m}.${key}`).toBeGreaterThanOrEqual(s[key] - 1e-9);
      }
    }
    // the paired differences are the differences of the methods' means, and the discordant counts add up
    for (const [key, [a, b]] of [
      ['chordVsNaive', ['chord', 'naive']],
      ['chordVsNaiveNoRefine', ['chord-norefine', 'naive-norefine']],
    ] as const) {
      const p = r.paired[key]!;
      expect(p).toMatchObject({ a, b });
      expect(p.deltaBackgroundPsnr).toBeCloseTo(r.methods[a]!.backgroundPsnr - r.methods[b]!.backgroundPsnr, 9);
      expect(p.deltaEditAccuracy).toBeCloseTo(r.methods[a]!.editAccuracy - r.methods[b]!.editAccuracy, 9);
      expect((p.onlyA - p.onlyB) / 6).toBeCloseTo(p.deltaEditAccuracy, 9);
      expect(p.backgroundWins + p.backgroundLosses).toBeLessThanOrEqual(6);
      expect(p.ci95.deltaBackgroundPsnr[0]).toBeLessThanOrEqual(p.ci95.deltaBackgroundPsnr[1]);
    }
    expect(r.bootstrap).toEqual({ resamples: 2000, level: 0.95, seed: 3 });
    const again = await runEditBench(model, classifier, { pairs: 6, methods: ['chord'], seed: 3 });
    expect(again.methods.chord!.backgroundPsnr).toBe(r.methods.chord!.backgroundPsnr);
    expect(again.methods.chord!.ci95).toEqual(r.methods.chord!.ci95);
    expect(again.paired).toEqual({}); // naive did not run
  });

  it('needs at least one method', async () => {
    await expect(
      runEditBench(model, classifierInit(new Rng(1), 16), { pairs: 1, methods: [], seed: 0 }),
    ).rejects.toThrow(/at least one method/);
  });
});
