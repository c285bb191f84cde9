import { describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import {
  BANDIT_DEFAULTS,
  type BanditParams,
  banditInit,
  banditLogProbs,
  banditReward,
  banditVjpPlain,
} from '../../src/grpo/bandit.js';
import { banditVjpTf } from '../../src/grpo/bandit-tf.js';
import { runLectureBandit } from '../../src/grpo/lecture.js';

const spec = BANDIT_DEFAULTS;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('bandit policy (lecture Policy: Embedding(32,64) + Linear(64,8))', () => {
  it('PyTorch init: embedding ~ N(0,1), linear weight and bias in U(-1/8, 1/8)', () => {
    const p = banditInit(spec, new Rng(1));
    const mean = p.emb.reduce((s, v) => s + v, 0) / p.emb.length;
    const variance = p.emb.reduce((s, v) => s + (v - mean) ** 2, 0) / p.emb.length;
    expect(Math.abs(mean)).toBeLessThan(0.08);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
    for (const w of [...p.weight, ...p.bias]) expect(Math.abs(w)).toBeLessThanOrEqual(0.125);
    expect(Math.max(...p.weight.map(Math.abs))).toBeGreaterThan(0.11);
  });

  it('reward is 1 iff action == prompt % 8', () => {
    expect(banditReward([3, 11, 12, 31], [3, 3, 5, 7], 8)).toEqual([1, 1, 0, 1]);
  });

  const params = banditInit(spec, new Rng(2));
  const rng = new Rng(3);
  const prompts = Array.from({ length: 24 }, () => rng.int(spec.numPrompts));
  prompts[1] = prompts[0]; // repeated prompts exercise the per-prompt summation
  const actions = Array.from({ length: 24 }, () => rng.int(spec.numActions));
  const upstream = Float64Array.from({ length: 24 }, () => rng.normal());

  it('analytic gradient equals the engine autodiff (tfjs) gradient', async () => {
    const tf = await getTf();
    const plain = banditVjpPlain(params, spec, prompts, actions, () => upstream);
    const engine = banditVjpTf(tf)(params, spec, prompts, actions, () => upstream);
    expect(maxAbsDiff(plain.logp, engine.logp)).toBeLessThan(1e-5);
    for (const k of ['emb', 'weight', 'bias'] as const) {
      expect(maxAbsDiff(plain.grads[k], engine.grads[k])).toBeLessThan(1e-5);
    }
  });

  it('analytic gradient equals central finite differences (float64 objective)', () => {
    const f = (p: BanditParams) => {
      const lp = banditLogProbs(p, spec, prompts);
      return actions.reduce((s, a, n) => s + upstream[n] * lp[n * spec.numActions + a], 0);
    };
    const { grads } = banditVjpPlain(params, spec, prompts, actions, () => upstream);
    for (const k of ['emb', 'weight', 'bias'] as const) {
      for (const i of [0, 5, prompts[0] * spec.hiddenDim + 3, params[k].length - 1]) {
        if (i >= params[k].length) continue;
        const up = { ...params, [k]: params[k].slice() };
        const dn = { ...params, [k]: params[k].slice() };
        up[k][i] += 1e-2;
        dn[k][i] -= 1e-2;
        const step = up[k][i] - dn[k][i]; // exact float32 spacing
        expect(grads[k][i]).toBeCloseTo((f(up) - f(dn)) / step, 3);
      }
    }
  });
});

describe('the lecture script on the GRPO trainer', () => {
  it('learns the bandit and is deterministic for a seed', async () => {
    const a = await runLectureBandit({ steps: 300, seed: 5 });
    const b = await runLectureBandit({ steps: 300, seed: 5 });
    expect(a.curve).toEqual(b.curve);
    const first = a.curve.slice(0, 20).reduce((s, v) => s + v, 0) / 20;
    expect(first).toBeLessThan(0.3); // near chance (1/8) at the start
    expect(a.meanRewardLast50).toBeGreaterThan(0.6);
    expect(a.klToRef).toBeGreaterThan(0);
  });
});
