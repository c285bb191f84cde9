import { beforeAll, describe, expect, it } from 'vitest';
import type { EditorParts } from '../../src/chordedit/index.js';
import { Rng } from '../../src/core/rng.js';
import {
  benchPairs,
  compareCurves,
  frontierConfig,
  type PairScore,
  psnrAtAccuracy,
  runFieldEnergy,
  runFrontier,
} from '../../src/toyworld/bench/index.js';
import { classifierInit } from '../../src/toyworld/classifier/classifier.js';
import { tinyToyModel } from '../support/tiny-toy.js';

/** Per-pair scores of one lambda: `correct` pairs edited correctly (the first ones), every PSNR = psnr. */
function level(n: number, correct: number, psnr: number): PairScore[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'colour',
    backgroundPsnr: psnr,
    backgroundMse: 0,
    backgroundSsim: 1,
    targetPsnr: 20,
    correct: i < correct ? 1 : 0,
    nfe: 1,
    ms: 1,
    cpuMs: 1,
  }));
}

describe('background PSNR at matched accuracy', () => {
  it('interpolates linearly at the first crossing of the level as lambda grows', () => {
    const curve = { acc: [0, 0.4, 0.8, 1, 0.6], psnr: [40, 36, 32, 30, 28] };
    expect(psnrAtAccuracy(curve, 0.6)).toBeCloseTo(34, 12); // halfway between 0.4 (36 dB) and 0.8 (32 dB)
    expect(psnrAtAccuracy(curve, 0.8)).toBeCloseTo(32, 12);
    expect(psnrAtAccuracy(curve, 0.9)).toBeCloseTo(31, 12);
    expect(psnrAtAccuracy(curve, 1)).toBeCloseTo(30, 12);
    expect(psnrAtAccuracy({ acc: [0.5, 0.9], psnr: [30, 20] }, 0.5)).toBeNaN(); // starts at the level: not bracketed
    expect(psnrAtAccuracy({ acc: [0.1, 0.3], psnr: [30, 20] }, 0.5)).toBeNaN(); // never reaches it
  });

  it('compares two curves on the same pairs: a constant PSNR offset is found exactly with a zero-width interval', () => {
    const n = 20;
    const naive = [level(n, 0, 40), level(n, 8, 36), level(n, 16, 32), level(n, 20, 30)];
    const chord = [level(n, 0, 41), level(n, 8, 37), level(n, 16, 33), level(n, 20, 31)];
    const r = compareCurves(chord, naive, [0.2, 0.6, 0.95], { resamples: 200, seed: 1 });
    for (const m of r.matched) {
      expect(m.deltaBackgroundPsnr).toBeCloseTo(1, 9);
      expect(m.crossedShare).toBe(1);
      expect(m.ci95![0]).toBeCloseTo(1, 9);
      expect(m.ci95![1]).toBeCloseTo(1, 9);
    }
    expect(r.matched[1].naivePsnr).toBeCloseTo(34, 9); // acc 0.6 between 0.4 and 0.8
    expect(r.peak).toEqual({ chord: 1, naive: 1, delta: 0, ci95: [0, 0] });
  });

  it('a curve that needs a larger lambda for the same accuracy keeps less background; resampling widens the interval', () => {
    const n = 40;
    const pairs = (acc: number[]) => acc.map((a, i) => level(n, Math.round(a * n), 40 - 4 * i));
    const naive = pairs([0, 0.5, 1, 1]);
    const chord = pairs([0, 0.25, 0.75, 1]); // shifted right: same PSNR per lambda, less accuracy
    const r = compareCurves(chord, naive, [0.5], { resamples: 300, seed: 2 });
    // naive reaches 0.5 at lambda index 1 (36 dB); chord halfway between index 1 and 2 (34 dB)
    expect(r.matched[0].chordPsnr).toBeCloseTo(34, 9);
    expect(r.matched[0].naivePsnr).toBeCloseTo(36, 9);
    expect(r.matched[0].deltaBackgroundPsnr).toBeCloseTo(-2, 9);
    const [lo, hi] = r.matched[0].ci95!;
    expect(lo).toBeLessThan(-2);
    expect(hi).toBeGreaterThan(-2);
    expect(hi).toBeLessThan(0);
  });

  it('reports no interval when a level is not crossed inside the grid', () => {
    const n = 10;
    const r = compareCurves([level(n, 9, 30), level(n, 10, 29)], [level(n, 9, 30), level(n, 10, 29)], [0.5], {
      resamples: 50,
      seed: 0,
    });
    expect(r.matched[0]).toMatchObject({ deltaBackgroundPsnr: null, ci95: null, crossedShare: 0 });
  });

  it('validates the grid', () => {
    expect(() => frontierConfig({ lambdas: [1] })).toThrow(/at least 2 ascending/);
    expect(() => frontierConfig({ lambdas: [0, 1] })).toThrow(/ascending values > 0/);
    expect(() => frontierConfig({ delta: 0.3, energyTs: [0.2] })).toThrow(/smallest t = 0.2/);
    expect(() => frontierConfig({ energyDraws: 1 })).toThrow(/energyDraws/);
    expect(() => frontierConfig({ levels: [0] })).toThrow(/levels/);
    expect(() => frontierConfig({ refine: [] })).toThrow(/refine must not be empty/);
  });
});

