import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { section } from '../../src/rope/tour.js';

describe('rope tour section', () => {
  it('runs quickly and its live checks hold', async () => {
    const r = await section!.run({ quick: true, rng: new Rng(0), seed: 0, log: () => {} });
    const data = r.data as { maxFactsErr: number; diagSpread: number; layoutErr: number };
    expect(data.maxFactsErr).toBeLessThan(1e-7);
    expect(data.diagSpread).toBeLessThan(1e-4);
    expect(data.layoutErr).toBeLessThan(1e-4);
    expect(r.figures?.length).toBe(3);
  });
});
