import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  controlFieldDraws,
  type Denoiser,
  fieldStats,
  queryTime,
  type TextEmbedding,
} from '../../src/chordedit/index.js';
import { Rng } from '../../src/core/rng.js';
import { makeSchedule, timestepsPerItem } from '../../src/diffusion/index.js';

// A linear eps-model whose slope depends on the prompt, eps_hat = a_c z + b_c: then
// x0_hat = (z - sigma (a_c z + b_c)) / alpha and R_s = -(sigma/alpha) ((a_tar - a_src) z_s + b_tar - b_src)
// depends on the noise through z_s = alpha x + sigma eps, so fields differ between draws (closed form).
const D = 12;
const A = [0.3, 0.7];
const rng = new Rng(5);
const B = [rng.normals(D), rng.normals(D)];
const denoiser: Denoiser = {
  latentShape: [3, 2, 2],
  alphasCumprod: makeSchedule('scaled_linear').alphasCumprod,
  async predictEps(z, timesteps, cond) {
    timestepsPerItem(timesteps, cond.length, 1000);
    const out = new Float32Array(z.length);
    cond.forEach((c, b) => {
      const k = c.data[0];
      for (let i = 0; i < D; i++) out[b * D + i] = A[k] * z[b * D + i] + B[k][i];
    });
    return out;
  },
};
const emb = (k: number): TextEmbedding => ({ data: Float32Array.of(k), shape: [1] });

/** The closed-form residual of one draw at time s. */
function residual(x: Float32Array, eps: Float32Array, s: number): number[] {
  const { alpha, sigma } = queryTime(denoiser, s);
  return Array.from(x, (xi, i) => {
    const z = alpha * xi + sigma * eps[i];
    return -(sigma / alpha) * ((A[1] - A[0]) * z + B[1][i] - B[0][i]);
  });
}

/** fieldStats written out: per element mean and variance over draws, then averages. */
function naiveStats(fields: number[][], mask?: number[]) {
  const idx = fields[0].map((_, i) => i).filter((i) => !mask || mask[i]);
  const K = fields.length;
  const energy = idx.reduce((s, i) => s + fields.reduce((a, f) => a + f[i] ** 2, 0) / K, 0) / idx.length;
  const means = idx.map((i) => fields.reduce((a, f) => a + f[i], 0) / K);
  const meanEnergy = means.reduce((s, m) => s + m * m, 0) / idx.length;
  const variance =
    idx.reduce((s, i, j) => s + fields.reduce((a, f) => a + (f[i] - means[j]) ** 2, 0) / K, 0) / idx.length;
  return { energy, meanEnergy, variance };
}

describe('control fields across noise draws', () => {
  it('gives each draw its closed-form naive field R_t and chord field (t R_{t-d} + d R_t)/(t + d)', async () => {
    const x = rng.normals(D);
    const noises = [rng.normals(D), rng.normals(D), rng.normals(D)];
    const [t, delta] = [0.9, 0.15];
    const r = await controlFieldDraws(denoiser, x, noises, t, delta, emb(0), emb(1));
    expect(r.chord.length).toBe(3);
    noises.forEach((eps, k) => {
      const rNow = residual(x, eps, t);
      const rPrev = residual(x, eps, t - delta);
      const chord = rNow.map((v, i) => (t * rPrev[i] + delta * v) / (t + delta));
      for (let i = 0; i < D; i++) {
        expect(r.naive[k][i]).toBeCloseTo(rNow[i], 4);
        expect(r.chord[k][i]).toBeCloseTo(chord[i], 4);
      }
    });
    // here the noise enters R_s with weight sigma_s^2 / alpha_s, smaller at t - delta: the chord field varies less
    const [sc, sn] = [fieldStats(r.chord), fieldStats(r.naive)];
    expect(sc.variance).toBeLessThan(sn.variance);
  });

  it('rejects a window outside (0, t)', async () => {
    const x = new Float32Array(D);
    await expect(controlFieldDraws(denoiser, x, [x], 0.5, 0, emb(0), emb(1))).rejects.toThrow(/delta must be in/);
    await expect(controlFieldDraws(denoiser, x, [x], 0.5, 0.5, emb(0), emb(1))).rejects.toThrow(/delta must be in/);
  });
});

describe('fieldStats', () => {
  const fieldsArb = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }), {
      minLength: 1,
      maxLength: 5,
    }),
  );

  it('equals the written-out formulas; energy = mean-field energy + variance', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        const mask = fields[0].map((_, i) => (i % 2 === 0 ? 1 : 0));
        const f32 = fields.map((f) => Float32Array.from(f));
        const as32 = f32.map((f) => Array.from(f));
        for (const m of [undefined, mask]) {
          const s = fieldStats(f32, m);
          const ref = naiveStats(as32, m);
          expect(s.energy).toBeCloseTo(ref.energy, 6);
          expect(s.meanEnergy).toBeCloseTo(ref.meanEnergy, 6);
          expect(s.variance).toBeCloseTo(ref.variance, 6);
          expect(s.energy).toBeCloseTo(s.meanEnergy + s.variance, 6);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a field that does not change between draws has variance 0; scaling by lambda keeps the relative variance', () => {
    const f = Float32Array.of(1, -2, 3);
    expect(fieldStats([f, f, f])).toMatchObject({ variance: 0, relativeVariance: 0, energy: 14 / 3 });
    const fields = [Float32Array.of(1, 2), Float32Array.of(3, -1)];
    const scaled = fields.map((g) => g.map((v) => 2.5 * v));
    expect(fieldStats(scaled).relativeVariance).toBeCloseTo(fieldStats(fields).relativeVariance, 10);
    expect(fieldStats(scaled).energy).toBeCloseTo(6.25 * fieldStats(fields).energy, 5);
  });

  it('rejects empty input, unequal fields and an empty mask', () => {
    expect(() => fieldStats([])).toThrow(/at least one field/);
    expect(() => fieldStats([new Float32Array(2), new Float32Array(3)])).toThrow(/field 1 must have 2 elements/);
    expect(() => fieldStats([new Float32Array(2)], [0, 0])).toThrow(/selects no element/);
  });
});
