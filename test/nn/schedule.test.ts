import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { lrAt, lrSchedule } from '../../src/nn/index.js';

const cfg = { warmupSteps: 10, totalSteps: 110, peak: 1e-3, floor: 1e-4 };

describe('lrAt', () => {
  it('phase 1: linear warm-up reaching peak at step warmupSteps − 1', () => {
    expect(lrAt(0, cfg)).toBeCloseTo(1e-4, 15);
    expect(lrAt(4, cfg)).toBeCloseTo(5e-4, 15);
    expect(lrAt(9, cfg)).toBeCloseTo(1e-3, 15);
  });
  it('phase 2: cosine from peak to floor (half-way = mean of the two)', () => {
    expect(lrAt(10, cfg)).toBeCloseTo(1e-3, 15);
    expect(lrAt(60, cfg)).toBeCloseTo(5.5e-4, 15);
    expect(lrAt(35, cfg)).toBeCloseTo(1e-4 + 0.5 * (1 + Math.cos(Math.PI / 4)) * 9e-4, 15);
  });
  it('phase 3: constant floor from totalSteps on', () => {
    expect(lrAt(110, cfg)).toBe(1e-4);
    expect(lrAt(10_000, cfg)).toBe(1e-4);
  });
  it('no warm-up starts at peak', () => {
    expect(lrAt(0, { ...cfg, warmupSteps: 0 })).toBe(1e-3);
  });
  it('stays in [floor, peak] and never increases after warm-up (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 200 }), (s) => {
        const a = lrAt(s, cfg);
        expect(a).toBeGreaterThanOrEqual(cfg.floor);
        expect(a).toBeLessThanOrEqual(cfg.peak);
        expect(lrAt(s + 1, cfg)).toBeLessThanOrEqual(a + 1e-18);
      }),
    );
  });
  it('cuts a warm-up longer than the run to totalSteps - 1 steps (short runs work)', () => {
    const short = { ...cfg, warmupSteps: 50, totalSteps: 10 };
    // the same as a 9-step warm-up: peak * (step + 1) / 9, reaching the peak at step 8
    for (let s = 0; s < 9; s++) expect(lrAt(s, short)).toBeCloseTo((cfg.peak * (s + 1)) / 9, 15);
    expect(lrAt(9, short)).toBeCloseTo(cfg.peak, 15);
    expect(lrAt(10, short)).toBe(cfg.floor);
    expect(lrAt(0, { ...cfg, warmupSteps: 5, totalSteps: 1 })).toBe(cfg.peak);
  });
  it('rejects bad configs and steps, naming the field', () => {
    expect(() => lrAt(0, { ...cfg, floor: 1 })).toThrow(ConfigError);
    expect(() => lrAt(-1, cfg)).toThrow(/step/);
    expect(() => lrSchedule({ ...cfg, peak: 0 })).toThrow(/peak/);
    expect(lrSchedule(cfg)(60)).toBe(lrAt(60, cfg));
  });
});
