import { describe, expect, it } from 'vitest';
import { ChordEditor, ClassTextEncoder, editTimesteps, GaussianDenoiser } from '../../src/chordedit/index.js';
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

describe('SDEdit on the Gaussian model', () => {
  it('with one DDIM step it returns the closed-form posterior mean of the noised source', async () => {
    const m = model();
    const seed = 4;
    const out = await new ChordEditor(m).edit({
      latent: m.x,
      source: 'src',
      target: 'tar',
      method: 'sdedit',
      seed,
      config: { steps: 1 },
    });
    const eps = new Rng(seed).fork('chordedit-noise').normals(D);
    const abar = ABAR[899];
    const expected = Array.from(m.x, (x, i) => {
      const z = Math.sqrt(abar) * x + Math.sqrt(1 - abar) * eps[i];
      const k = (Math.sqrt(abar) * m.s2) / (abar * m.s2 + 1 - abar);
      return m.means[1][i] + k * (z - Math.sqrt(abar) * m.means[1][i]);
    });
    expect(maxRelErr(out.latent, expected)).toBeLessThan(2e-5);
    expect(out.diagnostics).toMatchObject({ nfe: 1, modelCalls: 1, steps: [] });
  });
  it('with many DDIM steps it converges (first order) to the probability-flow ODE solution', async () => {
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
        method: 'sdedit',
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
