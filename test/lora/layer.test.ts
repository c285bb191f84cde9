import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, type Scalar, type Tf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import {
  addLora,
  baseWeightOutIn,
  isLoraLinear,
  type LoraLinearParams,
  loraEffective,
  loraForward,
  loraLinear,
  loraLinearInit,
  loraParamCount,
  loraTrainable,
  mergeLora,
  mergeLoraLayers,
  rowNorms,
} from '../../src/lora/index.js';
import { adamw, type LinearParams, linear, linearInit } from '../../src/nn/index.js';

let tf: Tf;
beforeAll(async () => {
  tf = await getTf();
});

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tol) throw new Error(`index ${i}: ${a[i]} vs ${b[i]}`);
};

/** A LoRA layer with non-zero B so the adapter matters. */
function adapted(seed: number, dora: boolean): LoraLinearParams {
  const rng = new Rng(seed);
  const p = loraLinearInit(rng.fork('lora'), linearInit(rng.fork('base'), 5, 3), { r: 2, alpha: 4, useDora: dora });
  p.loraB.assign(tf.tensor2d(rng.normals(6), [3, 2]));
  if (p.magnitude) p.magnitude.assign(tf.tensor1d(rng.fillUniform(new Float32Array(3), 0.5, 2)));
  return p;
}

function pureForward(p: LoraLinearParams, x: Float32Array): Float32Array {
  const dims = { inDim: 5, outDim: 3, r: 2 };
  const f = {
    a: p.loraA.dataSync() as Float32Array,
    b: p.loraB.dataSync() as Float32Array,
    magnitude: p.magnitude?.dataSync() as Float32Array | undefined,
  };
  return loraForward(baseWeightOutIn(p.base), dims, f, p.scaling, x, p.base.b!.dataSync() as Float32Array);
}

