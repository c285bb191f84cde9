import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Scalar, type Tensor, type Tf, type Variable } from '../../src/core/engine.js';
import { configureMatMul, matMulCounts, matMulRouting } from '../../src/core/engine-matmul.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { attention, attentionInit, mlp, mlpInit } from '../../src/nn/index.js';
import { attention64, finiteDiffGrads, maxRelError, mlp64, weightedSum } from '../../testkit/nn-reference.js';

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});
const DEFAULT_MIN_MACS = matMulRouting().minMacs;
afterEach(() => {
  configureMatMul({ minMacs: DEFAULT_MIN_MACS, threads: 1 });
});

const f64 = (t: Tensor) => Float64Array.from(t.dataSync());
const randn = (rng: Rng, shape: number[], std = 1) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, std), shape);

/** op(a) op(b) by loops in float64 for rank-2 or equal-batch operands (b may be a matrix). */
function matMul64(a: Tensor, b: Tensor, tA: boolean, tB: boolean): Float64Array {
  const [A, B] = [f64(a), f64(b)];
  const [ra, rb] = [a.shape.length, b.shape.length];
  const [m, k] = tA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const n = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = Math.max(A.length / (m * k), B.length / (k * n));
  const out = new Float64Array(batch * m * n);
  for (let q = 0; q < batch; q++) {
    const [oa, ob] = [A.length > m * k ? q * m * k : 0, B.length > k * n ? q * k * n : 0];
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += A[oa + (tA ? l * m + i : i * k + l)] * B[ob + (tB ? j * k + l : l * n + j)];
        out[(q * m + i) * n + j] = s;
      }
  }
  return out;
}

