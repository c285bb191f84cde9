import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  addNoise,
  alphaSigma,
  DdimScheduler,
  DdpmScheduler,
  makeSchedule,
  type PredictionType,
  type Scheduler,
  spacedTimesteps,
  vFromEpsX0,
} from '../../src/diffusion/index.js';

const abar = makeSchedule('scaled_linear').alphasCumprod;
type Make = (predictionType?: PredictionType) => Scheduler;
const SCHEDULERS: [string, Make][] = [
  ['DDIM', (predictionType = 'epsilon') => new DdimScheduler(abar, { predictionType })],
  ['DDPM', (predictionType = 'epsilon') => new DdpmScheduler(abar, { predictionType })],
];

/** The exact eps of a sample noised from the single point x0 (a "perfect" model for a point mass). */
function oracleEps(xt: Float32Array, x0: Float32Array, t: number): Float32Array {
  const { alpha, sigma } = alphaSigma(abar, t);
  return xt.map((x, i) => (x - alpha * x0[i]) / sigma);
}

describe.each(SCHEDULERS)('%s scheduler conformance', (_name, make) => {
  it('requires setTimesteps before step, and t among the timesteps', () => {
    const s = make();
    expect(() => s.step(new Float32Array(2), 999, new Float32Array(2), { rng: new Rng(0) })).toThrow(
      /setTimesteps\(n\) before step/,
    );
    s.setTimesteps(10);
    expect(() => s.step(new Float32Array(2), 998, new Float32Array(2), { rng: new Rng(0) })).toThrow(
      /must be one of the scheduler's timesteps/,
    );
  });

  it('has n distinct descending timesteps within [0, T)', () => {
    const s = make();
    for (const n of [1, 7, 50, 1000]) {
      s.setTimesteps(n);
      expect(s.timesteps.length).toBe(n);
      for (let i = 1; i < n; i++) expect(s.timesteps[i]).toBeLessThan(s.timesteps[i - 1]);
      expect(s.timesteps[n - 1]).toBeGreaterThanOrEqual(0);
      expect(s.timesteps[0]).toBeLessThan(1000);
    }
    expect(() => s.setTimesteps(0)).toThrow(/number of inference steps/);
    expect(() => s.setTimesteps(1001)).toThrow(/number of inference steps/);
  });

  it('accepts explicit descending timesteps (diffusers set_timesteps(timesteps=...)) and rejects bad lists', () => {
    const s = make();
    s.setTimesteps([899, 500, 120]);
    expect(Array.from(s.timesteps)).toEqual([899, 500, 120]);
    expect(() => s.setTimesteps([500, 899])).toThrow(/strictly descending/);
    expect(() => s.setTimesteps([1000, 5])).toThrow(/timesteps\[0\]/);
    expect(() => s.setTimesteps([3.5])).toThrow(/integer/);
    expect(() => s.setTimesteps([])).toThrow(/empty/);
  });

  it('with the oracle model of a point mass, predX0 is exact at every step and the loop ends on x0', () => {
    const s = make();
    const rng = new Rng(1);
    const x0 = Float32Array.from([0.3, -0.7, 1.2]);
    s.setTimesteps(25);
    let x = rng.normals(3);
    for (const t of s.timesteps) {
      const { prevSample, predX0 } = s.step(oracleEps(x, x0, t), t, x, { rng });
      for (let i = 0; i < 3; i++) expect(predX0[i]).toBeCloseTo(x0[i], 3);
      x = prevSample;
    }
    for (let i = 0; i < 3; i++) expect(x[i]).toBeCloseTo(x0[i], 3);
  });

  it('gives the same step for eps, v and x0 outputs of the same prediction', () => {
    const x0 = Float32Array.from([0.5, -1]);
    const eps = Float32Array.from([1.5, 0.2]);
    const noise = Float32Array.from([0.1, -0.4]);
    const outputs = (t: number): Record<PredictionType, Float32Array> => {
      const { alpha, sigma } = alphaSigma(abar, t);
      return { epsilon: eps, v_prediction: vFromEpsX0(eps, x0, alpha, sigma), sample: x0 };
    };
    const results = (['epsilon', 'v_prediction', 'sample'] as const).map((p) => {
      const s = make(p);
      s.setTimesteps(10);
      const t = s.timesteps[3];
      return s.step(outputs(t)[p], t, s.addNoise(x0, eps, t), { noise }).prevSample;
    });
    for (const r of results.slice(1)) for (let i = 0; i < 2; i++) expect(r[i]).toBeCloseTo(results[0][i], 4);
  });

  it('addNoise is the forward process at index t', () => {
    const s = make();
    const { alpha, sigma } = alphaSigma(abar, 600);
    const x0 = Float32Array.from([1, 2]);
    const n = Float32Array.from([-1, 0.5]);
    expect(Array.from(s.addNoise(x0, n, 600))).toEqual(Array.from(addNoise(x0, n, alpha, sigma)));
  });

  it('rejects a model output of the wrong length and an unknown prediction type', () => {
    const s = make();
    s.setTimesteps(4);
    const t = s.timesteps[0];
    expect(() => s.step(new Float32Array(3), t, new Float32Array(2), { rng: new Rng(0) })).toThrow(/modelOutput/);
    expect(() => make('flow' as PredictionType)).toThrow(/predictionType must be one of/);
  });
});

