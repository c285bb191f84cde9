import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Scalar, type Tf, type Variable } from '../../src/core/engine.js';
import { ConfigError, ModelMathError } from '../../src/core/errors.js';
import { adamw, lrAt } from '../../src/nn/index.js';

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});

/** Hand-iterated AdamW (PyTorch form) in float64 for one parameter array. */
function adamw64(
  p: number[],
  grads: number[][],
  o: { lr: (t: number) => number; b1: number; b2: number; eps: number; wd: number; clip?: number; decay: boolean },
) {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g0, k) => {
    const t = k + 1;
    const norm = Math.sqrt(g0.reduce((s, g) => s + g * g, 0));
    const scale = o.clip !== undefined && norm > o.clip ? o.clip / (norm + 1e-6) : 1;
    const lr = o.lr(k);
    p.forEach((_, i) => {
      const g = g0[i] * scale;
      m[i] = o.b1 * m[i] + (1 - o.b1) * g;
      v[i] = o.b2 * v[i] + (1 - o.b2) * g * g;
      const mhat = m[i] / (1 - o.b1 ** t);
      const vhat = v[i] / (1 - o.b2 ** t);
      p[i] = p[i] * (o.decay ? 1 - lr * o.wd : 1) - (lr * mhat) / (Math.sqrt(vhat) + o.eps);
    });
  });
  return p;
}

describe('adamw', () => {
  it('one step equals the closed form p(1 − lr λ) − lr g/(|g| + ε)', () => {
    const w = tf.variable(tf.tensor2d([[1, -2, 0.5]]));
    const c = tf.tensor2d([[0.3, -0.7, 2]]);
    const opt = adamw({ lr: 0.1, weightDecay: 0.5 });
    const loss = opt.step(() => tf.sum(tf.mul(w, c)) as Scalar, { w });
    expect(loss).toBeCloseTo(1 * 0.3 + -2 * -0.7 + 0.5 * 2, 5);
    const expected = [1, -2, 0.5].map(
      (p, i) => p * (1 - 0.1 * 0.5) - (0.1 * [0.3, -0.7, 2][i]) / (Math.abs([0.3, -0.7, 2][i]) + 1e-8),
    );
    Array.from(w.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 6);
    });
    expect(opt.stepCount).toBe(1);
    expect(opt.lastGradNorm).toBeCloseTo(Math.hypot(0.3, 0.7, 2), 5);
  });

  it('three steps with a schedule, clipping and large ε match the float64 hand iteration', () => {
    // loss = Σ (w − target)² → g = 2 (w − target); ε = 0.5 makes the update depend on |g| (clipping shows)
    const target = [0.5, -1, 2, 0];
    const w = tf.variable(tf.tensor2d([[3, 1, -1, 0.2]]));
    const b = tf.variable(tf.tensor1d([1, -1])); // rank 1: not decayed
    const sched = { warmupSteps: 1, totalSteps: 3, peak: 0.2, floor: 0.02 };
    const opt = adamw({ lr: (s) => lrAt(s, sched), beta1: 0.8, beta2: 0.9, eps: 0.5, weightDecay: 0.1, clipNorm: 1 });
    const tt = tf.tensor2d([target]);
    const wHist: number[][] = [];
    const gw: number[][] = [];
    const gb: number[][] = [];
    for (let k = 0; k < 3; k++) {
      const wv = Array.from(w.dataSync());
      const bv = Array.from(b.dataSync());
      wHist.push(wv);
      // global norm covers both params: collect their gradients, then clip jointly
      gw.push(wv.map((x, i) => 2 * (x - target[i])));
      gb.push(bv.map((x) => 2 * x));
      opt.step(() => tf.add(tf.sum(tf.square(tf.sub(w, tt))), tf.sum(tf.square(b))) as Scalar, { w, b });
    }
    const joint = gw.map((g, k) => [...g, ...gb[k]]);
    const o = { lr: (s: number) => lrAt(s, sched), b1: 0.8, b2: 0.9, eps: 0.5, wd: 0.1, clip: 1 };
    // simulate the joint clip by hand: iterate both params with the joint scale
    const pw = adamw64([...wHist[0], 1, -1], joint, { ...o, decay: true }).slice(0, 4);
    const pb = adamw64([3, 1, -1, 0.2, 1, -1], joint, { ...o, decay: false }).slice(4);
    Array.from(w.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(pw[i], 5);
    });
    Array.from(b.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(pb[i], 5);
    });
    expect(opt.lastLr).toBeCloseTo(lrAt(2, sched), 12);
  });

  it('state round trip: a restored optimiser continues identically', () => {
    const make = () =>
      tf.variable(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      );
    const loss = (w: Variable) => () => tf.sum(tf.square(tf.sub(w, 1.5))) as Scalar;
    const w1 = make();
    const o1 = adamw({ lr: 0.05 });
    for (let i = 0; i < 3; i++) o1.step(loss(w1), { w: w1 });
    const state = o1.getState();
    const w2 = tf.variable(w1.clone());
    const o2 = adamw({ lr: 0.05 });
    o2.setState(state);
    o1.step(loss(w1), { w: w1 });
    o2.step(loss(w2), { w: w2 });
    expect(Array.from(w2.dataSync())).toEqual(Array.from(w1.dataSync()));
    expect(o2.stepCount).toBe(4);
  });

  it('validates its configuration and refuses a non-finite loss', () => {
    expect(() => adamw({ lr: -1 })).toThrow(ConfigError);
    expect(() => adamw({ lr: 0.1, beta1: 1 })).toThrow(/beta1/);
    expect(() => adamw({ lr: 0.1, clipNorm: 0 })).toThrow(/clipNorm/);
    const w = tf.variable(tf.tensor1d([1]));
    const before = Array.from(w.dataSync());
    const opt = adamw({ lr: 0.1 });
    expect(() => opt.step(() => tf.sum(tf.log(tf.sub(w, 2))) as Scalar, { w })).toThrow(ModelMathError);
    expect(Array.from(w.dataSync())).toEqual(before);
  });

  it('leaves no tensors behind after a step', () => {
    const w = tf.variable(tf.tensor2d([[1, 2]]));
    const opt = adamw({ lr: 0.1 });
    opt.step(() => tf.sum(tf.square(w)) as Scalar, { w }); // creates the moments
    const before = tf.memory().numTensors;
    opt.step(() => tf.sum(tf.square(w)) as Scalar, { w });
    expect(tf.memory().numTensors).toBe(before);
  });
});
