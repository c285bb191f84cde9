import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  checkRuns,
  dropHighestLoss,
  fitApproach3,
  fitFromStarts,
  gridStarts,
  REPLICATION_GRID,
  type Runs,
  toLogRuns,
} from '../../src/scaling/fit.js';
import { LAW_PRESETS, parametricLoss } from '../../src/scaling/laws.js';
import { huberObjective } from '../../src/scaling/objective.js';

/** Runs on a log grid of N and D from a known law, with small multiplicative noise. */
function syntheticRuns(noise: number, seed = 1): Runs {
  const rng = new Rng(seed);
  const params: number[] = [];
  const tokens: number[] = [];
  const loss: number[] = [];
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      const n = 1e7 * 10 ** (i * 0.45);
      const d = 1e8 * 10 ** (j * 0.45);
      params.push(n);
      tokens.push(d);
      loss.push(parametricLoss(LAW_PRESETS.epoch2024, n, d) * Math.exp(noise * rng.normal()));
    }
  }
  return { params: Float64Array.from(params), tokens: Float64Array.from(tokens), loss: Float64Array.from(loss) };
}

const SMALL_GRID = { a: [0, 5, 10], b: [0, 5, 10], e: [-1, 0, 1], alpha: [0, 0.5], beta: [0, 0.5] };

describe('Approach-3 fit', () => {
  it('the grid has 4500 starts in the replication order', () => {
    const starts = gridStarts(REPLICATION_GRID);
    expect(starts.length).toBe(4500);
    expect(starts[0]).toEqual([0, 0, -1, 0, 0]);
    expect(starts[1]).toEqual([0, 5, -1, 0, 0]);
    expect(starts[4499]).toEqual([25, 25, 1, 2, 2]);
  });

  it('recovers a known law from noiseless runs', () => {
    const fit = fitApproach3(syntheticRuns(0), { grid: SMALL_GRID });
    const law = LAW_PRESETS.epoch2024;
    expect(fit.objective).toBeLessThan(1e-12);
    expect(fit.E).toBeCloseTo(law.E, 4);
    expect(fit.alpha).toBeCloseTo(law.alpha, 4);
    expect(fit.beta).toBeCloseTo(law.beta, 4);
    expect(fit.A / law.A).toBeCloseTo(1, 3);
    expect(fit.B / law.B).toBeCloseTo(1, 3);
  });

  it('stays close under 1% noise', () => {
    const fit = fitApproach3(syntheticRuns(0.01), { grid: SMALL_GRID });
    expect(Math.abs(fit.alpha - 0.3478)).toBeLessThan(0.03);
    expect(Math.abs(fit.beta - 0.3658)).toBeLessThan(0.03);
    expect(Math.abs(fit.E - 1.8172)).toBeLessThan(0.05);
  });

  it('no start gives a lower objective than the best one (the fit is the minimum over starts)', () => {
    const runs = syntheticRuns(0.02);
    const log = toLogRuns(runs);
    const fit = fitFromStarts(log, gridStarts(SMALL_GRID));
    for (const s of gridStarts(SMALL_GRID)) expect(huberObjective(s, log, 1e-3)).toBeGreaterThanOrEqual(fit.objective);
  });

  it('drops the K highest losses as the replication does (loss < K-th highest)', () => {
    const runs = {
      params: Float64Array.from([1, 2, 3, 4, 5, 6]),
      tokens: Float64Array.from([1, 1, 1, 1, 1, 1]),
      loss: Float64Array.from([3, 9, 1, 7, 7, 2]),
    };
    expect(Array.from(dropHighestLoss(runs, 1).params)).toEqual([1, 3, 4, 5, 6]);
    // A tie at the threshold drops both tied runs.
    expect(Array.from(dropHighestLoss(runs, 2).params)).toEqual([1, 3, 6]);
    expect(dropHighestLoss(runs, 0)).toBe(runs);
    expect(() => dropHighestLoss(runs, 6)).toThrow(/dropHighestLoss must be an integer in \[0, 5\]/);
  });

  it('rejects bad runs naming the run and field, and too few runs', () => {
    const ok = syntheticRuns(0);
    expect(() => checkRuns({ ...ok, loss: ok.loss.map((v, i) => (i === 3 ? -1 : v)) })).toThrow(
      /run 4: loss must be a finite number > 0, got -1/,
    );
    expect(() => checkRuns({ ...ok, params: ok.params.map((v, i) => (i === 0 ? Number.NaN : v)) })).toThrow(
      /run 1: params/,
    );
    const few = { params: ok.params.slice(0, 5), tokens: ok.tokens.slice(0, 5), loss: ok.loss.slice(0, 5) };
    expect(() => fitApproach3(few)).toThrow(/too few runs to fit 5 parameters: got 5, need at least 6/);
  });
});
