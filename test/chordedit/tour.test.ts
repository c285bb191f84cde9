import { describe, expect, it } from 'vitest';
import { section } from '../../src/chordedit/tour.js';
import { Rng } from '../../src/core/rng.js';

describe('chordedit tour section', () => {
  it('runs quickly and reports an exact closed-form match and the energy bound', async () => {
    const r = await section.run({ quick: true, rng: new Rng(1), seed: 1, log: () => {} });
    const data = r.data as { closedFormMaxError: number; energy: number[][]; methods: unknown[][] };
    expect(data.closedFormMaxError).toBeLessThan(1e-5);
    for (const [, , , u, bound] of data.energy) expect(u).toBeLessThanOrEqual(bound * (1 + 1e-6));
    expect(data.methods.map((m) => m[0])).toEqual([
      'chord',
      'naive',
      'sdedit',
      'sdedit-ddim',
      'ddim-inversion',
      'chord, no refinement',
    ]);
    expect(data.methods[5][2]).toBe('∞ (unchanged)');
    expect(r.images?.[0].png.length).toBeGreaterThan(100);
  });
});