describe.each([
  ['DDIM', (c: object) => new DdimScheduler(abar, c)],
  ['DDPM', (c: object) => new DdpmScheduler(abar, c)],
] as const)('%s clipSample', (_name, make) => {
  it('clips predX0 to [-range, range] and steps from the clipped x0', () => {
    const s = make({ clipSample: true, clipSampleRange: 1, predictionType: 'sample' });
    const ref = make({ predictionType: 'sample' });
    s.setTimesteps(10);
    ref.setTimesteps(10);
    const t = s.timesteps[2];
    const xt = Float32Array.from([0.5, -0.5, 0.1]);
    const noise = Float32Array.from([0.3, 0.1, -0.2]);
    const out = s.step(Float32Array.from([3, -2, 0.4]), t, xt, { noise });
    expect(Array.from(out.predX0)).toEqual([1, -1, Math.fround(0.4)]);
    const same = ref.step(Float32Array.from([1, -1, 0.4]), t, xt, { noise });
    for (let i = 0; i < 3; i++) expect(out.prevSample[i]).toBeCloseTo(same.prevSample[i], 5);
  });
});

describe('oracle property (fast-check)', () => {
  it('any scheduler, spacing, step count and prediction type recovers a point mass exactly', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ddim', 'ddpm'),
        fc.constantFrom('leading', 'trailing', 'linspace'),
        fc.constantFrom<PredictionType>('epsilon', 'v_prediction', 'sample'),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        (kind, timestepSpacing, predictionType, n, point, seed) => {
          const config = { timestepSpacing, predictionType, eta: kind === 'ddim' ? 0.5 : 0 };
          const s = kind === 'ddim' ? new DdimScheduler(abar, config) : new DdpmScheduler(abar, config);
          const x0 = Float32Array.from(point);
          const rng = new Rng(seed);
          s.setTimesteps(n);
          let x = rng.normals(x0.length);
          for (const t of s.timesteps) {
            const { alpha, sigma } = alphaSigma(abar, t);
            const eps = oracleEps(x, x0, t);
            const out = { epsilon: eps, v_prediction: vFromEpsX0(eps, x0, alpha, sigma), sample: x0 }[predictionType];
            x = s.step(out, t, x, { rng }).prevSample;
          }
          return x.every((v, i) => Math.abs(v - x0[i]) < 1e-3);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('timestep spacing (diffusers timestep_spacing)', () => {
  it('leading, trailing and linspace match hand-computed grids', () => {
    expect(Array.from(spacedTimesteps(4, 1000, 'leading'))).toEqual([750, 500, 250, 0]);
    expect(Array.from(spacedTimesteps(4, 1000, 'leading', 1))).toEqual([751, 501, 251, 1]);
    expect(Array.from(spacedTimesteps(4, 1000, 'trailing'))).toEqual([999, 749, 499, 249]);
    expect(Array.from(spacedTimesteps(4, 1000, 'linspace'))).toEqual([999, 666, 333, 0]);
    expect(Array.from(spacedTimesteps(1, 1000, 'trailing'))).toEqual([999]); // SD-Turbo one step
  });

  it.each([
    ['DDIM', DdimScheduler],
    ['DDPM', DdpmScheduler],
  ] as const)('%s steps to the next listed timestep, also on an uneven grid (not t - T/n)', (_n, Kind) => {
    // linspace, n = 3: [999, 500, 0]. diffusers' DDIMScheduler steps from 999 to 999 - 1000 // 3 = 666,
    // then evaluates the model at 500 on a sample whose noise level is 666's; we step to 500.
    const s = new Kind(abar, { timestepSpacing: 'linspace' });
    s.setTimesteps(3);
    expect(Array.from(s.timesteps)).toEqual([999, 500, 0]);
    const rng = new Rng(5);
    const x0 = rng.normals(8);
    const eps = rng.normals(8);
    const xt = s.addNoise(x0, eps, 999);
    const { prevSample } = s.step(oracleEps(xt, x0, 999), 999, xt, { noise: new Float32Array(8) });
    // with the exact model and no fresh noise: DDIM keeps the same eps direction; DDPM's posterior mean
    // lies on the line between x0 and x_t; both sit at the noise level of t = 500, not 666
    const { alpha, sigma } = alphaSigma(abar, 500);
    if (s instanceof DdimScheduler) {
      for (let i = 0; i < 8; i++) expect(prevSample[i]).toBeCloseTo(alpha * x0[i] + sigma * eps[i], 5);
    } else {
      const a999 = alphaSigma(abar, 999).alpha;
      const wrong = alphaSigma(abar, 666).alpha;
      // the x0 coefficient of DDPM's posterior mean: sqrt(abar_prev) beta_t / (1 - abar_t) with abar_prev = abar[500]
      const abarT = a999 ** 2;
      const c0 = (alpha * (1 - abarT / alpha ** 2)) / (1 - abarT);
      const c0Wrong = (wrong * (1 - abarT / wrong ** 2)) / (1 - abarT);
      const ct = (Math.sqrt(abarT / alpha ** 2) * (1 - alpha ** 2)) / (1 - abarT);
      for (let i = 0; i < 8; i++) expect(prevSample[i]).toBeCloseTo(c0 * x0[i] + ct * xt[i], 4);
      expect(Math.abs(c0 - c0Wrong)).toBeGreaterThan(0.05);
    }
  });
});

// Gaussian data N(mu, s^2) per coordinate: the exact eps-prediction is known in closed form.
const mu = 2;
const sd = 0.5;
function gaussianEps(xt: Float32Array, t: number): Float32Array {
  const { alpha, sigma } = alphaSigma(abar, t);
  return xt.map((x) => (sigma * (x - alpha * mu)) / (alpha * alpha * sd * sd + sigma * sigma));
}

describe('full loops against independent computations', () => {
  /** Max error of DDIM (eta = 0, n steps) against the exact affine probability-flow map of Gaussian data. */
  function ddimFlowError(n: number): number {
    const s = new DdimScheduler(abar);
    s.setTimesteps(n);
    const xT = Float32Array.from([-2, -0.5, 0, 1, 2.5]);
    let x: Float32Array = xT;
    for (const t of s.timesteps) x = s.step(gaussianEps(x, t), t, x).prevSample;
    // x0 = mu + sd (x_T - alpha_T mu) / sqrt(alpha_T^2 sd^2 + sigma_T^2)
    const { alpha, sigma } = alphaSigma(abar, s.timesteps[0]);
    const scale = sd / Math.sqrt(alpha * alpha * sd * sd + sigma * sigma);
    return Math.max(...Array.from(xT, (z, i) => Math.abs(x[i] - (mu + scale * (z - alpha * mu)))));
  }

  it('DDIM (eta = 0) converges to the exact probability-flow map of Gaussian data (first order in 1/n)', () => {
    const e100 = ddimFlowError(100);
    const e1000 = ddimFlowError(1000);
    expect(e1000).toBeLessThan(8e-3); // measured 5.3e-3
    expect(e100).toBeLessThan(5e-2); // measured 3.3e-2
    expect(e100 / e1000).toBeGreaterThan(3); // error shrinks with the step count
  });

  it('DDPM ancestral sampling (1000 steps) with the exact model reproduces the data moments', () => {
    const s = new DdpmScheduler(abar);
    s.setTimesteps(1000);
    const rng = new Rng(7);
    let x = rng.normals(4000);
    for (const t of s.timesteps) x = s.step(gaussianEps(x, t), t, x, { rng }).prevSample;
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const v = x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length;
    // standard errors: mean 0.5/sqrt(4000) = 0.008, std 0.5/sqrt(8000) = 0.006
    expect(Math.abs(m - mu)).toBeLessThan(0.025);
    expect(Math.abs(Math.sqrt(v) - sd)).toBeLessThan(0.02);
  });

  // Golden values from test/diffusion/fixtures/make_scheduler_golden.py (numpy, float64).
  const golden = JSON.parse(
    readFileSync(new URL('./fixtures/scheduler-golden.json', import.meta.url), 'utf8'),
  ) as Record<string, { sum: number; first: number; last: number }>;
  const D = 16;
  const model = (x: Float32Array, t: number) =>
    x.map((xi, i) => Math.sin(xi) * (t / 1000) + 0.1 * Math.cos(0.3 * t + i));
  const noise = (k: number) => Float32Array.from({ length: D }, (_, i) => Math.sin(1.7 * i + 0.3 * k));
  const cases: [string, () => Scheduler, number][] = [
    ['ddim_eta0_leading10_eps', () => new DdimScheduler(abar), 10],
    ['ddim_eta05_trailing8_eps', () => new DdimScheduler(abar, { eta: 0.5, timestepSpacing: 'trailing' }), 8],
    ['ddim_eta0_leading10_v', () => new DdimScheduler(abar, { predictionType: 'v_prediction' }), 10],
    ['ddpm_small_leading20', () => new DdpmScheduler(abar), 20],
    [
      'ddpm_large_trailing5',
      () => new DdpmScheduler(abar, { varianceType: 'fixed_large', timestepSpacing: 'trailing' }),
      5,
    ],
  ];
  it.each(cases)('%s matches the numpy golden loop (sum within 1e-3, ends within 1e-4)', (key, make, n) => {
    const s = make();
    s.setTimesteps(n);
    let x: Float32Array = Float32Array.from({ length: D }, (_, i) => Math.cos(0.5 * i));
    s.timesteps.forEach((t, k) => {
      x = s.step(model(x, t), t, x, { noise: noise(k) }).prevSample;
    });
    const g = golden[key];
    expect(Math.abs(x.reduce((a, b) => a + b, 0) - g.sum)).toBeLessThan(1e-3);
    expect(Math.abs(x[0] - g.first)).toBeLessThan(1e-4 * (1 + Math.abs(g.first)));
    expect(Math.abs(x[D - 1] - g.last)).toBeLessThan(1e-4 * (1 + Math.abs(g.last)));
  });
});

describe('stochastic steps need explicit randomness', () => {
  it('DDPM and DDIM(eta > 0) throw without rng/noise; DDIM(eta = 0) does not need it', () => {
    const x = Float32Array.from([0.1, 0.2]);
    const ddpm = new DdpmScheduler(abar);
    ddpm.setTimesteps(5);
    expect(() => ddpm.step(x, ddpm.timesteps[0], x)).toThrow(/pass opts.rng/);
    const ddim = new DdimScheduler(abar, { eta: 1 });
    ddim.setTimesteps(5);
    expect(() => ddim.step(x, ddim.timesteps[0], x)).toThrow(/pass opts.rng/);
    expect(() => ddim.step(x, ddim.timesteps[0], x, { eta: 0 })).not.toThrow();
    expect(() => new DdimScheduler(abar, { eta: 2 })).toThrow(/eta/);
    expect(() => new DdpmScheduler(abar, { varianceType: 'learned' as 'fixed_small' })).toThrow(/varianceType/);
  });
});
