import { describe, expect, it } from 'vitest';
import { vegaLiteToSvg } from '../../src/report/vega.js';
import { FRONTIER_DEFAULTS, type FrontierResult } from '../../src/toyworld/bench/index.js';
import { frontierFigure, frontierSummary, frontierTables, mergeFrontiers } from '../../src/toyworld/figures.js';

const ci = (v: number): [number, number] => [v - 0.1, v + 0.1];
const point = (delta: number, lambda: number, acc: number, psnr: number) => ({
  t: 0.9,
  refine: false,
  noiseSamples: 1,
  delta,
  lambda,
  backgroundPsnr: psnr,
  targetPsnr: 20,
  editAccuracy: acc,
  ci95: { backgroundPsnr: ci(psnr), editAccuracy: ci(acc) },
});
const stats = { energy: 1, meanEnergy: 0.9, variance: 0.1, relativeVariance: 0.11 };
const ratio = { ratio: 0.98, ci95: [0.97, 0.99] as [number, number] };
const result: FrontierResult = {
  config: { ...FRONTIER_DEFAULTS, lambdas: [0.5, 1], levels: [0.5] },
  seed: 0,
  points: [point(0.15, 0.5, 0.2, 40), point(0.15, 1, 0.9, 34), point(0, 0.5, 0.3, 39.8), point(0, 1, 0.95, 33.7)],
  families: [
    {
      t: 0.9,
      refine: false,
      noiseSamples: 1,
      matched: [
        { level: 0.5, chordPsnr: 38.3, naivePsnr: 38.1, deltaBackgroundPsnr: 0.2, ci95: [0.1, 0.3], crossedShare: 1 },
      ],
      peak: { chord: 0.9, naive: 0.95, delta: -0.05, ci95: [-0.1, 0] },
      atLambda: [],
    },
  ],
  energy: {
    pairs: 4,
    draws: 8,
    rows: [
      {
        t: 0.9,
        delta: 0.15,
        region: 'all',
        chord: stats,
        naive: stats,
        ratio: { energy: ratio, variance: ratio, relativeVariance: ratio },
      },
    ],
  },
};

describe('frontier figure and tables', () => {
  it('one series per method and panel per family; the spec renders to SVG', async () => {
    const fig = frontierFigure(result);
    const values = (fig.vegaLite.data as { values: { method: string; family: string }[] }).values;
    expect(new Set(values.map((v) => v.method))).toEqual(new Set(['chord (δ = 0.15)', 'naive (δ = 0)']));
    expect(new Set(values.map((v) => v.family))).toEqual(new Set(['t = 0.9, no refine, n = 1']));
    const svg = await vegaLiteToSvg(fig.vegaLite);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('background PSNR (dB)');
  });

  it('tables carry the matched differences with intervals and the energy ratios', () => {
    const [matched, energy] = frontierTables(result);
    expect(matched.rows[0]).toEqual([
      't = 0.9, no refine, n = 1',
      '0.200 [0.100, 0.300]',
      '0.900 / 0.950',
      '-0.050 [-0.100, 0.000]',
    ]);
    expect(energy.rows[0][3]).toBe('0.980 [0.970, 0.990]');
    expect(frontierTables({ ...result, energy: null }).length).toBe(1);
  });
});

describe('frontier summary and merge', () => {
  it('reads the differences at the highest level and the t = 0.9 field ratios off the data', () => {
    const text = frontierSummary({ ...result, config: { ...result.config, levels: [0.5] } });
    expect(text).toContain('t = 0.9, no refine, n = 1: +0.20 dB [0.10, 0.30]');
    const bg = { ...result.energy!.rows[0], region: 'background' as const };
    const withBg = frontierSummary({ ...result, energy: { ...result.energy!, rows: [result.energy!.rows[0], bg] } });
    expect(withBg).toContain('0.980× the naive field');
  });

  it('merges runs on other families: points and families side by side, the first energy kept', () => {
    const other = { ...result, config: { ...result.config, ts: [0.5] }, energy: null };
    const merged = mergeFrontiers([result, other]);
    expect(merged.points.length).toBe(2 * result.points.length);
    expect(merged.families.length).toBe(2);
    expect(merged.config.ts).toEqual([...result.config.ts, 0.5]);
    expect(merged.energy).toBe(result.energy);
  });
});
