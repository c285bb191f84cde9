import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChordEditor,
  ClassTextEncoder,
  chordControlField,
  type Denoiser,
  GaussianDenoiser,
  meanSquare,
  queryTime,
  residualField,
  type TextEmbedding,
  transportTimes,
  validateChordConfig,
} from '../../src/chordedit/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { makeSchedule, type Timesteps, timestepsPerItem } from '../../src/diffusion/index.js';

const SHAPE = [3, 4, 4];
const D = 48;
const ABAR = makeSchedule('scaled_linear').alphasCumprod;

function model(seed = 1) {
  const rng = new Rng(seed);
  const means = [rng.normals(D), rng.normals(D)];
  const variance = Float32Array.from({ length: D }, () => 0.05 + rng.uniform() * 0.5);
  const denoiser = new GaussianDenoiser({ latentShape: SHAPE, means, variance });
  const textEncoder = new ClassTextEncoder(['a cat', 'a dog']);
  return { denoiser, textEncoder, means, variance, x: rng.normals(D) };
}

/** Independent closed form (float64): g_i(s) = sigma^2 / (alpha^2 s2_i + sigma^2); R_s = (mu_tar - mu_src) g(s). */
function g(s: number, s2: number): number {
  const abar = ABAR[Math.min(999, Math.max(0, Math.round(999 * s)))];
  return (1 - abar) / (abar * s2 + (1 - abar));
}

function closedFormChord(m: ReturnType<typeof model>, t: number, delta: number, lambda: number): number[] {
  return Array.from(m.x, (x, i) => {
    const dmu = m.means[1][i] - m.means[0][i];
    const s2 = m.variance[i];
    const u = ((t * g(Math.max(0, t - delta), s2) + delta * g(t, s2)) / (t + delta)) * dmu;
    return x + lambda * u;
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i])));
  }
}

describe('query times (ChordEdit, Lu et al. CVPR 2026, Alg. 1)', () => {
  it('maps t to the DDPM index and the SD-Turbo alpha/sigma', () => {
    const { denoiser } = model();
    const q = queryTime(denoiser, 0.9);
    expect(q.index).toBe(899);
    expect(q.alpha).toBeCloseTo(0.119577, 5);
    expect(q.sigma).toBeCloseTo(0.992825, 5);
    expect(queryTime(denoiser, 0.75).index).toBe(749);
    expect(queryTime(denoiser, 0.3).alpha).toBeCloseTo(0.768441, 5);
  });
  it('multi-step grid is linspace(t, tEnd, steps)', () => {
    expect(transportTimes(0.9, 0.3, 1)).toEqual([0.9]);
    const grid = transportTimes(0.9, 0.3, 4);
    expectClose(grid, [0.9, 0.7, 0.5, 0.3], 1e-12);
  });
});