// The harness on an untrained tiny model: the bookkeeping, not the quality of the edits.
let model: EditorParts;
beforeAll(async () => {
  model = await tinyToyModel();
});

describe('frontier and field energy on a tiny model', () => {
  it('runs both curves of every family on the same pairs, with intervals and paired differences', async () => {
    const classifier = classifierInit(new Rng(1), 16);
    const r = await runFrontier(model, classifier, {
      seed: 2,
      config: {
        pairs: 3,
        lambdas: [0.5, 1],
        ts: [0.9],
        noiseSamples: [1],
        refine: [false],
        resamples: 50,
        energyDraws: 2,
        energyTs: [0.9],
      },
    });
    expect(r.points.map((p) => [p.delta, p.lambda])).toEqual([
      [0.15, 0.5],
      [0.15, 1],
      [0, 0.5],
      [0, 1],
    ]);
    const f = r.families[0];
    expect(f).toMatchObject({ t: 0.9, refine: false, noiseSamples: 1 });
    expect(f.atLambda.map((a) => a.lambda)).toEqual([0.5, 1]);
    const chord1 = r.points[1];
    const naive1 = r.points[3];
    expect(f.atLambda[1].deltaBackgroundPsnr).toBeCloseTo(chord1.backgroundPsnr - naive1.backgroundPsnr, 9);
    expect(r.energy!.rows.map((row) => row.region)).toEqual(['all', 'background']);
  });

  it('field energy: chord and naive statistics per pair and region, energy = mean-field energy + variance', async () => {
    const classifier = classifierInit(new Rng(1), 16);
    const { edits } = benchPairs(classifier, 2, 5);
    const r = await runFieldEnergy(model, edits, { ts: [0.5, 0.9], delta: 0.15, draws: 3, seed: 1, resamples: 50 });
    expect(r).toMatchObject({ pairs: 2, draws: 3 });
    expect(r.rows.map((row) => [row.t, row.region])).toEqual([
      [0.5, 'all'],
      [0.5, 'background'],
      [0.9, 'all'],
      [0.9, 'background'],
    ]);
    for (const row of r.rows) {
      for (const s of [row.chord, row.naive]) expect(s.energy).toBeCloseTo(s.meanEnergy + s.variance, 6);
      for (const q of Object.values(row.ratio)) {
        expect(q.ratio).toBeGreaterThan(0);
        expect(q.ci95[0]).toBeLessThanOrEqual(q.ci95[1]);
      }
    }
    await expect(
      runFieldEnergy({ denoiser: model.denoiser }, edits, { ts: [0.9], delta: 0.15, draws: 3, seed: 1, resamples: 50 }),
    ).rejects.toThrow(/codec and a text encoder/);
    await expect(
      runFieldEnergy(model, edits, { ts: [0.9], delta: 0.15, draws: 1, seed: 1, resamples: 50 }),
    ).rejects.toThrow(/draws must be at least 2/);
  });
});