describe('LoRA layer on the engine', () => {
  it('starts as the identity change: B = 0, A ~ U(+-1/sqrt(in)), DoRA m = row norms of W0', () => {
    const rng = new Rng(3);
    const base = linearInit(rng.fork('b'), 16, 4);
    const x = tf.tensor2d(rng.normals(32), [2, 16]);
    for (const useDora of [false, true]) {
      const p = loraLinearInit(rng.fork(`l${useDora}`), base, { r: 4, alpha: 8, useDora });
      close(loraLinear(p, x).dataSync(), linear(base, x).dataSync(), 1e-5);
      const a = p.loraA.dataSync();
      expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.2);
      expect(p.scaling).toBe(2);
      if (useDora) close(p.magnitude!.dataSync(), rowNorms(baseWeightOutIn(base), 4, 16), 1e-6);
    }
    // seeded: same seed, same A
    const a1 = loraLinearInit(new Rng(9), base, { r: 2 }).loraA.dataSync();
    const a2 = loraLinearInit(new Rng(9), base, { r: 2 }).loraA.dataSync();
    expect(Array.from(a1)).toEqual(Array.from(a2));
  });

  it('unmerged forward, effective weight and pure math agree (LoRA and DoRA)', () => {
    for (const dora of [false, true]) {
      const p = adapted(4, dora);
      const xs = new Rng(5).normals(10);
      const x = tf.tensor2d(xs, [2, 5]);
      const y = loraLinear(p, x).dataSync();
      const yEff = tf.tidy(() => linear(loraEffective(p), x).dataSync());
      close(yEff, y, 1e-5);
      close(y.subarray(0, 3), pureForward(p, xs.subarray(0, 5)), 1e-5);
      close(y.subarray(3, 6), pureForward(p, xs.subarray(5, 10)), 1e-5);
    }
  });

  it("DoRA gradients treat the column norm as a constant (PEFT's detached norm; finite differences in Float64)", () => {
    const p = adapted(11, true);
    const [inDim, outDim, r] = [5, 3, 2];
    const rng = new Rng(12);
    const xs = rng.normals(2 * inDim);
    const g = rng.normals(2 * outDim);
    const w0 = Float64Array.from(p.base.w.dataSync()); // [in, out]
    const a0 = Float64Array.from(p.loraA.dataSync()); // [r, in]
    const b0 = Float64Array.from(p.loraB.dataSync()); // [out, r]
    const m0 = Float64Array.from(p.magnitude!.dataSync()); // [out]
    const effective = (a: Float64Array, b: Float64Array) =>
      Float64Array.from({ length: inDim * outDim }, (_, j) => {
        const [i, o] = [Math.floor(j / outDim), j % outDim];
        let ba = 0;
        for (let k = 0; k < r; k++) ba += b[o * r + k] * a[k * inDim + i];
        return w0[j] + p.scaling * ba;
      });
    // the norms at the evaluation point, held fixed: the detached norm of DoRA Sec. 4.3
    const w1 = effective(a0, b0);
    const norms = Array.from({ length: outDim }, (_, o) =>
      Math.hypot(...Array.from({ length: inDim }, (_, i) => w1[i * outDim + o])),
    );
    const loss = (a: Float64Array, b: Float64Array, m: Float64Array) => {
      const w = effective(a, b);
      let total = 0;
      for (let n = 0; n < 2; n++) {
        for (let o = 0; o < outDim; o++) {
          let y = 0;
          for (let i = 0; i < inDim; i++) y += xs[n * inDim + i] * w[i * outDim + o];
          total += g[n * outDim + o] * y * (m[o] / norms[o]);
        }
      }
      return total;
    };
    const fd = (which: 0 | 1 | 2, at: Float64Array) =>
      Array.from(at, (_, j) => {
        const h = 1e-6;
        const args = () => [a0, b0, m0].map((v) => Float64Array.from(v));
        const up = args();
        const down = args();
        up[which][j] += h;
        down[which][j] -= h;
        return (loss(up[0], up[1], up[2]) - loss(down[0], down[1], down[2])) / (2 * h);
      });
    const { grads } = tf.variableGrads(() => {
      const y = loraLinear(p, tf.tensor2d(xs, [2, inDim])).sub(p.base.b!);
      return tf.sum(y.mul(tf.tensor2d(g, [2, outDim]))) as Scalar;
    }, [p.loraA, p.loraB, p.magnitude!]);
    close(grads[p.loraA.name].dataSync(), fd(0, a0), 2e-3);
    close(grads[p.loraB.name].dataSync(), fd(1, b0), 2e-3);
    close(grads[p.magnitude!.name].dataSync(), fd(2, m0), 2e-3);
  });

  it('dropout acts only in training mode and is seeded', () => {
    const p = loraLinearInit(new Rng(6), linearInit(new Rng(7), 8, 4), { r: 2, dropout: 0.5 });
    p.loraB.assign(tf.ones([4, 2]));
    const x = tf.ones([3, 8]);
    const evalOut = loraLinear(p, x).dataSync();
    const t1 = loraLinear(p, x, { training: true, seed: 1 }).dataSync();
    const t2 = loraLinear(p, x, { training: true, seed: 1 }).dataSync();
    expect(Array.from(t1)).toEqual(Array.from(t2));
    expect(Math.max(...t1.map((v, i) => Math.abs(v - evalOut[i])))).toBeGreaterThan(1e-3);
    expect(() => loraLinear(p, x, { training: true })).toThrow(/needs a seed/);
  });

  it('freezes the base: an AdamW step on loraTrainable moves A, B, m and not W0, b', () => {
    const rng = new Rng(8);
    const tree = { blocks: [{ wq: linearInit(rng.fork('q'), 6, 6), wv: linearInit(rng.fork('v'), 6, 6) }] };
    const paths = addLora(tree, rng, { r: 2, alpha: 2, targetModules: ['wq'], useDora: true });
    expect(paths).toEqual(['blocks.0.wq']);
    expect(isLoraLinear(tree.blocks[0].wq)).toBe(true);
    expect(loraParamCount(tree)).toBe(2 * (6 + 6) + 6);
    const wq = tree.blocks[0].wq as unknown as LoraLinearParams;
    const w0 = Float32Array.from(wq.base.w.dataSync());
    const before = Float32Array.from(wq.loraA.dataSync());
    const m0 = Float32Array.from(wq.magnitude!.dataSync());
    const x = tf.tensor2d(rng.normals(18), [3, 6]);
    const target = tf.tensor2d(rng.normals(18), [3, 6]);
    const opt = adamw({ lr: 0.05 });
    for (let i = 0; i < 3; i++) {
      opt.step(
        () => tf.tidy(() => loraLinear(wq, x).sub(target).square().mean() as ReturnType<Tf['scalar']>),
        loraTrainable(tree),
      );
    }
    expect(Array.from(wq.base.w.dataSync())).toEqual(Array.from(w0));
    expect(Math.max(...wq.loraA.dataSync().map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-4);
    expect(Math.max(...wq.loraB.dataSync().map(Math.abs))).toBeGreaterThan(1e-4);
    expect(Math.max(...wq.magnitude!.dataSync().map((v, i) => Math.abs(v - m0[i])))).toBeGreaterThan(1e-4);
    expect(() => addLora({ a: linearInit(rng, 2, 2) }, rng, { targetModules: ['zz'] })).toThrow(/matched no linear/);
  });

  it('mergeLoraLayers gives plain layers with the same outputs', () => {
    const p = adapted(10, true);
    const tree: { layer: LinearParams | LoraLinearParams } = { layer: p };
    const x = tf.tensor2d(new Rng(11).normals(10), [2, 5]);
    const y = loraLinear(p, x).dataSync();
    const dims = { inDim: 5, outDim: 3, r: 2 };
    const want = mergeLora(
      baseWeightOutIn(p.base),
      dims,
      {
        a: p.loraA.dataSync() as Float32Array,
        b: p.loraB.dataSync() as Float32Array,
        magnitude: p.magnitude!.dataSync() as Float32Array,
      },
      p.scaling,
    ).w;
    expect(mergeLoraLayers(tree)).toEqual(['layer']);
    expect(isLoraLinear(tree.layer)).toBe(false);
    close(baseWeightOutIn(tree.layer as LinearParams), want, 1e-6);
    close(linear(tree.layer as LinearParams, x).dataSync(), y, 1e-5);
  });
});
