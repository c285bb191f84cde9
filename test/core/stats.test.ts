import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import {
  bootstrap,
  bootstrapMean,
  bootstrapMeans,
  formatInterval,
  pairedBootstrap,
  percentile,
  percentileInterval,
  resampleCounts,
  summarize,
} from '../../src/core/stats.js';

/** The textbook bootstrap: copy n items drawn with replacement, take their mean (same Rng streams as core/stats). */
function naiveBootstrapMeans(values: number[], resamples: number, seed: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < resamples; k++) {
    const rng = new Rng(seed).fork(k);
    const copy = values.map(() => values[rng.int(values.length)]);
    out.push(copy.reduce((a, b) => a + b, 0) / copy.length);
  }
  return out.sort((a, b) => a - b);
}

const normals = (n: number, rng: Rng, mean = 0, sd = 1) => Array.from({ length: n }, () => mean + sd * rng.normal());
const meanOf = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const sdPlugIn = (x: number[]) => Math.sqrt(x.reduce((a, v) => a + (v - meanOf(x)) ** 2, 0) / x.length);

describe('resampling and percentiles', () => {
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
    expect(percentile(x, 0.25)).toBeCloseTo(1.75, 12); // numpy.percentile([1,2,3,4], 25) = 1.75
    const s = summarize(Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]), 0.5);
    expect(s.mean).toBe(5);
    expect(s.se).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.lo).toBeCloseTo(4, 12);
    expect(s.hi).toBeCloseTo(5.5, 12);
    expect(percentileInterval([5, 1, 3, 2, 4], 0.5)).toEqual([2, 4]);
    expect(() => percentile([], 0.5)).toThrow(ShapeError);
  });
});

describe('bootstrap of a mean', () => {
  it('equals the naive copy-the-items loop (order statistics 50 and 1950 of 2001 replicates)', () => {
    const values = normals(37, new Rng(11), 2, 3);
    const naive = naiveBootstrapMeans(values, 2001, 5);
    const r = bootstrapMean(values, { resamples: 2001, seed: 5, level: 0.95 });
    expect(r.mean).toBeCloseTo(meanOf(values), 12);
    expect(r.ci[0]).toBeCloseTo(naive[50], 12); // 0.025 * 2000 = 50: no interpolation
    expect(r.ci[1]).toBeCloseTo(naive[1950], 12);
  });

  it('two items: the replicates are a, (a+b)/2, b with probabilities 1/4, 1/2, 1/4', () => {
    const [col] = bootstrap(2, (c) => [(3 * c[0] + 7 * c[1]) / 2], { resamples: 8000, seed: 1 });
    const freq = (v: number) => col.filter((x) => x === v).length / col.length;
    expect(freq(3)).toBeCloseTo(0.25, 1);
    expect(freq(5)).toBeCloseTo(0.5, 1);
    expect(freq(7)).toBeCloseTo(0.25, 1);
    expect(Math.abs(freq(5) - 0.5)).toBeLessThan(0.02); // binomial sd 0.0056
  });

  it('normal data: the interval is mean ± 1.96 s/sqrt(n) (s the plug-in sd), to Monte Carlo error', () => {
    const values = normals(400, new Rng(3), 10, 2);
    const { mean, ci } = bootstrapMean(values, { resamples: 4000, seed: 2 });
    const half = (1.959964 * sdPlugIn(values)) / Math.sqrt(values.length);
    expect(Math.abs(ci[0] - (mean - half)) / half).toBeLessThan(0.06);
    expect(Math.abs(ci[1] - (mean + half)) / half).toBeLessThan(0.06);
  });

  it('0/1 data (an accuracy): the interval is p ± 1.96 sqrt(p(1-p)/n), to Monte Carlo error', () => {
    const values = Array.from({ length: 240 }, (_, i) => (i % 10 === 0 ? 0 : 1)); // p = 0.9
    const { mean, ci } = bootstrapMean(values, { resamples: 4000, seed: 4 });
    const half = 1.959964 * Math.sqrt((0.9 * 0.1) / 240);
    expect(mean).toBeCloseTo(0.9, 12);
    expect(Math.abs(ci[0] - (0.9 - half))).toBeLessThan(0.1 * half);
    expect(Math.abs(ci[1] - (0.9 + half))).toBeLessThan(0.1 * half);
  });

  it('covers the true mean about 95% of the time on simulated data; the paired interval covers a paired difference', () => {
    const rng = new Rng(99);
    let covered = 0;
    let pairedCovered = 0;
    let pairedNarrower = 0;
    const datasets = 300;
    for (let d = 0; d < datasets; d++) {
      const x = normals(40, rng, 3, 2);
      const { ci } = bootstrapMean(x, { resamples: 400, seed: d });
      if (ci[0] <= 3 && 3 <= ci[1]) covered++;
      // a_i, b_i share a large per-item effect z_i; the true mean difference is 0.5
      const z = normals(40, rng, 0, 3);
      const a = z.map((v) => v + 0.5 + 0.5 * rng.normal());
      const b = z.map((v) => v + 0.5 * rng.normal());
      const p = pairedBootstrap(a, b, { resamples: 400, seed: d });
      if (p.ci[0] <= 0.5 && 0.5 <= p.ci[1]) pairedCovered++;
      const [ia, ib] = [bootstrapMean(a, { resamples: 400, seed: d }), bootstrapMean(b, { resamples: 400, seed: d })];
      if (p.ci[1] - p.ci[0] < ia.ci[1] - ia.ci[0] + (ib.ci[1] - ib.ci[0])) pairedNarrower++;
    }
    // percentile intervals at n = 40 undercover slightly (about 0.93); binomial sd of the rate ~0.014
    expect(covered / datasets).toBeGreaterThan(0.9);
    expect(covered / datasets).toBeLessThan(0.98);
    expect(pairedCovered / datasets).toBeGreaterThan(0.9);
    expect(pairedCovered / datasets).toBeLessThan(0.98);
    expect(pairedNarrower).toBe(datasets); // pairing removes the shared z_i
  });

  it('several columns share one set of resamples', () => {
    const rng = new Rng(8);
    const a = normals(30, rng);
    const b = normals(30, rng);
    const [ra, rb] = bootstrapMeans([a, b], { seed: 3, resamples: 500 });
    expect(ra).toEqual(bootstrapMean(a, { seed: 3, resamples: 500 }));
    expect(rb).toEqual(bootstrapMean(b, { seed: 3, resamples: 500 }));
  });
});