describe('ChordEdit on the closed-form Gaussian model', () => {
  it('the residual field equals (mu_tar - mu_src) g(s) and the shared noise cancels', async () => {
    const m = model();
    const [src, tar] = await m.textEncoder.encode(['a cat', 'a dog']);
    const rA = await residualField(m.denoiser, m.x, [new Rng(5).normals(D)], 0.9, src, tar);
    const rB = await residualField(m.denoiser, m.x, [new Rng(6).normals(D), new Rng(7).normals(D)], 0.9, src, tar);
    const expected = Array.from(m.x, (_, i) => (m.means[1][i] - m.means[0][i]) * g(0.9, m.variance[i]));
    expectClose(rA, expected);
    expectClose(rB, expected);
  });

  it('one step without refinement equals x + lambda u in closed form', async () => {
    const m = model(2);
    const editor = new ChordEditor(m);
    for (const [t, delta, lambda] of [
      [0.9, 0.15, 1],
      [0.6, 0.3, 1.7],
      [0.5, 0, 0.5],
    ]) {
      const out = await editor.edit({
        latent: m.x,
        source: 'a cat',
        target: 'a dog',
        config: { t, delta, lambda, refine: false },
        seed: 3,
      });
      expectClose(out.latent, closedFormChord(m, t, delta, lambda));
    }
  });

  it('the default edit with refinement equals the closed-form posterior mean at t_c', async () => {
    const m = model(3);
    const out = await new ChordEditor(m).edit({
      latent: m.x,
      source: 'a cat',
      target: 'a dog',
      seed: 11,
      config: { noiseSamples: 2 },
    });
    const xPred = closedFormChord(m, 0.9, 0.15, 1);
    const eps = new Rng(11).fork('chordedit-noise').normals(D); // the first shared noise draw
    const abar = ABAR[300];
    const expected = xPred.map((xp, i) => {
      const z = Math.sqrt(abar) * xp + Math.sqrt(1 - abar) * eps[i];
      const s2 = m.variance[i];
      const k = (Math.sqrt(abar) * s2) / (abar * s2 + 1 - abar);
      return m.means[1][i] + k * (z - Math.sqrt(abar) * m.means[1][i]);
    });
    expectClose(out.latent, expected, 5e-5);
  });

  it('multi-step transport adds lambda u(s_k) at every time of the grid', async () => {
    const m = model(4);
    const out = await new ChordEditor(m).edit({
      latent: m.x,
      source: 'a cat',
      target: 'a dog',
      config: { steps: 3, tEnd: 0.5, refine: false, lambda: 0.8 },
    });
    const times = [0.9, 0.7, 0.5];
    const expected = Array.from(m.x, (x, i) => {
      const dmu = m.means[1][i] - m.means[0][i];
      const s2 = m.variance[i];
      return times.reduce((acc, s) => acc + 0.8 * dmu * ((s * g(s - 0.15, s2) + 0.15 * g(s, s2)) / (s + 0.15)), x);
    });
    expectClose(out.latent, expected, 5e-5);
  });

  it('naive (delta = 0) is exactly chord with delta = 0, for any t, lambda and seed', async () => {
    const m = model(5);
    const editor = new ChordEditor(m);
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        async (t, lambda, seed, refine) => {
          const req = { latent: m.x, source: 'a cat', target: 'a dog', seed } as const;
          const naive = await editor.edit({ ...req, method: 'naive', config: { t, lambda, refine } });
          const chord0 = await editor.edit({ ...req, config: { t, lambda, refine, delta: 0 } });
          expect(Array.from(naive.latent)).toEqual(Array.from(chord0.latent));
          expect(naive.diagnostics.modelCalls).toBe(refine ? 2 : 1);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('energy bound mean(u^2) <= (t mean(R_{t-d}^2) + d mean(R_t^2)) / (t + d)', () => {
  it('holds for any fields and times (convexity)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        (a, b, t, frac) => {
          const n = Math.min(a.length, b.length);
          const rPrev = Float32Array.from(a.slice(0, n));
          const rNow = Float32Array.from(b.slice(0, n));
          const d = frac * t;
          const u = chordControlField(rPrev, rNow, t, d);
          const bound = (t * meanSquare(rPrev) + d * meanSquare(rNow)) / (t + d);
          expect(meanSquare(u)).toBeLessThanOrEqual(bound * (1 + 1e-5) + 1e-9);
        },
      ),
    );
  });
  it('holds on the diagnostics of real edits', async () => {
    const m = model(6);
    const out = await new ChordEditor(m).edit({ latent: m.x, source: 'a cat', target: 'a dog' });
    const [s] = out.diagnostics.steps;
    expect(s.energyU).toBeLessThanOrEqual((0.9 * s.energyRPrev + 0.15 * s.energyRNow) / 1.05 + 1e-9);
    expect(s.energyRPrev).toBeGreaterThan(0);
  });
});

/** Records every model call: index and batch size. */
class SpyDenoiser implements Denoiser {
  calls: { indices: number[]; batch: number }[] = [];
  constructor(private readonly inner: Denoiser) {}
  get latentShape() {
    return this.inner.latentShape;
  }
  get alphasCumprod() {
    return this.inner.alphasCumprod;
  }
  predictEps(z: Float32Array, timesteps: Timesteps, cond: TextEmbedding[]) {
    const per = timestepsPerItem(timesteps, cond.length, this.alphasCumprod.length);
    this.calls.push({ indices: [...new Set(per)], batch: cond.length });
    return this.inner.predictEps(z, timesteps, cond);
  }
}

describe('batching and NFE accounting', () => {
  it('both times, both prompts and all n noises go in ONE call; refinement is one more', async () => {
    const m = model(7);
    const spy = new SpyDenoiser(m.denoiser);
    const out = await new ChordEditor({ ...m, denoiser: spy }).edit({
      latent: m.x,
      source: 'a cat',
      target: 'a dog',
      config: { noiseSamples: 3 },
    });
    expect(spy.calls).toEqual([
      { indices: [899, 749], batch: 12 },
      { indices: [300], batch: 1 },
    ]);
    expect(out.diagnostics).toMatchObject({ nfe: 2, modelCalls: 2, modelLatents: 13 });
    expect(out.diagnostics.timeModelMs).toBeGreaterThanOrEqual(0);
    expect(out.diagnostics.timeMathMs).toBeGreaterThanOrEqual(0);
  });
  it('without refinement: paper NFE 1 (one call with both times)', async () => {
    const m = model(8);
    const out = await new ChordEditor(m).edit({
      latent: m.x,
      source: 'a cat',
      target: 'a dog',
      config: { refine: false },
    });
    expect(out.diagnostics).toMatchObject({ nfe: 1, modelCalls: 1, modelLatents: 4 });
  });
});

describe('config validation (issue 4 item 1)', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['t = 0', { t: 0 }, /^t must be/],
    ['t > 1', { t: 1.2 }, /^t must be/],
    ['delta >= t', { t: 0.5, delta: 0.5 }, /^delta must be .*\[0, 0\.5\)/],
    ['delta < 0', { delta: -0.1 }, /^delta must be/],
    ['lambda = 0', { lambda: 0 }, /^lambda must be/],
    ['lambda NaN', { lambda: Number.NaN }, /^lambda must be/],
    ['tc = 1', { tc: 1 }, /^tc must be/],
    ['n = 0', { noiseSamples: 0 }, /^noiseSamples must be/],
    ['n = 1.5', { noiseSamples: 1.5 }, /^noiseSamples must be an integer/],
    ['steps = 0', { steps: 0 }, /^steps must be/],
    ['tEnd > t', { tEnd: 0.95 }, /^tEnd must be/],
    ['unknown key', { gamma: 1 }, /unknown setting "gamma"/],
  ];
  for (const [name, cfg, re] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => validateChordConfig(cfg)).toThrow(ConfigError);
      expect(() => validateChordConfig(cfg)).toThrow(re);
    });
  }
  it("applies the reference's sanitation only when asked, and reports each change", () => {
    const c = validateChordConfig({ t: 0.5, delta: 0.7, tEnd: 0.9, steps: 2.7, sanitize: true });
    expect(c.delta).toBeCloseTo(0.5 - 1 / 999, 12);
    expect(c.tEnd).toBe(0.5);
    expect(c.steps).toBe(2);
    expect(c.adjustments).toHaveLength(3);
    expect(c.adjustments.join('; ')).toMatch(/delta 0\.7 ->/);
    expect(validateChordConfig({}).adjustments).toEqual([]);
  });
  it('defaults are the paper defaults and tEnd defaults to tc', () => {
    expect(validateChordConfig()).toMatchObject({
      t: 0.9,
      delta: 0.15,
      lambda: 1,
      tc: 0.3,
      tEnd: 0.3,
      noiseSamples: 1,
    });
  });
  it('the editor rejects a wrong latent size and unknown methods', async () => {
    const m = model(9);
    const editor = new ChordEditor(m);
    await expect(editor.edit({ latent: new Float32Array(5), source: 'a cat', target: 'a dog' })).rejects.toThrow(
      /latent must have 48 elements/,
    );
    await expect(
      editor.edit({ latent: m.x, source: 'a cat', target: 'a dog', method: 'magic' as never }),
    ).rejects.toThrow(/method must be one of 'chord', 'naive', 'sdedit', 'sdedit-ddim', 'ddim-inversion'/);
  });
});
