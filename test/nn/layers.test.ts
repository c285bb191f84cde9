import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Scalar, type Tensor, type Tf, type Variable } from '../../src/core/engine.js';
import { ConfigError, ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import {
  embedding,
  embeddingInit,
  gelu,
  layerNorm,
  layerNormInit,
  linear,
  linearInit,
  mlp,
  mlpInit,
  normalVariable,
  rmsNorm,
  rmsNormInit,
} from '../../src/nn/index.js';
import {
  finiteDiffGrads,
  gelu64,
  layerNorm64,
  linear64,
  maxRelError,
  mlp64,
  rmsNorm64,
  weightedSum,
} from '../../testkit/nn-reference.js';

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});

const f64 = (t: Tensor) => Float64Array.from(t.dataSync());
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const randomTensor = (rng: Rng, shape: number[], std = 1) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, std), shape);

describe('linear', () => {
  it('equals x W + b on the last axis of a rank-3 input', () => {
    const rng = new Rng(1);
    const p = linearInit(rng, 4, 3);
    p.b?.assign(randomTensor(rng, [3]));
    const x = randomTensor(rng, [2, 3, 4]);
    const y = linear(p, x);
    expect(y.shape).toEqual([2, 3, 3]);
    expect(maxAbsDiff(f64(y), linear64(f64(x), f64(p.w), f64(p.b!), 6, 4))).toBeLessThan(1e-5);
    expect(linearInit(rng, 4, 3, { bias: false }).b).toBeUndefined();
  });

  it('rejects a wrong input width, naming the expected size', () => {
    const p = linearInit(new Rng(0), 4, 3);
    expect(() => linear(p, tf.zeros([2, 5]))).toThrow(/last dimension must be 4, got shape \[2, 5\]/);
    expect(() => linearInit(new Rng(0), 0, 3)).toThrow(ConfigError);
  });

  it('initialises w with std 1/√in from the seed (reproducible)', () => {
    const a = f64(linearInit(new Rng(5), 400, 50).w);
    const b = f64(linearInit(new Rng(5), 400, 50).w);
    expect(a).toEqual(b);
    const sd = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(sd).toBeCloseTo(1 / 20, 2);
  });
});

describe('embedding', () => {
  it('looks rows up and accumulates gradients for repeated ids', () => {
    const p = embeddingInit(new Rng(2), 5, 3);
    const ids = tf.tensor2d([[1, 3, 1]], [1, 3], 'int32');
    const table = f64(p.table);
    const y = f64(embedding(p, ids));
    expect(y.length).toBe(9);
    [1, 3, 1].forEach((id, i) => {
      for (let j = 0; j < 3; j++) expect(y[i * 3 + j]).toBeCloseTo(table[id * 3 + j], 6);
    });
    const r = tf.tensor3d([
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
    ]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(embedding(p, ids), r)) as Scalar, [p.table]);
    const g = f64(grads[p.table.name]);
    // rows: id 1 gets r0 + r2, id 3 gets r1, others 0
    expect(Array.from(g)).toEqual([0, 0, 0, 8, 10, 12, 0, 0, 0, 4, 5, 6, 0, 0, 0]);
  });

  it('rejects ids outside the vocabulary and non-int ids', () => {
    const p = embeddingInit(new Rng(2), 5, 3);
    expect(() => embedding(p, tf.tensor1d([0, 5], 'int32'))).toThrow(/id 5 at flat index 1 is outside \[0, 5\)/);
    expect(() => embedding(p, tf.tensor1d([0, 1]))).toThrow(ShapeError);
  });
});

