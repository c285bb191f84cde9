import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Scalar, type Tf } from '../../src/core/engine.js';
import {
  adamw,
  arrayAdamwInit,
  arrayAdamwStateEntries,
  arrayAdamwStateFrom,
  arrayAdamwStep,
} from '../../src/nn/index.js';

// torch.optim.AdamW trajectories (float64) from test/nn/fixtures/make_adamw_golden.py.
interface GoldenCase {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  grads: number[][][];
  params: number[][][];
}
const golden = JSON.parse(readFileSync(new URL('./fixtures/adamw-golden.json', import.meta.url), 'utf8')) as {
  init: number[][];
  steps: number;
  cases: Record<string, GoldenCase>;
};
const cases = Object.entries(golden.cases);

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});

/** Max |a - b| over two parameter lists. */
const maxDiff = (a: ArrayLike<number>[], b: number[][]) =>
  Math.max(...b.flatMap((row, k) => row.map((x, i) => Math.abs(a[k][i] - x))));

describe('the one AdamW rule against torch.optim.AdamW', () => {
  it.each(cases)('%s: the plain-array back-end follows the torch trajectory (within 2e-6, float32 storage)', (_, c) => {
    const params = golden.init.map((p) => Float32Array.from(p));
    const state = arrayAdamwInit(params.map((p) => p.length));
    for (let k = 0; k < golden.steps; k++) {
      arrayAdamwStep(params, c.grads[k], state, c);
      expect(maxDiff(params, c.params[k])).toBeLessThan(2e-6);
    }
    expect(state.step).toBe(golden.steps);
  });

  it.each(cases)('%s: the engine back-end follows the torch trajectory (within 2e-6)', (_, c) => {
    const vars = golden.init.map((p, k) => tf.variable(tf.tensor1d(p), true, `golden${k}`));
    const opt = adamw({ ...c, decayFilter: () => true });
    for (let k = 0; k < golden.steps; k++) {
      const g = c.grads[k].map((row) => tf.tensor1d(row));
      // loss = sum_j <p_j, g_j> has gradient g_j.
      opt.step(() => tf.addN(vars.map((v, j) => tf.sum(tf.mul(v, g[j])))) as Scalar, { a: vars[0], b: vars[1] });
      for (const t of g) t.dispose();
      expect(
        maxDiff(
          vars.map((v) => v.dataSync()),
          c.params[k],
        ),
      ).toBeLessThan(2e-6);
    }
    opt.dispose();
    for (const v of vars) v.dispose();
  });

  it('first step moves every element by at most lr beyond the decay (|m̂| / √v̂ = 1 at t = 1)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        (g, lr) => {
          const p = new Float32Array(g.length).fill(0.5);
          arrayAdamwStep([p], [g], arrayAdamwInit([g.length]), { lr, weightDecay: 0 });
          return Array.from(p).every((x) => Math.abs(x - 0.5) <= lr * (1 + 1e-6) + 1e-7);
        },
      ),
    );
  });
});

describe('plain-array AdamW state in a checkpoint', () => {
  it('round-trips through named arrays as copies', () => {
    const params = [Float32Array.of(1, -2, 3), Float32Array.of(0.5)];
    const state = arrayAdamwInit([3, 1]);
    arrayAdamwStep(params, [[0.1, 0.2, -0.3], [1]], state, { lr: 0.01 });
    arrayAdamwStep(params, [[0.3, -0.1, 0.2], [-2]], state, { lr: 0.01 });
    const entries = arrayAdamwStateEntries(state);
    expect(Object.keys(entries).sort()).toEqual(['m0', 'm1', 'optStep', 'v0', 'v1']);
    const back = arrayAdamwStateFrom(entries, 2);
    expect(back).toEqual(state);
    entries.m0[0] = 99;
    expect(back.m[0][0]).not.toBe(99);
    expect(state.m[0][0]).not.toBe(99);
  });
});
