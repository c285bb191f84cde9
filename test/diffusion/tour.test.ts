import { beforeAll, describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { loadLabModel } from '../../src/diffusion/lab/lab.js';
import { section, TOUR_WEIGHTS } from '../../src/diffusion/tour.js';

describe('diffusion tour section (quick)', () => {
  beforeAll(async () => {
    await getTf();
  });

  it('loads the shipped weights: one energy and one eps network trained on moons (5000 steps)', () => {
    expect(loadLabModel(TOUR_WEIGHTS.energy).config).toMatchObject({ model: 'energy', data: 'moons', steps: 5000 });
    expect(loadLabModel(TOUR_WEIGHTS.eps).config).toMatchObject({ model: 'eps', data: 'moons', steps: 5000 });
  });

  it('returns the closed-form checks, score errors for both networks and the four figures', async () => {
    const r = await section.run({ quick: true, rng: new Rng(0), seed: 0, log: () => {} });
    const checks = r.tables?.[0];
    for (const [name, computed, expected] of checks?.rows ?? []) {
      expect(Math.abs(Number(computed) - Number(expected)), String(name)).toBeLessThan(1e-6);
    }
    const errors = r.tables?.[2].rows ?? [];
    expect(new Set(errors.map((row) => row[0]))).toEqual(new Set(['energy', 'eps']));
    expect(errors.every((row) => Number.isFinite(row[3]))).toBe(true);
    expect(r.figures?.length).toBe(5); // schedules, landscape, 2 x samples, score error
    expect(JSON.stringify(r.figures?.[1].vegaLite)).toContain('"mark":{"type":"rect"}');
  });
});