describe('norms and GELU', () => {
  it('layerNorm matches the float64 loop, with non-trivial gamma/beta', () => {
    const rng = new Rng(3);
    const p = layerNormInit(6);
    p.gamma.assign(randomTensor(rng, [6]));
    p.beta.assign(randomTensor(rng, [6]));
    const x = randomTensor(rng, [4, 6], 3);
    const ref = layerNorm64(f64(x), f64(p.gamma), f64(p.beta));
    expect(maxAbsDiff(f64(layerNorm(p, x)), ref)).toBeLessThan(1e-5);
  });

  it('rmsNorm matches the float64 loop', () => {
    const rng = new Rng(4);
    const p = rmsNormInit(5);
    p.gamma.assign(randomTensor(rng, [5]));
    const x = randomTensor(rng, [3, 5], 2);
    expect(maxAbsDiff(f64(rmsNorm(p, x)), rmsNorm64(f64(x), f64(p.gamma)))).toBeLessThan(1e-5);
    expect(() => rmsNorm(p, tf.zeros([2, 4]))).toThrow(/must be 5/);
  });

  it('gelu is the exact erf form (differs from the tanh approximation)', () => {
    const xs = [-4, -2.5, -1, -0.3, 0, 0.3, 1, 2.5, 4];
    const y = f64(gelu(tf.tensor1d(xs)));
    xs.forEach((x, i) => {
      expect(y[i]).toBeCloseTo(gelu64(x), 5);
    });
    expect(gelu64(1)).toBeCloseTo(0.8413447460685429, 12); // Φ(1) = 0.841344746...
  });

  it('layerNorm gradient matches finite differences of the float64 loop', () => {
    const rng = new Rng(6);
    const p = layerNormInit(5);
    p.gamma.assign(randomTensor(rng, [5]));
    const xv = tf.variable(randomTensor(rng, [3, 5]));
    const r = rng.fillNormal(new Float64Array(15));
    const rt = tf.tensor(Float32Array.from(r), [3, 5]);
    const vars: Variable[] = [xv, p.gamma, p.beta];
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layerNorm(p, xv), rt)) as Scalar, vars);
    const arrays = vars.map(f64);
    const fd = finiteDiffGrads(() => weightedSum(layerNorm64(arrays[0], arrays[1], arrays[2]), r), arrays);
    expect(
      maxRelError(
        vars.map((v) => f64(grads[v.name])),
        fd,
      ),
    ).toBeLessThan(2e-4);
  });
});

describe('mlp', () => {
  const dims = [4, 6, 5, 2];
  it('value matches the float64 loop (GELU between layers, none after the last)', () => {
    const rng = new Rng(7);
    const p = mlpInit(rng, dims);
    for (const l of p.layers) l.b?.assign(randomTensor(rng, [l.b.shape[0]], 0.5));
    const x = randomTensor(rng, [3, 4]);
    const ref = mlp64(
      p.layers.map((l) => ({ w: f64(l.w), b: f64(l.b!) })),
      f64(x),
      3,
    );
    expect(maxAbsDiff(f64(mlp(p, x)), ref)).toBeLessThan(1e-5);
    expect(maxAbsDiff(f64(mlp(p, x, { activation: 'relu' })), ref)).toBeGreaterThan(1e-3);
  });

  it('gradients (weights, biases, input) match central finite differences', () => {
    const rng = new Rng(8);
    const p = mlpInit(rng, dims);
    for (const l of p.layers) l.b?.assign(randomTensor(rng, [l.b.shape[0]], 0.5));
    const xv = tf.variable(randomTensor(rng, [3, 4]));
    const r = rng.fillNormal(new Float64Array(6));
    const rt = tf.tensor(Float32Array.from(r), [3, 2]);
    const vars: Variable[] = [xv, ...p.layers.flatMap((l) => [l.w, l.b!])];
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(mlp(p, xv), rt)) as Scalar, vars);
    const arrays = vars.map(f64);
    const loss64 = () => {
      const layers = p.layers.map((_, i) => ({ w: arrays[1 + 2 * i], b: arrays[2 + 2 * i] }));
      return weightedSum(mlp64(layers, arrays[0], 3), r);
    };
    const err = maxRelError(
      vars.map((v) => f64(grads[v.name])),
      finiteDiffGrads(loss64, arrays),
    );
    expect(err).toBeLessThan(2e-4);
  });

  it('rejects too few dims', () => {
    expect(() => mlpInit(new Rng(0), [3])).toThrow(/at least 2 sizes/);
  });

  it('keeps no intermediate tensors alive (engine memory rule)', () => {
    const p = mlpInit(new Rng(9), dims);
    const x = normalVariable(new Rng(1), [2, 4], 1);
    const before = tf.memory().numTensors;
    const y = mlp(p, x);
    expect(tf.memory().numTensors).toBe(before + 1);
    y.dispose();
  });
});
