/**
 * The diffusion section of the tour: schedules (abar, log SNR), the closed-form Gaussian check,
 * and the 2-D lab from shipped weights (assets/diffusion/, made by the command in
 * docs/parts/diffusion.md): energy landscape with score arrows, samples next to data, score error
 * per noise level for the energy network (score = -grad E) and the eps-network side by side.
 */
import { existsSync } from 'node:fs';
import { assetPath } from '../core/assets.js';
import { getTf } from '../core/engine.js';
import { InputError } from '../core/errors.js';
import type { SectionResult, Table, TourContext, TourSection } from '../core/tour-section.js';
import { addNoise, scoreFromEps, tweedieX0, vFromEpsX0 } from './conversions.js';
import { energyLandscapeSpec, samplesSpec, scheduleCurvesSpec, scoreErrorSpec } from './figures.js';
import { type LabConfig, labConfig } from './lab/config.js';
import { LAB_DIM, sampleDataset } from './lab/data.js';
import { evaluateLab, loadLabModel } from './lab/lab.js';
import { makeMixture, mixturePosteriorMean, mixtureScore, noisedMixture } from './lab/mixture.js';
import { type LabParams, labEnergy, labEpsFn } from './lab/models.js';
import { alphaSigma, makeSchedule, SCHEDULE_TYPES, snr, timeToIndex } from './schedules.js';

/** Shipped lab weights (see docs/parts/diffusion.md, "Tour weights"). */
export const TOUR_WEIGHTS = {
  energy: assetPath('diffusion', 'moons-energy.safetensors'),
  eps: assetPath('diffusion', 'moons-eps.safetensors'),
} as const;

/** The worked example (abar = 0.64, x0 = 1, eps = 0.5) and the Gaussian N(2, 0.5^2) closed forms. */
function exactChecksTable(): Table {
  const [alpha, sigma] = [0.8, 0.6];
  const x0 = Float32Array.of(1);
  const eps = Float32Array.of(0.5);
  const xt = addNoise(x0, eps, alpha, sigma);
  const gauss = makeMixture(1, [1], [2], [0.5]);
  const score = mixtureScore(noisedMixture(gauss, alpha, sigma), xt);
  return {
    caption: 'Closed-form checks at abar = 0.64: x0 = 1, eps = 0.5; then data N(2, 0.5^2) observed at x_t',
    columns: ['quantity', 'computed', 'expected'],
    rows: [
      ['x_t = alpha x0 + sigma eps', xt[0], 1.1],
      ['v = alpha eps - sigma x0', vFromEpsX0(eps, x0, alpha, sigma)[0], -0.2],
      ['score of one sample = -eps / sigma', scoreFromEps(eps, sigma)[0], -0.8333333],
      ['true score of N(2, 0.5^2) noised, at x_t', score[0], 0.5 / 0.52],
      ['Tweedie E[x0 | x_t] from that score', tweedieX0(xt, score, alpha, sigma)[0], 2 - (0.2 / 0.52) * 0.5],
      ['Bayes posterior mean (independent)', mixturePosteriorMean(gauss, xt, alpha, sigma)[0], 2 - (0.2 / 0.52) * 0.5],
    ],
  };
}

function scheduleTable(): Table {
  const idx = [0, 300, 749, 899, 999];
  const tables = SCHEDULE_TYPES.map((t) => makeSchedule(t).alphasCumprod);
  return {
    caption: 'abar at DDPM indices (T = 1000); SD-Turbo uses scaled_linear',
    columns: ['index', ...SCHEDULE_TYPES.map((t) => `abar ${t}`), 'SNR scaled_linear'],
    rows: idx.map((i) => [i, ...tables.map((a) => a[i]), snr(tables[1][i])]),
  };
}

/** Energy on a G x G grid and score arrows on a coarser grid, at DDPM index `index`. */
function landscape(params: LabParams, config: LabConfig, abar: Float64Array, index: number, data: Float32Array) {
  const [size, lo, hi, coarse] = [36, -2.6, 2.6, 13];
  const step = (hi - lo) / size;
  const cells = new Float32Array(size * size * LAB_DIM);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) cells.set([lo + (c + 0.5) * step, lo + (r + 0.5) * step], (r * size + c) * LAB_DIM);
  }
  const energy = labEnergy(params, config, cells, index, abar);
  const min = Math.min(...energy);
  const points = new Float32Array(coarse * coarse * LAB_DIM);
  const cs = (hi - lo) / coarse;
  for (let r = 0; r < coarse; r++) {
    for (let c = 0; c < coarse; c++) points.set([lo + (c + 0.5) * cs, lo + (r + 0.5) * cs], (r * coarse + c) * LAB_DIM);
  }
  const { sigma } = alphaSigma(abar, index);
  const score = scoreFromEps(labEpsFn(params, config, abar)(points, index), sigma);
  const arrows = Array.from({ length: coarse * coarse }, (_, i) => ({
    x: points[2 * i],
    y: points[2 * i + 1],
    sx: score[2 * i],
    sy: score[2 * i + 1],
  }));
  // sigma^2 score is the Tweedie displacement alpha E[x0|x_t] - x_t; draw half of it
  return energyLandscapeSpec({
    grid: { size, lo, hi, energy: energy.map((e) => e - min) },
    arrows,
    arrowScale: 0.5 * sigma * sigma,
    data,
  });
}

