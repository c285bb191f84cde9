import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { KL_ESTIMATORS, LOSS_TYPES, validateGrpoConfig } from '../../src/grpo/config.js';
import {
  aggregationWeights,
  besselStd,
  clippedSurrogate,
  combineRewards,
  groupAdvantages,
  grpoLoss,
  klGrad,
  klK1,
  klK2,
  klK3,
  klValue,
  maskedMean,
} from '../../src/grpo/loss.js';

describe('groupAdvantages (hand-computed)', () => {
  it('group scale: [1,0,0,0] -> mean 0.25, Bessel std 0.5 -> [1.5, -0.5, -0.5, -0.5]', () => {
    const a = groupAdvantages([1, 0, 0, 0], 4, 'group', 1e-8);
    expect(Array.from(a)).toEqual([1.5, -0.5, -0.5, -0.5].map((v) => expect.closeTo(v, 7)));
  });
  it('none: only the group mean is subtracted', () => {
    expect(Array.from(groupAdvantages([1, 0, 0, 0], 4, 'none', 1e-8))).toEqual([0.75, -0.25, -0.25, -0.25]);
  });
  it('batch: std over all rewards, means per group', () => {
    // rewards [1,0 | 3,3]: batch mean 1.75, Bessel var = (0.5625+3.0625+1.5625+1.5625)/3 = 2.25 -> std 1.5
    const a = groupAdvantages([1, 0, 3, 3], 2, 'batch', 0);
    expect(Array.from(a)).toEqual([0.5 / 1.5, -0.5 / 1.5, 0, 0].map((v) => expect.closeTo(v, 12)));
  });
  it('a group with equal rewards gets zero advantages (std + eps keeps it finite)', () => {
    expect(Array.from(groupAdvantages([1, 1, 1], 3, 'group', 1e-8))).toEqual([0, 0, 0]);
  });
  it('property: every group has zero mean, and unit Bessel std when its rewards differ', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }), (r) => {
        const a = groupAdvantages(r, 4, 'group', 1e-12);
        expect(Math.abs(a.reduce((s, v) => s + v, 0))).toBeLessThan(1e-9);
        if (besselStd(r) > 0) expect(besselStd(a)).toBeCloseTo(1, 6);
      }),
    );
  });
  it('rejects a length that is not a multiple of the group size', () => {
    expect(() => groupAdvantages([1, 2, 3], 2, 'group', 1e-4)).toThrow(/multiple of numGenerations/);
  });
});

describe('KL estimators', () => {
  const lp = Math.log(0.5);
  const ref = Math.log(0.25);
  it('hand values at pi = 0.5, pi_ref = 0.25', () => {
    expect(klK1(lp, ref)).toBeCloseTo(Math.LN2, 12);
    expect(klK2(lp, ref)).toBeCloseTo(0.5 * Math.LN2 ** 2, 12);
    // k3 = pi_ref/pi - log(pi_ref/pi) - 1 = 0.5 + ln 2 - 1
    expect(klK3(lp, ref)).toBeCloseTo(0.5 + Math.LN2 - 1, 12);
  });
  it('k3 is an unbiased estimator of KL(pi||ref): E_pi[k3] equals the exact KL', () => {
    const p = [0.7, 0.2, 0.1];
    const q = [0.3, 0.3, 0.4];
    const exact = p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]), 0);
    const viaK3 = p.reduce((s, pi, i) => s + pi * klK3(Math.log(pi), Math.log(q[i])), 0);
    const viaK1 = p.reduce((s, pi, i) => s + pi * klK1(Math.log(pi), Math.log(q[i])), 0);
    expect(viaK3).toBeCloseTo(exact, 12);
    expect(viaK1).toBeCloseTo(exact, 12);
  });
  it('gradients match central finite differences', () => {
    for (const kind of KL_ESTIMATORS) {
      for (const x of [-2.3, -0.7, -0.05]) {
        const h = 1e-6;
        const fd = (klValue(kind, x + h, -1.1) - klValue(kind, x - h, -1.1)) / (2 * h);
        expect(klGrad(kind, x, -1.1)).toBeCloseTo(fd, 6);
      }
    }
  });
});

