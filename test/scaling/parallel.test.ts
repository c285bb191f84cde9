import { describe, expect, it } from 'vitest';
import { bootstrapFit } from '../../src/scaling/bootstrap.js';
import { fitApproach3, type Runs } from '../../src/scaling/fit.js';
import { LAW_PRESETS, parametricLoss } from '../../src/scaling/laws.js';
import { bootstrapParallel, fitApproach3Parallel } from '../../src/scaling/parallel.js';

function runs(): Runs {
  const params: number[] = [];
  const tokens: number[] = [];
  const loss: number[] = [];
  for (let i = 0; i < 6; i++)
    for (let j = 0; j < 6; j++) {
      params.push(1e7 * 10 ** (i * 0.5));
      tokens.push(1e8 * 10 ** (j * 0.5));
      loss.push(
        parametricLoss(LAW_PRESETS.hoffmann2022, params.at(-1) as number, tokens.at(-1) as number) *
          (1 + 0.003 * Math.sin(i * 7 + j)),
      );
    }
  return { params: Float64Array.from(params), tokens: Float64Array.from(tokens), loss: Float64Array.from(loss) };
}

const GRID = { a: [0, 5, 10], b: [0, 5, 10], e: [-1, 0, 1], alpha: [0, 0.5], beta: [0.5] };

describe('worker threads', () => {
  it('the grid fit over 2 workers equals the single-thread fit', async () => {
    const one = fitApproach3(runs(), { grid: GRID });
    const two = await fitApproach3Parallel(runs(), { grid: GRID, threads: 2 });
    expect(two.theta).toEqual(one.theta);
    expect(two.objective).toBe(one.objective);
    expect(two.optima.length).toBe(one.optima.length);
  }, 60_000);

  it('the bootstrap over 2 workers gives the same samples as on one thread', async () => {
    const fit = fitApproach3(runs(), { grid: GRID });
    const starts = [fit.theta];
    const one = bootstrapFit(fit.logRuns, starts, 11, { resamples: 12 });
    const two = await bootstrapParallel(fit.logRuns, starts, 11, { resamples: 12 }, {}, { threads: 2 });
    expect(two.samples.map((s) => Array.from(s))).toEqual(one.samples.map((s) => Array.from(s)));
    expect(two.summary).toEqual(one.summary);
  }, 60_000);
});