async function runSection(ctx: TourContext): Promise<SectionResult> {
  for (const path of Object.values(TOUR_WEIGHTS)) {
    if (!existsSync(path))
      throw new InputError(`${path}: tour weights missing; make them with the command in docs/parts/diffusion.md`);
  }
  await getTf();
  // fewer points and sampler steps than `diffusion lab` so the section fits the tour's time budget
  const evalSettings: Partial<LabConfig> = ctx.quick
    ? {
        evalPoints: 150,
        ddpmSteps: 10,
        ddimSteps: 5,
        langevinLevels: 3,
        langevinStepsPerLevel: 5,
        langevinStepSize: 5e-3,
      }
    : {
        evalPoints: 400,
        ddpmSteps: 50,
        ddimSteps: 25,
        langevinLevels: 10,
        langevinStepsPerLevel: 10,
        langevinStepSize: 2e-3,
      };
  const models = (['energy', 'eps'] as const).map((kind) => {
    const { params, config: stored } = loadLabModel(TOUR_WEIGHTS[kind]);
    const config = labConfig({ ...stored, ...evalSettings });
    ctx.log(`diffusion: evaluating the ${kind} network (${stored.steps} training steps on ${stored.data})`);
    return { kind, params, config, report: evaluateLab(params, config, ctx.seed) };
  });
  const energy = models[0];
  const abar = makeSchedule(energy.config.schedule, { steps: energy.config.scheduleSteps }).alphasCumprod;
  const landscapeIndex = timeToIndex(0.05, abar.length);
  const data = sampleDataset(energy.config.data, ctx.quick ? 200 : 500, ctx.rng.fork('data'));
  const scoreRows = models.flatMap((m) => m.report.scoreErrors.map((e) => ({ model: m.kind, ...e })));
  const samplerRows = models.flatMap((m) =>
    m.report.samplers.map((s) => [m.kind, s.sampler, s.nfe, s.mmd, s.energyDistance, s.ms / 1000]),
  );
  const { floor, prior } = energy.report.baselines;
  return {
    summary:
      "One schedule module serves the whole project (ChordEdit and the toy model included). The lab trains two networks on two moons with the same denoising loss: an energy network E(x, t), whose score -grad_x E comes from the engine's autodiff (so the loss differentiates a gradient), and a direct eps-network.\n\n" +
      'Score errors are measured against the exact score of the noised data marginal (for moons: the noised empirical distribution of 2000 fresh points, a Gaussian mixture in closed form); sample quality is MMD^2 (RBF, h = 0.2) and energy distance to fresh data, next to two independent data samples (floor) and N(0, I).',
    tables: [
      exactChecksTable(),
      scheduleTable(),
      {
        caption:
          'Score error per noise level (relative |s_theta - s*|^2 / |s*|^2; Tweedie MSE with the model score vs the exact score)',
        columns: ['model', 't', 'sigma', 'relative error', 'Tweedie MSE', 'Tweedie MSE (exact score)'],
        rows: scoreRows.map((r) => [r.model, r.t, r.sigma, r.relativeError, r.tweedieMse, r.tweedieMseExact]),
      },
      {
        caption: `Samples vs data (floor: MMD ${floor.mmd.toExponential(2)}, energy ${floor.energyDistance.toExponential(2)}; N(0, I): MMD ${prior.mmd.toExponential(2)}, energy ${prior.energyDistance.toExponential(2)})`,
        columns: ['model', 'sampler', 'NFE', 'MMD^2', 'energy distance', 'seconds'],
        rows: samplerRows,
      },
    ],
    figures: [
      { caption: 'Noise schedules: abar and log SNR against t', vegaLite: scheduleCurvesSpec() },
      {
        caption: `Learned energy E(x, t) at t = 0.05 (sigma = ${alphaSigma(abar, landscapeIndex).sigma.toFixed(3)}) with score arrows -grad E (half the Tweedie step sigma^2 score), data in white`,
        vegaLite: landscape(energy.params, energy.config, abar, landscapeIndex, data),
      },
      ...models.map((m) => ({
        caption: `${m.kind} network: data and samples`,
        vegaLite: samplesSpec(
          {
            data: m.report.points.data,
            ddpm: m.report.points.ddpm,
            ddim: m.report.points.ddim,
            'annealed Langevin': m.report.points.annealed_langevin,
          },
          `${m.kind} network`,
        ),
      })),
      { caption: 'Score error against the noise level', vegaLite: scoreErrorSpec(scoreRows) },
    ],
    data: {
      scoreErrors: scoreRows,
      samplers: models.flatMap((m) => m.report.samplers.map((s) => ({ model: m.kind, ...s }))),
      baselines: { floor, prior },
    },
  };
}

export const section: TourSection = { id: 'diffusion', title: 'Diffusion and energy-based models', run: runSection };
