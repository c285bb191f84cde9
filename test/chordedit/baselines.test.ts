import { describe, expect, it } from 'vitest';
import { ChordEditor, ClassTextEncoder, editTimesteps, GaussianDenoiser, sdedit } from '../../src/chordedit/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { makeSchedule } from '../../src/diffusion/index.js';

const D = 32;
const ABAR = makeSchedule('scaled_linear').alphasCumprod;

function model(seed = 1) {
  const rng = new Rng(seed);
  const means = [rng.normals(D), rng.normals(D)];
  const s2 = 0.3;
  const denoiser = new GaussianDenoiser({ latentShape: [2, 4, 4], means, variance: s2 });
  return { denoiser, textEncoder: new ClassTextEncoder(['src', 'tar']), means, s2, x: rng.normals(D) };
}

/** Probability-flow ODE of N(mu, s2) data, from x_t at abar to the clean end: mu + s (x_t - alpha mu) / sqrt(alpha^2 s2 + sigma^2). */
function odeToClean(xt: number, mu: number, s2: number, abar: number): number {
  return mu + (Math.sqrt(s2) * (xt - Math.sqrt(abar) * mu)) / Math.sqrt(abar * s2 + 1 - abar);
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}

describe('edit timesteps', () => {
  it('spreads k indices from idx(t) downwards', () => {
    expect(Array.from(editTimesteps(0.9, 1))).toEqual([899]);
    expect(Array.from(editTimesteps(0.9, 3))).toEqual([899, 599, 300]);
  });
  it('rejects more steps than the grid holds', () => {
    expect(() => editTimesteps(0.002, 5)).toThrow(ConfigError);
    expect(() => editTimesteps(0.002, 5)).toThrow(/too many/);
  });
});

/** Posterior of x0 given z at abar for N(mu, s2) data: mean mu + k (z - alpha mu), variance s2 sigma^2 / (alpha^2 s2 + sigma^2). */
function posterior(z: number, mu: number, s2: number, abar: number): { mean: number; variance: number } {
  const k = (Math.sqrt(abar) * s2) / (abar * s2 + 1 - abar);
  return { mean: mu + k * (z - Math.sqrt(abar) * mu), variance: (s2 * (1 - abar)) / (abar * s2 + 1 - abar) };
}

