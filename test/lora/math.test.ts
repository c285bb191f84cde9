import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { loraDeltaWeight, loraForward, loraScaling, mergeLora, rowNorms, unmergeLora } from '../../src/lora/index.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tol) throw new Error(`index ${i}: ${a[i]} vs ${b[i]}`);
};

describe('LoRA math (Hu et al. 2021, Eq. 3; hand-computed vector)', () => {
  const w0 = Float32Array.from([1, 0, 0, 0, 1, 0]);
  const dims = { inDim: 3, outDim: 2, r: 1 };
  const f = { a: Float32Array.from([1, 2, 3]), b: Float32Array.from([0.5, -1]) };
  const s = loraScaling(2, 1);

  it('reproduces y = [7, -11] and merged W = [[2,2,3],[-2,-3,-6]]', () => {
    expect(s).toBe(2);
    close(loraForward(w0, dims, f, s, Float32Array.from([1, 1, 1])), [7, -11], 0);
    close(mergeLora(w0, dims, f, s).w, [2, 2, 3, -2, -3, -6], 0);
    close(unmergeLora(mergeLora(w0, dims, f, s), dims, f, s), w0, 0);
  });

  it('scales alpha / r, or alpha / sqrt(r) with rsLoRA', () => {
    expect(loraScaling(16, 8)).toBe(2);
    expect(loraScaling(16, 4, true)).toBe(8);
    expect(() => loraScaling(16, 0)).toThrow(/lora r/);
  });

  it('rejects mismatched shapes', () => {
    expect(() => loraDeltaWeight({ inDim: 3, outDim: 2, r: 2 }, f, 1)).toThrow(ShapeError);
    expect(() => mergeLora(w0.subarray(1), dims, f, s)).toThrow(/W must be \[2, 3\]/);
    expect(() => loraForward(w0, dims, f, s, new Float32Array(2))).toThrow(/x must have 3/);
  });

  it('DoRA: m = row norms of W0 and B = 0 leaves W0 unchanged; merged rows have norm m', () => {
    const rng = new Rng(1);
    const d = { inDim: 5, outDim: 4, r: 2 };
    const W = rng.normals(20);
    const m0 = rowNorms(W, 4, 5);
    close(mergeLora(W, d, { a: rng.normals(10), b: new Float32Array(8), magnitude: m0 }, 1.5).w, W, 1e-6);
    const m = Float32Array.from([0.5, 1, 2, 3]);
    const merged = mergeLora(W, d, { a: rng.normals(10), b: rng.normals(8), magnitude: m }, 1.5);
    close(rowNorms(merged.w, 4, 5), m, 1e-5);
  });

  it('merge then unmerge returns W0 within fp32 tolerance, for LoRA and DoRA (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 10000 }),
        fc.boolean(),
        (inDim, outDim, r, seed, dora) => {
          const rng = new Rng(seed);
          const W = rng.normals(inDim * outDim);
          const f = {
            a: rng.normals(r * inDim),
            b: rng.normals(outDim * r),
            magnitude: dora ? rng.fillUniform(new Float32Array(outDim), 0.5, 2) : undefined,
          };
          const dims = { inDim, outDim, r };
          const back = unmergeLora(mergeLora(W, dims, f, 0.7), dims, f, 0.7);
          return back.every((v, i) => Math.abs(v - W[i]) < 1e-4 * (1 + Math.abs(W[i])));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("forward equals PEFT's formula written out in Float64 (LoRA and DoRA, no merge involved)", () => {
    const rng = new Rng(2);
    const [inDim, outDim, r, s] = [4, 3, 2, 0.25];
    const dims = { inDim, outDim, r };
    const W = rng.normals(outDim * inDim); // [out, in]
    const x = rng.normals(inDim);
    const bias = rng.normals(outDim);
    for (const magnitude of [undefined, Float32Array.from([1, 2, 0.5])]) {
      const f = { a: rng.normals(r * inDim), b: rng.normals(outDim * r), magnitude };
      // W' = W0 + s B A, row by row; DoRA: y = m / ||W'_o|| * (W' x)_o + b (PEFT: norm over dim 1, detached)
      const want = Array.from({ length: outDim }, (_, o) => {
        const row = Array.from({ length: inDim }, (_, i) => {
          let ba = 0;
          for (let k = 0; k < r; k++) ba += f.b[o * r + k] * f.a[k * inDim + i];
          return W[o * inDim + i] + s * ba;
        });
        const wx = row.reduce((acc, w, i) => acc + w * x[i], 0);
        const scale = magnitude ? magnitude[o] / Math.hypot(...row) : 1;
        return scale * wx + bias[o];
      });
      close(loraForward(W, dims, f, s, x, bias), want, 1e-5);
    }
  });
});
