import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { section } from '../../src/eval/tour.js';

describe('lm tour section', () => {
  it('evaluates the shipped model (quick) and reports finite perplexities and an accuracy', async () => {
    const r = await section!.run({ quick: true, rng: new Rng(0), seed: 0, log: () => {} });
    const rows = r.tables![0].rows;
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(Number.isFinite(row[4] as number) && (row[4] as number) >= 1).toBe(true);
    const acc = (r.data as { additionAccuracy: { base: number } }).additionAccuracy.base;
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(acc).toBeLessThanOrEqual(1);
    expect(r.figures!.length).toBeGreaterThanOrEqual(1);
  });
});
