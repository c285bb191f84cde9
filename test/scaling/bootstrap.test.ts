import { describe, expect, it } from 'vitest';
import { bootstrapFit } from '../../src/scaling/bootstrap.js';

describe('bootstrap', () => {
  it('rejects bad settings', () => {
    const logRuns = { logN: new Float64Array(6), logD: new Float64Array(6), logL: new Float64Array(6) };
    expect(() => bootstrapFit(logRuns, [[0, 0, 0, 0, 0]], 0, { resamples: 1 })).toThrow(/resamples must be/);
    expect(() => bootstrapFit(logRuns, [[0, 0, 0, 0, 0]], 0, { level: 1 })).toThrow(/level must be/);
  });
});
