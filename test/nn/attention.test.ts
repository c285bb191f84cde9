import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Scalar, type Tensor, type Tf, type Variable } from '../../src/core/engine.js';
import { ConfigError, ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { type AttentionParams, attention, attentionInit, type RopeHook } from '../../src/nn/index.js';
import { type Attn64, attention64, finiteDiffGrads, maxRelError, weightedSum } from '../../testkit/nn-reference.js';

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});

const f64 = (t: Tensor) => Float64Array.from(t.dataSync());
const randn = (rng: Rng, shape: number[], std = 1) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, std), shape);

/** Engine RoPE for the test: pairs (2i, 2i+1) of [B, H, T, Dh] rotated by t·10000^(−2i/Dh). */
const ropeTf = (x: Tensor): Tensor =>
  tf.tidy(() => {
    const [, , t, dh] = x.shape;
    const ang = new Float32Array(t * (dh / 2));
    for (let p = 0; p < t; p++) for (let i = 0; i < dh / 2; i++) ang[p * (dh / 2) + i] = p * 10000 ** ((-2 * i) / dh);
    const a = tf.tensor(ang, [t, dh / 2]);
    const pairs = x.reshape([...x.shape.slice(0, 3), dh / 2, 2]);
    const [x0, x1] = tf.split(pairs, 2, -1).map((u) => u.squeeze([-1]));
    const y0 = x0.mul(tf.cos(a)).sub(x1.mul(tf.sin(a)));
    const y1 = x0.mul(tf.sin(a)).add(x1.mul(tf.cos(a)));
    return tf.stack([y0, y1], -1).reshape(x.shape);
  });
const rope: RopeHook = (q, k) => [ropeTf(q), ropeTf(k)];

/** Random biases too, so the bias paths are exercised. */
function init(rng: Rng, dim: number, heads: number, contextDim?: number): AttentionParams {
  const p = attentionInit(rng, { dim, heads, contextDim });
  for (const l of [p.wq, p.wk, p.wv, p.wo]) l.b?.assign(randn(rng, [dim], 0.3));
  return p;
}
const vars = (p: AttentionParams): Variable[] => [p.wq, p.wk, p.wv, p.wo].flatMap((l) => [l.w, l.b!]);
const to64 = (arrays: Float64Array[]): Attn64 => {
  const [wq, bq, wk, bk, wv, bv, wo, bo] = arrays;
  return { wq, bq, wk, bk, wv, bv, wo, bo };
};

describe('attention values vs the float64 loop', () => {
  const [b, t, d, heads] = [2, 4, 6, 3];
  it('self-attention, causal, masked, with RoPE', () => {
    const rng = new Rng(11);
    const p = init(rng, d, heads);
    const x = randn(rng, [b, t, d]);
    const ref = (o: Parameters<typeof attention64>[3]) =>
      attention64(to64(vars(p).map(f64)), f64(x), { b, t, d, heads }, o);
    const maxDiff = (a: Float64Array, c: Float64Array) => Math.max(...a.map((v, i) => Math.abs(v - c[i])));
    expect(maxDiff(f64(attention(p, x)), ref({}))).toBeLessThan(1e-5);
    expect(maxDiff(f64(attention(p, x, { causal: true })), ref({ causal: true }))).toBeLessThan(1e-5);
    expect(maxDiff(f64(attention(p, x, { rope })), ref({ rope: true }))).toBeLessThan(1e-5);
    const keep = new Float64Array([1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0]);
    const mask = tf.tensor(Float32Array.from(keep), [t, t]);
    expect(maxDiff(f64(attention(p, x, { mask })), ref({ mask: keep }))).toBeLessThan(1e-5);
    const both = f64(attention(p, x, { mask, causal: true }));
    expect(maxDiff(both, ref({ mask: keep, causal: true }))).toBeLessThan(1e-5);
    // the variants really differ (the options are not ignored)
    expect(maxDiff(ref({ causal: true }), ref({}))).toBeGreaterThan(1e-2);
    expect(maxDiff(ref({ rope: true }), ref({}))).toBeGreaterThan(1e-2);
  });

  it('the causal output at position t ignores later tokens', () => {
    const rng = new Rng(12);
    const p = init(rng, d, heads);
    const x = randn(rng, [1, t, d]);
    const x2 = tf.concat([x.slice([0, 0, 0], [1, 2, d]), randn(rng, [1, 2, d])], 1);
    const y1 = attention(p, x, { causal: true }).slice([0, 0, 0], [1, 2, d]);
    const y2 = attention(p, x2, { causal: true }).slice([0, 0, 0], [1, 2, d]);
    expect(Array.from(f64(y1))).toEqual(Array.from(f64(y2)));
  });

  it('cross-attention reads keys and values from the context', () => {
    const rng = new Rng(13);
    const [s, dc] = [5, 4];
    const p = init(rng, d, heads, dc);
    const x = randn(rng, [b, t, d]);
    const ctx = randn(rng, [b, s, dc]);
    const ref = attention64(to64(vars(p).map(f64)), f64(x), { b, t, d, heads, s, dc }, { context: f64(ctx) });
    const y = f64(attention(p, x, { context: ctx }));
    expect(Math.max(...y.map((v, i) => Math.abs(v - ref[i])))).toBeLessThan(1e-5);
  });

  it('rejects bad shapes and options with clear messages', () => {
    const rng = new Rng(14);
    expect(() => attentionInit(rng, { dim: 6, heads: 4 })).toThrow(/divisible by heads 4/);
    const p = init(rng, d, heads);
    expect(() => attention(p, tf.zeros([2, 4, 5]))).toThrow(ShapeError);
    expect(() => attention(p, tf.zeros([2, 4, 6]), { causal: true, context: tf.zeros([2, 3, 6]) })).toThrow(
      ConfigError,
    );
    expect(() => attention(p, tf.zeros([2, 4, 6]), { context: tf.zeros([1, 3, 6]) })).toThrow(/context must be/);
  });
});

describe('attention gradients vs central finite differences', () => {
  const [b, t, d, heads] = [1, 3, 4, 2];
  const check = (opts: { causal?: boolean; rope?: boolean; cross?: boolean }) => {
    const rng = new Rng(20);
    const [s, dc] = opts.cross ? [4, 3] : [t, d];
    const p = init(rng, d, heads, dc);
    const x = tf.variable(randn(rng, [b, t, d]));
    const ctx = opts.cross ? tf.variable(randn(rng, [b, s, dc])) : null;
    const r = rng.fillNormal(new Float64Array(b * t * d));
    const rt = tf.tensor(Float32Array.from(r), [b, t, d]);
    const vs: Variable[] = [...vars(p), x, ...(ctx ? [ctx] : [])];
    const tfOpts = { causal: opts.causal, rope: opts.rope ? rope : undefined, context: ctx ?? undefined };
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(attention(p, x, tfOpts), rt)) as Scalar, vs);
    const arrays = vs.map(f64);
    const loss64 = () =>
      weightedSum(
        attention64(
          to64(arrays.slice(0, 8)),
          arrays[8],
          { b, t, d, heads, s, dc },
          { causal: opts.causal, rope: opts.rope, context: ctx ? arrays[9] : undefined },
        ),
        r,
      );
    return maxRelError(
      vs.map((v) => f64(grads[v.name])),
      finiteDiffGrads(loss64, arrays),
    );
  };
  it('causal self-attention with RoPE', () => expect(check({ causal: true, rope: true })).toBeLessThan(5e-4));
  it('cross-attention (gradient reaches the context)', () => expect(check({ cross: true })).toBeLessThan(5e-4));
});