describe('SDEdit on the Gaussian model', () => {
  it('with one step (stochastic or DDIM) it returns the closed-form posterior mean of the noised source', async () => {
    const m = model();
    const seed = 4;
    const eps = new Rng(seed).fork('chordedit-noise').normals(D);
    const abar = ABAR[899];
    const expected = Array.from(
      m.x,
      (x, i) => posterior(Math.sqrt(abar) * x + Math.sqrt(1 - abar) * eps[i], m.means[1][i], m.s2, abar).mean,
    );
    for (const method of ['sdedit', 'sdedit-ddim'] as const) {
      const out = await new ChordEditor(m).edit({
        latent: m.x,
        source: 'src',
        target: 'tar',
        method,
        seed,
        config: { steps: 1 },
      });
      expect(maxRelErr(out.latent, expected), method).toBeLessThan(2e-5);
      expect(out.diagnostics).toMatchObject({ nfe: 1, modelCalls: 1, steps: [] });
    }
  });
  it('the DDIM variant with many steps converges (first order) to the probability-flow ODE solution', async () => {
    const m = model(2);
    const seed = 5;
    const eps = new Rng(seed).fork('chordedit-noise').normals(D);
    const abar = ABAR[599];
    const expected = Array.from(m.x, (x, i) =>
      odeToClean(Math.sqrt(abar) * x + Math.sqrt(1 - abar) * eps[i], m.means[1][i], m.s2, abar),
    );
    const errors: number[] = [];
    for (const steps of [100, 200]) {
      const req = {
        latent: m.x,
        source: 'src',
        target: 'tar',
        method: 'sdedit-ddim',
        seed,
        config: { t: 0.6, steps },
      } as const;
      const out = await new ChordEditor(m).edit(req);
      errors.push(maxRelErr(out.latent, expected));
      expect(out.diagnostics.modelCalls).toBe(steps);
    }
    expect(errors[1] / errors[0]).toBeGreaterThan(0.4);
    expect(errors[1] / errors[0]).toBeLessThan(0.65);
    expect(errors[1]).toBeLessThan(0.02);
  });
  it('the stochastic sampler converges to the exact posterior p(x0 | z_t, c_tar) as steps grow', async () => {
    // One z_t (one eps), fresh noise only. Ancestral DDPM steps discretise the reverse SDE, which samples
    // this posterior: per element, the draws' mean is the posterior mean and their variance the posterior
    // variance (the ODE, DDIM, returns one point per z_t: variance 0). The sampler drops c0^2 Var(x0 | x_t)
    // per step, so the variance approaches the posterior's from below, at first order in the step.
    const m = model(6);
    const abar = ABAR[599];
    const eps = new Rng(1).normals(D);
    const tar = { data: Float32Array.of(1), shape: [1] };
    const draws = 32;
    const stats = async (steps: number) => {
      const outs: Float32Array[] = [];
      for (let d = 0; d < draws; d++)
        outs.push(await sdedit(m.denoiser, m.x, eps, 0.6, steps, tar, { kind: 'ancestral', rng: new Rng(100 + d) }));
      let varianceRatio = 0;
      let meanZ2 = 0;
      for (let i = 0; i < D; i++) {
        const p = posterior(Math.sqrt(abar) * m.x[i] + Math.sqrt(1 - abar) * eps[i], m.means[1][i], m.s2, abar);
        const values = outs.map((o) => o[i]);
        const mean = values.reduce((a, b) => a + b, 0) / draws;
        const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws - 1);
        varianceRatio += variance / p.variance / D;
        meanZ2 += (mean - p.mean) ** 2 / (p.variance / draws) / D; // each term ~ chi2(1)
      }
      return { varianceRatio, rmsZ: Math.sqrt(meanZ2) };
    };
    const [coarse, fine] = [await stats(50), await stats(150)];
    // measured: variance ratio 0.88 at 50 steps, 0.91 at 150 (0.94 at 300); rms z 0.98 and 1.05
    expect(fine.varianceRatio).toBeGreaterThan(0.85);
    expect(fine.varianceRatio).toBeLessThan(1.05);
    expect(fine.varianceRatio).toBeGreaterThan(coarse.varianceRatio);
    for (const s of [coarse, fine]) {
      expect(s.rmsZ).toBeGreaterThan(0.7);
      expect(s.rmsZ).toBeLessThan(1.35);
    }
  });
  it('the stochastic sampler is reproducible from the seed and differs between seeds', async () => {
    const m = model(7);
    const run = (seed: number) =>
      new ChordEditor(m).edit({
        latent: m.x,
        source: 'src',
        target: 'tar',
        method: 'sdedit',
        seed,
        config: { steps: 5 },
      });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(Array.from(a.latent)).toEqual(Array.from(b.latent));
    expect(maxRelErr(a.latent, c.latent)).toBeGreaterThan(1e-3);
  });
});

describe('DDIM inversion + regeneration on the Gaussian model', () => {
  it('with the source prompt on both sides it reconstructs the input (many steps)', async () => {
    const m = model(3);
    const out = await new ChordEditor({ ...m, textEncoder: new ClassTextEncoder(['src', 'src2']) }).edit({
      latent: m.x,
      source: 'src',
      target: 'src',
      method: 'ddim-inversion',
      config: { t: 0.7, steps: 200 },
    });
    expect(maxRelErr(out.latent, m.x)).toBeLessThan(0.03); // first-order error: 0.018 at 200 steps, 0.009 at 400
    expect(out.diagnostics).toMatchObject({ nfe: 400, modelCalls: 400 });
  });
  it('with the target prompt it moves x by (mu_tar - mu_src)(1 - alpha s / sqrt(alpha^2 s^2 + sigma^2))', async () => {
    const m = model(4);
    const out = await new ChordEditor(m).edit({
      latent: m.x,
      source: 'src',
      target: 'tar',
      method: 'ddim-inversion',
      config: { t: 0.7, steps: 200 },
    });
    const abar = ABAR[699];
    const shrink = 1 - (Math.sqrt(abar) * Math.sqrt(m.s2)) / Math.sqrt(abar * m.s2 + 1 - abar);
    const expected = Array.from(m.x, (x, i) => x + (m.means[1][i] - m.means[0][i]) * shrink);
    expect(maxRelErr(out.latent, expected)).toBeLessThan(0.03);
  });
});
