import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Scalar, type Tensor, type Tf, type Variable } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { mlp, mlpInit } from '../../src/nn/index.js';
import { maxRelError, mlp64 } from '../../testkit/nn-reference.js';

// Energy models and score matching need gradients of gradients: score = −∇ₓE, then ∂/∂θ of a loss on it.
let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});
const f64 = (t: Tensor) => Float64Array.from(t.dataSync());

describe('higher-order gradients through nn layers', () => {
  const dims = [2, 6, 1];
  const n = 3;

  it('∂/∂θ Σ‖∇ₓ E_θ(x)‖² matches nested finite differences of the float64 MLP', () => {
    const p = mlpInit(new Rng(30), dims);
    for (const l of p.layers) l.b?.assign(tf.tensor(new Rng(31).fillNormal(new Float32Array(l.b.size), 0, 0.5)));
    const x = tf.tensor(new Rng(32).fillNormal(new Float32Array(n * 2)), [n, 2]);
    const energy = (xx: Tensor) => tf.sum(mlp(p, xx));
    const vars: Variable[] = p.layers.flatMap((l) => [l.w, l.b!]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.grad(energy)(x))) as Scalar, vars);

    const arrays = vars.map(f64);
    const x64 = f64(x);
    const e64 = (xs: Float64Array) =>
      mlp64(
        [
          { w: arrays[0], b: arrays[1] },
          { w: arrays[2], b: arrays[3] },
        ],
        xs,
        n,
      ).reduce((a, b) => a + b, 0);
    const scoreLoss = () => {
      const h = 1e-4;
      let s = 0;
      for (let i = 0; i < x64.length; i++) {
        const xp = x64.slice();
        const xm = x64.slice();
        xp[i] += h;
        xm[i] -= h;
        s += ((e64(xp) - e64(xm)) / (2 * h)) ** 2;
      }
      return s;
    };
    const fd = arrays.map((arr) => {
      const g = new Float64Array(arr.length);
      for (let i = 0; i < arr.length; i++) {
        const v0 = arr[i];
        arr[i] = v0 + 1e-4;
        const fp = scoreLoss();
        arr[i] = v0 - 1e-4;
        const fm = scoreLoss();
        arr[i] = v0;
        g[i] = (fp - fm) / 2e-4;
      }
      return g;
    });
    // the output bias does not move ∇ₓE: tfjs returns no gradient for it, finite differences give 0
    expect(grads[vars[3].name]).toBeUndefined();
    expect(Math.max(...fd[3].map(Math.abs))).toBeLessThan(1e-6);
    const analytic = vars.map((v) => (grads[v.name] ? f64(grads[v.name]) : new Float64Array(v.size)));
    expect(maxRelError(analytic, fd)).toBeLessThan(1e-3);
  });
});
