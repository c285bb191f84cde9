import { describe, expect, it } from 'vitest';
import {
  FEATURES,
  features,
  type MlpParams,
  mlpBackward,
  mlpForward,
  mlpPolicyInit,
  sampleLossGrad,
  sft,
  zerosLike,
} from '../../src/causal/policy.js';
import { PUSH_ENV, type PushState } from '../../src/causal/scm.js';
import { Rng } from '../../src/core/rng.js';

const env = PUSH_ENV;
const state: PushState = { e: [0.3, 0.4], b: [0.5, 0.5], g: [0.7, 0.6] };

describe('policy MLP', () => {
  const p = mlpPolicyInit(new Rng(1), 8);
  const x = features(env, state);
  it('features have the documented size and are finite', () => {
    expect(x.length).toBe(FEATURES);
    expect(x.every(Number.isFinite)).toBe(true);
  });
  it('log-probs normalise', () => {
    const { logp } = mlpForward(p, x);
    expect(logp.reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 12);
  });
  for (const positive of [true, false]) {
    it(`analytic gradient of the ${positive ? 'cross-entropy' : 'unlikelihood'} loss equals finite differences`, () => {
      const y = 5;
      const f = (q: MlpParams) => sampleLossGrad(mlpForward(q, x).logp, y, positive, 0.7).loss;
      const { h, logp } = mlpForward(p, x);
      const g = zerosLike(p);
      mlpBackward(p, x, h, sampleLossGrad(logp, y, positive, 0.7).dz, g);
      for (const k of ['w1', 'b1', 'w2', 'b2'] as const) {
        for (const i of [0, 3, p[k].length - 1]) {
          const up = { ...p, [k]: p[k].slice() };
          const dn = { ...p, [k]: p[k].slice() };
          up[k][i] += 1e-2;
          dn[k][i] -= 1e-2;
          const fd = (f(up) - f(dn)) / (up[k][i] - dn[k][i]);
          expect(g[k][i]).toBeCloseTo(fd, 4);
        }
      }
    });
  }
  it('SFT raises the probability of the positive action and lowers the negative one', () => {
    const q = mlpPolicyInit(new Rng(2), 8);
    const before = mlpForward(q, x).logp;
    sft(
      env,
      q,
      [
        { state, actionIndex: 3, positive: true, source: 'real' },
        { state, actionIndex: 7, positive: false, source: 'generated' },
      ],
      new Rng(3),
      { steps: 50, batchSize: 2, lr: 1e-2, negativeWeight: 1 },
    );
    const after = mlpForward(q, x).logp;
    expect(after[3]).toBeGreaterThan(before[3] + 1);
    expect(after[7]).toBeLessThan(before[7]);
  });
});
