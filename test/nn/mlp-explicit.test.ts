import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Scalar, type Tensor, type Tf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import {
  type ExplicitMlp,
  explicitMlpArrays,
  explicitMlpBackward,
  explicitMlpForward,
  explicitMlpIndexBackward,
  explicitMlpIndexLogits,
  explicitMlpInit,
  explicitMlpZeros,
  logProbGradToLogits,
} from '../../src/nn/index.js';

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));

/** The same network on the engine: value and gradients of L = sum(C * logits) by tf.variableGrads. */
function engineGrads(p: ExplicitMlp, inputs: Float64Array[] | number[], C: Float64Array) {
  const A = p.widths[p.widths.length - 1];
  const vars = explicitMlpArrays(p).map((a) => tf.variable(tf.tensor1d(a)));
  const dense = typeof inputs[0] !== 'number';
  const L = p.w.length;
  const { value, grads } = tf.variableGrads(() => {
    let k = 0;
    let h: Tensor;
    if (dense)
      h = tf.tensor2d(
        (inputs as Float64Array[]).flatMap((x) => Array.from(x)),
        [inputs.length, p.widths[0]],
      );
    else {
      const emb = vars[k++].reshape([-1, p.widths[0]]);
      h = tf.matMul(tf.oneHot(tf.tensor1d(inputs as number[], 'int32'), emb.shape[0]).toFloat(), emb);
    }
    for (let l = 0; l < L; l++) {
      const w = vars[k++].reshape([p.widths[l + 1], p.widths[l]]);
      h = tf.add(tf.matMul(h, w, false, true), vars[k++]);
      if (l + 1 < L && p.activation === 'tanh') h = tf.tanh(h);
    }
    return tf.sum(tf.mul(h, tf.tensor2d(Float32Array.from(C), [inputs.length, A]))) as Scalar;
  }, vars);
  const out = { value: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync()) };
  value.dispose();
  for (const v of vars) v.dispose();
  for (const g of Object.values(grads)) g.dispose();
  return out;
}

const coefficients = (n: number, A: number) => Float64Array.from({ length: n * A }, (_, i) => Math.sin(0.7 * i + 0.2));

describe('explicit MLP: dense input, tanh hidden layers', () => {
  const p = explicitMlpInit(new Rng(1), { widths: [5, 7, 6, 4], activation: 'tanh' });
  const xs = [0, 1, 2].map((n) => Float64Array.from({ length: 5 }, (_, i) => Math.cos(1.1 * i + n)));
  const C = coefficients(xs.length, 4);

  it('value and gradients equal the engine autodiff (1e-5)', () => {
    const g = explicitMlpZeros(p);
    let value = 0;
    xs.forEach((x, n) => {
      const f = explicitMlpForward(p, x);
      const c = C.subarray(n * 4, n * 4 + 4);
      value += f.logits.reduce((s, z, a) => s + z * c[a], 0);
      explicitMlpBackward(p, x, f, c, g);
    });
    const ref = engineGrads(p, xs, C);
    expect(value).toBeCloseTo(ref.value, 4);
    explicitMlpArrays(g).forEach((arr, k) => {
      expect(maxAbsDiff(arr, ref.grads[k])).toBeLessThan(1e-5);
    });
  });

  it('gradients equal central finite differences', () => {
    const x = xs[0];
    const c = C.subarray(0, 4);
    const loss = (q: ExplicitMlp) => explicitMlpForward(q, x).logits.reduce((s, z, a) => s + z * c[a], 0);
    const g = explicitMlpZeros(p);
    explicitMlpBackward(p, x, explicitMlpForward(p, x), c, g);
    const arrays = explicitMlpArrays(p);
    const gArrays = explicitMlpArrays(g);
    arrays.forEach((arr, k) => {
      for (const i of [0, Math.floor(arr.length / 2), arr.length - 1]) {
        const keep = arr[i];
        arr[i] = keep + 1e-2;
        const up = loss(p);
        const hi = arr[i];
        arr[i] = keep - 1e-2;
        const dn = loss(p);
        const lo = arr[i];
        arr[i] = keep;
        expect(gArrays[k][i]).toBeCloseTo((up - dn) / (hi - lo), 4); // float32 spacing of the steps
      }
    });
  });
});

describe('explicit MLP: index input (embedding -> linear, the GRPO bandit)', () => {
  const p = explicitMlpInit(new Rng(2), { widths: [6, 3], activation: 'identity', vocab: 5 });
  const idx = [4, 1, 4, 0, 1, 1];
  const C = coefficients(idx.length, 3);

  it('batched logits run once per distinct index and equal the per-row forward', () => {
    const logits = explicitMlpIndexLogits(p, idx);
    idx.forEach((i, n) => {
      expect(maxAbsDiff(logits.subarray(n * 3, n * 3 + 3), explicitMlpForward(p, i).logits)).toBe(0);
    });
  });

  it('batched gradients (rows of one index summed first) equal the engine autodiff (1e-5)', () => {
    const g = explicitMlpIndexBackward(p, idx, C);
    const ref = engineGrads(p, idx, C);
    explicitMlpArrays(g).forEach((arr, k) => {
      expect(maxAbsDiff(arr, ref.grads[k])).toBeLessThan(1e-5);
    });
    // Rows of the table that no input uses get no gradient (index 2 and 3).
    expect(Array.from(g.emb!.subarray(2 * 6, 4 * 6)).every((v) => v === 0)).toBe(true);
  });

  it('rejects an index outside the table and a dense input of the wrong width', () => {
    expect(() => explicitMlpForward(p, 5)).toThrow(/index 5/);
    const q = explicitMlpInit(new Rng(3), { widths: [3, 2], activation: 'tanh' });
    expect(() => explicitMlpForward(q, new Float64Array(4))).toThrow(/3 values/);
  });
});

describe('logProbGradToLogits', () => {
  it('is u (onehot(y) - softmax(z)): sums to zero and matches finite differences of u log softmax(z)[y]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2, maxLength: 6 }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (z, u) => {
          const y = z.length - 1;
          const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
          const f = (v: number[]) => u * (v[y] - lse(v));
          const logp = z.map((x) => x - lse(z));
          const dz = logProbGradToLogits(logp, y, u);
          const fd = z.map((_, i) => {
            const up = [...z];
            const dn = [...z];
            up[i] += 1e-6;
            dn[i] -= 1e-6;
            return (f(up) - f(dn)) / 2e-6;
          });
          return Math.abs(dz.reduce((s, x) => s + x, 0)) < 1e-9 && maxAbsDiff(dz, fd) < 1e-5;
        },
      ),
    );
  });
});
