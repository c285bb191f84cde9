import { describe, expect, it } from 'vitest';
import { pairedDifferences, type Run } from '../../src/causal/tour.js';

const stage = (successRate: number, collisionRate: number) => ({
  successRate,
  collisionRate,
  meanForce: 2,
  budgetEnvSteps: 100,
});
const curves = { rl: [], pureRl: [] };

/** Five seeds at one size: real-only, augmented and GRPO numbers chosen by hand. */
const runs: Run[] = [
  [0.2, 0.1, 0.3, 0.05, 0.35, 0.04],
  [0.4, 0.2, 0.5, 0.3, 0.45, 0.1],
  [0.1, 0.1, 0.1, 0.1, 0.2, 0.1],
  [0.5, 0.15, 0.7, 0.1, 0.8, 0.05],
  [0.3, 0.05, 0.25, 0.2, 0.4, 0.02],
].map(([rs, rc, as, ac, gs, gc], i) => ({
  realTrajectories: 8,
  seed: i + 1,
  sftReal: stage(rs, rc),
  sftAugmented: stage(as, ac),
  rl: stage(gs, gc),
  curves,
}));

describe('causal tour: paired differences over seeds', () => {
  const diffs = pairedDifferences(runs);
  const find = (name: string) => diffs.find((d) => d.comparison === name)!;

  it('means are the mean of per-seed differences and "better" counts strict wins in the right direction', () => {
    const success = find('success: augmented SFT - real-only SFT');
    // differences 0.1, 0.1, 0, 0.2, -0.05
    expect(success.mean).toBeCloseTo(0.07, 12);
    expect(success.better).toBe(3);
    expect(success.seeds).toBe(5);
    const collision = find('collision: augmented SFT - real-only SFT');
    // differences -0.05, 0.1, 0, -0.05, 0.15: lower is better, so two seeds
    expect(collision.mean).toBeCloseTo(0.03, 12);
    expect(collision.better).toBe(2);
    const grpo = find('collision: + GRPO - real-only SFT');
    expect(grpo.mean).toBeCloseTo((-0.06 - 0.1 + 0 - 0.1 - 0.03) / 5, 12);
    expect(grpo.better).toBe(4);
  });

  it('intervals hold the mean and lie within the range of the per-seed differences', () => {
    for (const d of diffs) {
      expect(d.ci95[0]).toBeLessThanOrEqual(d.mean + 1e-12);
      expect(d.ci95[1]).toBeGreaterThanOrEqual(d.mean - 1e-12);
    }
    const success = find('success: augmented SFT - real-only SFT');
    expect(success.ci95[0]).toBeGreaterThanOrEqual(-0.05 - 1e-12);
    expect(success.ci95[1]).toBeLessThanOrEqual(0.2 + 1e-12);
  });

  it('a stage compared with an identical one gives zero difference, a zero-width interval and no wins', () => {
    const same = runs.map((r) => ({ ...r, sftAugmented: r.sftReal }));
    const d = pairedDifferences(same).find((x) => x.comparison === 'success: augmented SFT - real-only SFT')!;
    expect(d.mean).toBe(0);
    expect(d.ci95).toEqual([0, 0]);
    expect(d.better).toBe(0);
  });

  it('only seeds that ran both stages are paired', () => {
    const partial = runs.map((r, i) => (i === 0 ? { ...r, rl: undefined } : r));
    const d = pairedDifferences(partial).find((x) => x.comparison === 'success: + GRPO - augmented SFT')!;
    expect(d.seeds).toBe(4);
  });
});
