import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { median, type RecoveryRun, readSuite, summarizeRuns } from '../../src/physics/summary.js';
import { section } from '../../src/physics/tour.js';

const run = (seed: number, estimate: number, noise = 0): RecoveryRun => ({
  system: 'led',
  seed,
  substeps: 1,
  noise,
  background: 'plain',
  params: { k: { estimate, true: 0.8, relativeError: Math.abs(estimate - 0.8) / 0.8 } },
  latentFit: { scale: 1, offset: 0, r2: 0.99 },
  secondsPerEpoch: 0.1,
});

describe('recovery summaries', () => {
  it('median of odd and even lists, and it lies between min and max', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1 }), (xs) => {
        const m = median(xs);
        expect(m).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(m).toBeLessThanOrEqual(Math.max(...xs));
      }),
    );
  });

  it('groups by system, parameter and condition', () => {
    const rows = summarizeRuns([run(1, 0.8), run(2, 0.88), run(3, 0.76), run(1, 1.2, 0.1)]);
    expect(rows).toHaveLength(2);
    const clean = rows.find((r) => r.noise === 0)!;
    expect(clean.seeds).toBe(3);
    expect(clean.medianEstimate).toBeCloseTo(0.8, 12);
    expect(clean.medianError).toBeCloseTo(0.05, 12);
    expect([clean.minError, clean.maxError]).toEqual([0, expect.closeTo(0.1, 12)]);
  });

  it('reads suites: missing is null, corrupt is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-phys-sum-'));
    expect(readSuite(join(dir, 'none.json'))).toBeNull();
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => readSuite(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
  });

  it('the tour section runs quickly and shows the filmstrip and the bias table', async () => {
    const r = await section.run({ quick: true, rng: new Rng(0), seed: 0, log: () => {} });
    expect(r.images?.[0].png.subarray(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47]));
    const bias = r.tables![0];
    const eq6 = bias.rows.find(
      (row) => row[0] === 'oscillator' && row[1] === 'g0' && String(row[2]).startsWith('Eq. 6'),
    )!;
    expect(eq6[4]).toBeCloseTo(3.889, 1);
  });
});