describe('clipped surrogate (hand-computed)', () => {
  it('A > 0, ratio 1.5 > 1 + eps: clipped value -1.2, zero gradient', () => {
    const s = clippedSurrogate(1.5, 1, 0.2, 0.2);
    expect(s.value).toBeCloseTo(-1.2, 12);
    expect(s.grad).toBe(0);
  });
  it('A < 0, ratio 1.5: the unclipped term is the minimum, value 1.5, gradient 1.5', () => {
    const s = clippedSurrogate(1.5, -1, 0.2, 0.2);
    expect(s.value).toBeCloseTo(1.5, 12);
    expect(s.grad).toBeCloseTo(1.5, 12);
  });
  it('clip-higher: ratio 1.25 is inside (1 - 0.2, 1 + 0.28)', () => {
    const s = clippedSurrogate(1.25, 2, 0.2, 0.28);
    expect(s.value).toBeCloseTo(-2.5, 12);
    expect(s.grad).toBeCloseTo(-2.5, 12);
  });
  it('A < 0, ratio 0.5 < 1 - eps: clipped, value 0.8, zero gradient', () => {
    const s = clippedSurrogate(0.5, -1, 0.2, 0.2);
    expect(s.value).toBeCloseTo(0.8, 12);
    expect(s.grad).toBe(0);
  });
});

describe('maskedMean and combineRewards', () => {
  it('maskedMean([1,2,3,4],[1,0,1,0]) = 2, and an all-zero mask gives 0', () => {
    expect(maskedMean([1, 2, 3, 4], [1, 0, 1, 0])).toBe(2);
    expect(maskedMean([1, 2], [0, 0])).toBe(0);
  });
  it('weighted sum of reward functions', () => {
    expect(
      Array.from(
        combineRewards(
          [
            [1, 0],
            [0.5, 2],
          ],
          [2, -1],
        ),
      ),
    ).toEqual([1.5, -2]);
  });
});

describe('grpoLoss aggregations (hand-computed)', () => {
  // N=2, T=3, ratio 1 everywhere, A = [1, -2], row 0 has 2 valid tokens, row 1 has 3:
  // per-token loss -A -> row 0: -1, -1; row 1: 2, 2, 2.
  const base = {
    logp: [-1, -2, -3, -1, -1, -1],
    oldLogp: [-1, -2, -3, -1, -1, -1],
    advantages: [1, -2],
    mask: [1, 1, 0, 1, 1, 1],
    T: 3,
  };
  const expected: Record<string, number> = { grpo: (-1 + 2) / 2, bnpo: 4 / 5, dapo: 4 / 5, dr_grpo: 4 / 6 };
  for (const lossType of LOSS_TYPES) {
    it(`${lossType}: loss ${expected[lossType]}`, () => {
      const r = grpoLoss(base, { lossType, epsilon: 0.2, beta: 0, klEstimator: 'k3' });
      expect(r.loss).toBeCloseTo(expected[lossType], 12);
      expect(r.grad[2]).toBe(0); // masked token
      expect(r.kl).toBe(0);
    });
  }
  it('beta adds beta * k3 per token: one token, pi = 0.5, pi_ref = 0.25', () => {
    const r = grpoLoss(
      { logp: [Math.log(0.5)], oldLogp: [Math.log(0.5)], refLogp: [Math.log(0.25)], advantages: [0], mask: [1], T: 1 },
      { lossType: 'grpo', epsilon: 0.2, beta: 0.05, klEstimator: 'k3' },
    );
    expect(r.loss).toBeCloseTo(0.05 * (0.5 + Math.LN2 - 1), 12);
    expect(r.kl).toBeCloseTo(0.5 + Math.LN2 - 1, 12);
  });
  it('clip fractions count low (A<0) and high (A>0) clipping', () => {
    const r = grpoLoss(
      {
        logp: [Math.log(0.5), Math.log(1.5), 0, 0],
        oldLogp: [0, 0, 0, 0],
        advantages: [-1, 1, 1, 1],
        mask: [1, 1, 1, 1],
        T: 1,
      },
      { lossType: 'bnpo', epsilon: 0.2, beta: 0, klEstimator: 'k3' },
    );
    expect(r.clipLow).toBe(0.25);
    expect(r.clipHigh).toBe(0.25);
  });
  it('shape errors name the input', () => {
    expect(() =>
      grpoLoss({ ...base, mask: [1, 1] }, { lossType: 'grpo', epsilon: 0.2, beta: 0, klEstimator: 'k3' }),
    ).toThrow(/mask has 2 entries, expected 6/);
    expect(() => grpoLoss(base, { lossType: 'grpo', epsilon: 0.2, beta: 0.1, klEstimator: 'k3' })).toThrow(/refLogp/);
  });
});

