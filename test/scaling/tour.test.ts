import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { contourTokens } from '../../src/scaling/figures.js';
import { LAW_PRESETS, parametricLoss } from '../../src/scaling/laws.js';
import { section } from '../../src/scaling/tour.js';

describe('scaling tour section', () => {
  it('quick mode returns the fit, tables and three figures with the lecture table matching', async () => {
    const r = await section.run({ quick: true, rng: new Rng(0), seed: 0, log: () => {} });
    expect(r.figures?.length).toBe(3);
    expect(r.tables?.length).toBe(4);
    const lecture = r.tables?.[1];
    for (const row of lecture?.rows ?? []) expect(row[1]).toBe(row[2]);
    const fit = r.data?.fit as { objective: number; alpha: number };
    expect(fit.objective).toBeLessThan(1.0183e-3);
    expect(fit.alpha).toBeCloseTo(0.3473, 3);
    expect(JSON.stringify(r.figures)).not.toContain('NaN');
  }, 60_000);

  it('contour tokens lie on the loss level set', () => {
    const law = LAW_PRESETS.epoch2024;
    const d = contourTokens(law, 2.5, 1e9) as number;
    expect(parametricLoss(law, 1e9, d)).toBeCloseTo(2.5, 10);
    expect(contourTokens(law, 1.9, 1e7)).toBeNull();
  });
});
