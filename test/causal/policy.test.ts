import { describe, expect, it } from 'vitest';
import {
  FEATURES,
  features,
  mlpForward,
  mlpPolicyInit,
  sampleLossGrad,
  setLossGrad,
  sft,
} from '../../src/causal/policy.js';
import { PUSH_ENV, type PushState } from '../../src/causal/scm.js';
import { logSoftmax } from '../../src/core/math.js';
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
    it(`dL/dlogits of the ${positive ? 'cross-entropy' : 'unlikelihood'} loss equals finite differences`, () => {
      const y = 5;
      const z = Float64Array.from({ length: 24 }, (_, i) => Math.sin(1.3 * i));
      const f = (zz: Float64Array) => sampleLossGrad(logSoftmax(zz), y, positive, 0.7).loss;
      const { dz } = sampleLossGrad(logSoftmax(z), y, positive, 0.7);
      for (const i of [0, y, 23]) {
        const up = z.slice();
        const dn = z.slice();
        up[i] += 1e-5;
        dn[i] -= 1e-5;
        expect(dz[i]).toBeCloseTo((f(up) - f(dn)) / 2e-5, 7);
      }
    });
  }
  it('dL/dlogits of the set-valued loss -log sum_S pi equals finite differences; a singleton set is cross-entropy', () => {
    const z = Float64Array.from({ length: 24 }, (_, i) => Math.cos(0.7 * i));
    const set = [2, 5, 17];
    const f = (zz: Float64Array) => setLossGrad(logSoftmax(zz), set, 0.7).loss;
    const { dz } = setLossGrad(logSoftmax(z), set, 0.7);
    for (const i of [0, 2, 5, 17, 23]) {
      const up = z.slice();
      const dn = z.slice();
      up[i] += 1e-5;
      dn[i] -= 1e-5;
      expect(dz[i]).toBeCloseTo((f(up) - f(dn)) / 2e-5, 7);
    }
    const one = setLossGrad(logSoftmax(z), [5], 0.7);
    const ce = sampleLossGrad(logSoftmax(z), 5, true, 0.7);
    expect(one.loss).toBeCloseTo(ce.loss, 12);
    for (let i = 0; i < 24; i++) expect(one.dz[i]).toBeCloseTo(ce.dz[i], 12);
  });
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