describe('large matmuls on ONNX Runtime (core/engine-matmul.ts)', () => {
  it('is available here and routes by size: large to ONNX Runtime, small to the wasm kernel', () => {
    expect(matMulRouting().onnxRuntime).toBe(true);
    const before = { ...matMulCounts };
    tf.matMul(tf.ones([64, 48]), tf.ones([48, 32])).dispose(); // 98,304 multiply-adds
    expect(matMulCounts.onnx).toBe(before.onnx + 1);
    tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])).dispose();
    expect(matMulCounts.wasm).toBe(before.wasm + 1);
  });

  it('equals float64 loops for every transpose pattern, batched, and with a broadcast matrix', () => {
    const rng = new Rng(3);
    const cases: [number[], number[], boolean, boolean][] = [
      [[64, 48], [48, 40], false, false],
      [[48, 64], [48, 40], true, false],
      [[64, 48], [40, 48], false, true],
      [[48, 64], [40, 48], true, true],
      [[2, 3, 37, 40], [2, 3, 40, 32], false, false],
      [[2, 3, 40, 37], [2, 3, 32, 40], true, true],
      [[5, 37, 40], [40, 64], false, false],
      [[40, 37], [5, 40, 64], true, false],
    ];
    for (const [sa, sb, tA, tB] of cases) {
      const [a, b] = [randn(rng, sa), randn(rng, sb)];
      const before = matMulCounts.onnx;
      const y = tf.matMul(a, b, tA, tB);
      expect(matMulCounts.onnx).toBe(before + 1);
      const want = matMul64(a, b, tA, tB);
      expect(y.size).toBe(want.length);
      expect(maxRelError([y.dataSync()], [want])).toBeLessThan(1e-6);
    }
  });

  it('gives the same results with 2 threads', () => {
    const rng = new Rng(4);
    const [a, b] = [randn(rng, [96, 80]), randn(rng, [96, 72])];
    const one = f64(tf.matMul(a, b, true, false));
    configureMatMul({ threads: 2 });
    expect(maxRelError([f64(tf.matMul(a, b, true, false))], [one])).toBeLessThan(1e-6);
  });

  /**
   * With every matmul routed to ONNX Runtime: the gradients of sum(forward(vars) * r) against central
   * finite differences of the float64 `loss64(arrays)`; also checks that no matmul ran on wasm.
   */
  function gradientError(
    vars: Variable[],
    forward: () => Tensor,
    r: Float64Array,
    loss64: (arrays: Float64Array[], r: Float64Array) => number,
  ): number {
    const probe = forward();
    const shape = probe.shape;
    probe.dispose();
    const rt = tf.tensor(Float32Array.from(r), shape);
    const before = matMulCounts.wasm;
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(forward(), rt)) as Scalar, vars);
    expect(matMulCounts.wasm).toBe(before);
    const arrays = vars.map(f64);
    const fd = finiteDiffGrads(() => loss64(arrays, r), arrays);
    return maxRelError(
      vars.map((v) => f64(grads[v.name])),
      fd,
    );
  }

  it('MLP gradients with every matmul on ONNX Runtime match central finite differences', () => {
    configureMatMul({ minMacs: 0 });
    const rng = new Rng(5);
    const p = mlpInit(rng, [4, 6, 5, 2]);
    for (const l of p.layers) l.b?.assign(randn(rng, [l.b.shape[0]], 0.5));
    const x = tf.variable(randn(rng, [3, 4]));
    const vars: Variable[] = [x, ...p.layers.flatMap((l) => [l.w, l.b!])];
    const loss64 = (arrays: Float64Array[], r: Float64Array) =>
      weightedSum(
        mlp64(
          [0, 1, 2].map((i) => ({ w: arrays[1 + 2 * i], b: arrays[2 + 2 * i] })),
          arrays[0],
          3,
        ),
        r,
      );
    expect(gradientError(vars, () => mlp(p, x), rng.fillNormal(new Float64Array(6)), loss64)).toBeLessThan(2e-4);
  });

  it('attention gradients with every matmul on ONNX Runtime match central finite differences', () => {
    configureMatMul({ minMacs: 0 });
    const [b, t, d, heads] = [1, 3, 4, 2];
    const rng = new Rng(20);
    const p = attentionInit(rng, { dim: d, heads });
    const layers = [p.wq, p.wk, p.wv, p.wo];
    for (const l of layers) l.b?.assign(randn(rng, [d], 0.3));
    const x = tf.variable(randn(rng, [b, t, d]));
    const vars: Variable[] = [...layers.flatMap((l) => [l.w, l.b!]), x];
    const loss64 = (arrays: Float64Array[], r: Float64Array) => {
      const [wq, bq, wk, bk, wv, bv, wo, bo] = arrays;
      return weightedSum(
        attention64({ wq, bq, wk, bk, wv, bv, wo, bo }, arrays[8], { b, t, d, heads }, { causal: true }),
        r,
      );
    };
    const r = rng.fillNormal(new Float64Array(b * t * d));
    expect(gradientError(vars, () => attention(p, x, { causal: true }), r, loss64)).toBeLessThan(5e-4);
  });

  it('second derivatives through the ONNX Runtime kernel equal those through the wasm kernel', () => {
    const rng = new Rng(6);
    const [w, x0] = [randn(rng, [32, 48], 0.3), randn(rng, [40, 32])];
    // d/dw of ||d/dx sum(tanh(x w))||^2: a matmul gradient differentiated again (as score matching needs)
    const outer = () =>
      tf.grad((wv: Tensor) => {
        const inner = tf.grad((xv: Tensor) => tf.sum(tf.tanh(tf.matMul(xv, wv))))(x0);
        return tf.sum(tf.square(inner)) as Scalar;
      })(w);
    configureMatMul({ minMacs: 0 });
    const viaOnnx = f64(outer());
    configureMatMul({ minMacs: 2 ** 53 });
    const viaWasm = f64(outer());
    expect(maxRelError([viaOnnx], [viaWasm])).toBeLessThan(1e-5);
  });

  it('leaves mismatched shapes to the wasm kernel, which reports them', () => {
    expect(() => tf.matMul(tf.ones([96, 80]), tf.ones([80, 72]), true, false)).toThrow(/inner/i);
  });

  it('frees what it allocates and validates its settings', () => {
    const a = tf.ones([64, 48]);
    const b = tf.ones([48, 32]);
    tf.matMul(a, b).dispose();
    const [tensors, ids] = [tf.memory().numTensors, tf.backend().numDataIds()];
    for (let i = 0; i < 5; i++) tf.matMul(a, b, false, false).dispose();
    expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual([tensors, ids]);
    expect(() => configureMatMul({ threads: 0 })).toThrow(ConfigError);
    expect(() => configureMatMul({ minMacs: -1 })).toThrow(ConfigError);
  });
});
