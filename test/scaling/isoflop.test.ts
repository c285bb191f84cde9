import { describe, expect, it } from 'vitest';
import { CHINCHILLA_CSV, readRunsCsv } from '../../src/scaling/data-file.js';
import { fitIsoFlop, fitLine, fitParabola } from '../../src/scaling/isoflop.js';
import { LAW_PRESETS, parametricLoss } from '../../src/scaling/laws.js';
import { computeOptimal } from '../../src/scaling/optimal.js';

describe('Approach 2 (iso-FLOP parabolas)', () => {
  it('least-squares line and parabola recover exact coefficients', () => {
    const x = [-2, -1, 0, 1, 2, 3];
    const line = fitLine(
      x,
      x.map((v) => 1.5 - 0.25 * v),
    );
    expect(line.slope).toBeCloseTo(-0.25, 12);
    expect(line.intercept).toBeCloseTo(1.5, 12);
    const [c0, c1, c2] = fitParabola(
      x,
      x.map((v) => 0.5 + 2 * v + 3 * v * v),
    );
    expect(c0).toBeCloseTo(0.5, 9);
    expect(c1).toBeCloseTo(2, 9);
    expect(c2).toBeCloseTo(3, 9);
  });

  it('on exact iso-FLOP profiles of a law, recovers N_opt and the exponent beta / (alpha + beta)', () => {
    const law = LAW_PRESETS.epoch2024;
    const params: number[] = [];
    const flops: number[] = [];
    const loss: number[] = [];
    const budgets = [1e18, 1e19, 1e20, 1e21, 1e22];
    for (const c of budgets) {
      const opt = computeOptimal(law, c);
      for (let k = -4; k <= 4; k++) {
        const n = opt.params * 10 ** (k * 0.1);
        params.push(n);
        flops.push(c);
        loss.push(parametricLoss(law, n, c / (6 * n)));
      }
    }
    const fit = fitIsoFlop({ params, flops, loss });
    expect(fit.buckets.length).toBe(5);
    fit.buckets.forEach((b, i) => {
      expect(b.rejected).toBeNull();
      expect(Math.abs(Math.log((b.optimum?.params as number) / computeOptimal(law, budgets[i]).params))).toBeLessThan(
        0.02,
      );
    });
    expect(fit.paramsExponent).toBeCloseTo(law.beta / (law.alpha + law.beta), 2);
    expect((fit.paramsExponent as number) + (fit.tokensExponent as number)).toBeCloseTo(1, 10);
  });

  it('rejects buckets without a minimum and reports no exponent with fewer than 2 buckets', () => {
    const params = [1e8, 2e8, 4e8, 8e8, 1.6e9];
    const fit = fitIsoFlop({ params, flops: params.map(() => 1e20), loss: [2, 2.2, 2.5, 2.9, 3.4] });
    expect(fit.buckets[0].rejected).toMatch(/vertex outside|opens downward/);
    expect(fit.paramsExponent).toBeNull();
  });

  it('on the Chinchilla runs gives a parameter exponent near Hoffmann Approach 2 (0.49)', () => {
    const runs = readRunsCsv(CHINCHILLA_CSV);
    const fit = fitIsoFlop(runs);
    expect(fit.paramsExponent).toBeGreaterThan(0.4);
    expect(fit.paramsExponent).toBeLessThan(0.6);
  });
});
