import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { bootstrapFit, percentile, resampleCounts, summarize } from '../../src/scaling/bootstrap.js';

describe('bootstrap', () => {
  it('resample counts sum to n and are reproducible from the seed', () => {
    const a = resampleCounts(240, new Rng(7));
    const b = resampleCounts(240, new Rng(7));
    expect(a.reduce((s, v) => s + v, 0)).toBe(240);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(resampleCounts(240, new Rng(8))));
  });

  it('percentiles interpolate like numpy and summaries use ddof 1', () => {
    const x = Float64Array.from([1, 2, 3, 4]);
    expect(percentile(x, 0)).toBe(1);
    expect(percentile(x, 1)).toBe(4);
    expect(percentile(x, 0.5)).toBe(2.5);
    expect(percentile(x, 0.25)).toBeCloseTo(1.75, 12);
    const s = summarize(Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]), 0.5);
    expect(s.mean).toBe(5);
    expect(s.se).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.lo).toBeCloseTo(4, 12);
    expect(s.hi).toBeCloseTo(5.5, 12);
  });

  it('rejects bad settings', () => {
    const logRuns = { logN: new Float64Array(6), logD: new Float64Array(6), logL: new Float64Array(6) };
    expect(() => bootstrapFit(logRuns, [[0, 0, 0, 0, 0]], 0, { resamples: 1 })).toThrow(/resamples must be/);
    expect(() => bootstrapFit(logRuns, [[0, 0, 0, 0, 0]], 0, { level: 1 })).toThrow(/level must be/);
  });
});
