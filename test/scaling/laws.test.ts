import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataConstrainedLoss, effectiveData, uniqueParams } from '../../src/scaling/data-constrained.js';
import {
  KAPLAN_2020,
  kaplanLossD,
  kaplanLossN,
  kaplanLossND,
  LAW_PRESETS,
  lawPreset,
  parametricLoss,
} from '../../src/scaling/laws.js';
import { computeOptimal, equalSizeTable } from '../../src/scaling/optimal.js';

describe('scaling laws', () => {
  it("reproduces the lecture's N = D table for the Epoch fit to 3 decimals (Besiroglu et al. 2024 fit)", () => {
    const sizes = [1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14];
    const expected = [41.525, 19.081, 9.325, 5.083, 3.238, 2.436, 2.087, 1.935, 1.868, 1.839];
    const table = equalSizeTable(LAW_PRESETS.epoch2024, sizes);
    for (const [i, row] of table.entries()) expect(row.loss.toFixed(3)).toBe(expected[i].toFixed(3));
  });

  it('evaluates L = E + A N^-alpha + B D^-beta like a direct computation', () => {
    const law = LAW_PRESETS.hoffmann2022;
    const direct = 1.69 + 406.4 / 70e9 ** 0.34 + 410.7 / 1.4e12 ** 0.28;
    expect(parametricLoss(law, 70e9, 1.4e12)).toBeCloseTo(direct, 12);
    expect(() => lawPreset('nope')).toThrow(/law must be one of 'hoffmann2022', 'epoch2024', 'muennighoff2023'/);
  });

  it('Kaplan: L(N) at N_c is 1, L(D) at D_c is 1, and L(N, D) tends to its L(N) form as D grows', () => {
    expect(kaplanLossN(KAPLAN_2020.nC)).toBe(1);
    expect(kaplanLossD(KAPLAN_2020.dC)).toBe(1);
    const j = KAPLAN_2020.joint;
    expect(kaplanLossND(1e9, 1e40)).toBeCloseTo((j.nC / 1e9) ** j.alphaN, 10);
    expect(kaplanLossND(1e40, 1e9)).toBeCloseTo((j.dC / 1e9) ** j.alphaD, 10);
    expect(kaplanLossN(1e9)).toBeCloseTo((8.8e13 / 1e9) ** 0.076, 12);
  });

  it('Muennighoff: no repetition means D` = D; one epoch of extra data is worth almost one fresh epoch', () => {
    expect(effectiveData(1e9, 1e10)).toBe(1e9);
    expect(effectiveData(1e10, 1e10)).toBe(1e10);
    const u = 1e9;
    // Derivative of D' in D at R_D = 0 is 1: a little repetition is as good as new data.
    expect((effectiveData(u * (1 + 1e-6), u) - u) / (u * 1e-6)).toBeCloseTo(1, 5);
    // Many epochs saturate at U_D (1 + R_D*).
    expect(effectiveData(u * 1e6, u)).toBeCloseTo(u * (1 + 15.387756), -3);
  });

  it('Muennighoff: effective data grows with D but never beyond D (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e4, noNaN: true }),
        fc.double({ min: 1e6, max: 1e12, noNaN: true }),
        (epochs, u) => {
          const d = epochs * u;
          const eff = effectiveData(d, u);
          expect(eff).toBeLessThanOrEqual(d * (1 + 1e-12));
          expect(effectiveData(d * 1.5, u)).toBeGreaterThanOrEqual(eff);
        },
      ),
    );
  });

  it('Muennighoff: U_N is the compute-optimal size for U_D tokens, and the loss equals the plain law without repetition', () => {
    const law = LAW_PRESETS.muennighoff2023;
    const opt = computeOptimal(law, 1e21);
    expect(uniqueParams(law, 1e15, opt.tokens) / opt.params).toBeCloseTo(1, 10);
    expect(uniqueParams(law, 1e6, opt.tokens)).toBe(1e6);
    const n = 1e8;
    const r = dataConstrainedLoss(law, { params: n, tokens: 2e9, uniqueTokens: 1e12 });
    expect(r.loss).toBeCloseTo(parametricLoss(law, n, 2e9), 12);
    const repeated = dataConstrainedLoss(law, { params: n, tokens: 4e10, uniqueTokens: 1e9 });
    expect(repeated.effectiveTokens).toBeLessThan(4e10);
    expect(repeated.loss).toBeGreaterThan(parametricLoss(law, n, 4e10));
  });
});