describe('grpoLoss gradient vs central finite differences', () => {
  const rng = new Rng(7);
  const N = 4;
  const T = 3;
  const size = N * T;
  const oldLogp = Float64Array.from({ length: size }, () => -0.2 - 2 * rng.uniform());
  const refLogp = Float64Array.from({ length: size }, () => -0.2 - 2 * rng.uniform());
  const mask = Float64Array.from({ length: size }, (_, i) => (i === 5 || i === 11 ? 0 : 1));
  const advantages = [1.3, -0.7, 0.4, -1.1];
  // Log-ratios chosen away from the clip kinks at log(0.8), log(1.2), log(1.28).
  const offsets = [-0.5, -0.1, 0.05, 0.1, 0.3, -0.3, 0.12, -0.15, 0.4, 0.0, -0.02, 0.2];
  const logp = Float64Array.from(oldLogp, (v, i) => v + offsets[i]);
  for (const lossType of LOSS_TYPES) {
    for (const klEstimator of KL_ESTIMATORS) {
      it(`${lossType} / ${klEstimator}`, () => {
        const opts = { lossType, epsilon: 0.2, epsilonHigh: 0.28, beta: 0.1, klEstimator };
        const f = (x: Float64Array) => grpoLoss({ logp: x, oldLogp, refLogp, advantages, mask, T }, opts).loss;
        const { grad } = grpoLoss({ logp, oldLogp, refLogp, advantages, mask, T }, opts);
        const h = 1e-6;
        for (let i = 0; i < size; i++) {
          const up = logp.slice();
          const dn = logp.slice();
          up[i] += h;
          dn[i] -= h;
          expect(grad[i]).toBeCloseTo((f(up) - f(dn)) / (2 * h), 6);
        }
      });
    }
  }
});

describe('validateGrpoConfig', () => {
  it('defaults are valid and presets merge', () => {
    expect(validateGrpoConfig({}).numGenerations).toBe(8);
    expect(validateGrpoConfig({ lossType: 'dapo', epsilonHigh: 0.28 }).epsilonHigh).toBe(0.28);
  });
  it('states the rule, the values and the fix', () => {
    expect(() => validateGrpoConfig({ numGenerations: 1 })).toThrow(ConfigError);
    expect(() => validateGrpoConfig({ numGenerations: 1 })).toThrow(/numGenerations/);
    expect(() => validateGrpoConfig({ rewardWeights: [1, 2] }, 1)).toThrow(/2 weights but there are 1 reward/);
    expect(() => validateGrpoConfig({ epsilon: 0.3, epsilonHigh: 0.2 })).toThrow(/epsilonHigh \(0.2\) is below/);
    expect(() => validateGrpoConfig({ lossType: 'ppo' as never })).toThrow(/lossType/);
    expect(() => validateGrpoConfig({ beta: Number.NaN })).toThrow(/beta/);
  });
  it('an unknown estimator or loss type in the loss math is a ConfigError naming the setting', () => {
    expect(() => klValue('k4' as never, 0, 0)).toThrow(ConfigError);
    expect(() => klGrad('k4' as never, 0, 0)).toThrow(/klEstimator must be 'k1', 'k2' or 'k3', got k4/);
    expect(() => aggregationWeights('ppo' as never, [1], 1)).toThrow(ConfigError);
  });
});
