import { describe, expect, it } from 'vitest';
import { engineBackend, getTf, type Tensor, tfSync } from '../../src/core/engine.js';

describe('core/engine', () => {
  it('runs on the wasm backend and exposes the namespace synchronously once ready', async () => {
    const tf = await getTf();
    expect(engineBackend()).toBe('wasm');
    expect(tfSync()).toBe(tf);
  });

  it('matmuls with transposed operands (rewritten to explicit transposes, direct or swapped) equal the plain product', async () => {
    const tf = await getTf();
    const cases: [number[], number[], boolean, boolean][] = [
      [[7, 5], [7, 3], true, false],
      [[4, 5], [6, 5], false, true],
      [[5, 4], [6, 5], true, true],
      [[2, 3, 4, 5], [2, 3, 6, 5], false, true], // attention scores q·kᵀ
      // cases where (op(B)ᵀ·op(A)ᵀ)ᵀ copies less than transposing the operand (dX = dY·Wᵀ with a large W)
      [[4, 6], [50, 6], false, true],
      [[50, 4], [50, 3], true, false],
      [[2, 3, 4, 5], [2, 3, 40, 5], false, true],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const a = tf.randomNormal(sa, 0, 1, 'float32', 1);
      const b = tf.randomNormal(sb, 0, 1, 'float32', 2);
      const r = sa.length;
      const perm = sa.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
      const got = tf.matMul(a, b, ta, tb);
      const want = tf.matMul(ta ? a.transpose(perm) : a, tb ? b.transpose(perm) : b);
      expect(got.shape).toEqual(want.shape);
      const [g, w] = [got.dataSync(), want.dataSync()];
      expect(Math.max(...g.map((v, i) => Math.abs(v - w[i])))).toBeLessThan(1e-5);
    }
    // and the gradient of a matmul (which uses transposed matmuls) matches the closed form dL/dA = G·Bᵀ
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const b = tf.tensor2d([
      [5, 6, 7],
      [8, 9, 10],
    ]);
    const g = tf.grad((x: Tensor) => tf.sum(tf.matMul(x as typeof a, b)))(a);
    expect(Array.from(g.dataSync())).toEqual([18, 27, 18, 27]);
  });

  it('frees its temporary transposes (backend data ids, both forms)', async () => {
    const tf = await getTf();
    const a = tf.ones([8, 3]);
    const dy = tf.ones([4, 6]);
    const w = tf.ones([50, 6]);
    tf.matMul(dy, w, false, true).dispose(); // warm-up
    const tensors = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    for (let i = 0; i < 5; i++) {
      tf.matMul(a, a, true, false).dispose(); // direct form
      tf.matMul(dy, w, false, true).dispose(); // swapped form
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(ids);
  });
});