describe('bootstrap properties', () => {
  const data = fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 30 });
  const opts = { resamples: 200, seed: 1 };

  it('lo <= hi; shifting the data shifts the interval; constant data gives a point', () => {
    fc.assert(
      fc.property(data, fc.double({ min: -50, max: 50, noNaN: true }), (x, c) => {
        const r = bootstrapMean(x, opts);
        expect(r.ci[0]).toBeLessThanOrEqual(r.ci[1]);
        const s = bootstrapMean(
          x.map((v) => v + c),
          opts,
        );
        expect(s.ci[0]).toBeCloseTo(r.ci[0] + c, 8);
        expect(s.ci[1]).toBeCloseTo(r.ci[1] + c, 8);
        const k = bootstrapMean(
          x.map(() => c),
          opts,
        );
        expect(k.ci[0]).toBeCloseTo(c, 10);
        expect(k.ci[1]).toBeCloseTo(c, 10);
      }),
      { numRuns: 40 },
    );
  });

  it('paired: a against itself is [0, 0]; swapping a and b mirrors the interval', () => {
    fc.assert(
      fc.property(data, data, (a, b0) => {
        const b = a.map((_, i) => b0[i % b0.length]);
        expect(pairedBootstrap(a, a, opts)).toEqual({ mean: 0, ci: [0, 0] });
        const ab = pairedBootstrap(a, b, opts);
        const ba = pairedBootstrap(b, a, opts);
        expect(ba.mean).toBeCloseTo(-ab.mean, 8);
        expect(ba.ci[0]).toBeCloseTo(-ab.ci[1], 8);
        expect(ba.ci[1]).toBeCloseTo(-ab.ci[0], 8);
      }),
      { numRuns: 40 },
    );
  });
});

describe('bootstrap input checks', () => {
  it('names the bad setting or input', () => {
    expect(() => bootstrapMean([1, 2], { resamples: 1 })).toThrow(ConfigError);
    expect(() => bootstrapMean([1, 2], { resamples: 1 })).toThrow(/resamples must be/);
    expect(() => bootstrapMean([1, 2], { level: 1 })).toThrow(/level must be/);
    expect(() => bootstrapMean([1, Number.NaN])).toThrow(/bootstrap column 0 must contain only finite numbers/);
    expect(() => pairedBootstrap([1, 2], [1])).toThrow(/equal lengths/);
    expect(() => bootstrapMeans([[1, 2], [1]])).toThrow(/column 1 has 1 items, expected 2/);
    expect(() => bootstrapMean([])).toThrow(/number of bootstrap items must be/);
  });
});

describe('formatInterval', () => {
  it('prints [lo, hi] to the given decimals, and a dash for a missing interval', () => {
    expect(formatInterval([26.614, 27.4849], 2)).toBe('[26.61, 27.48]');
    expect(formatInterval([-0.0004, 0.05], 3)).toBe('[-0.000, 0.050]');
    expect(formatInterval(null, 2)).toBe('–');
    expect(formatInterval(undefined, 3)).toBe('–');
  });
});
