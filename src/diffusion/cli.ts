/**
 * `modelmath diffusion schedule | lab | sample`: a noise schedule's abar / SNR at a few indices
 * (the whole table with --full), the 2-D lab that trains and measures an energy or eps network
 * (flags from lab/config.ts; checkpoints under --out, --resume), and sampling from saved weights.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { LAB_PRESETS, labConfigSchema } from './lab/config.js';
import { SCHEDULE_TYPES } from './schedules.js';

const fmt = (v: number) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4));

const scheduleOptions = z.object({
  type: z.enum(SCHEDULE_TYPES).describe('schedule'),
  steps: z.number().int().min(2).max(100000).default(1000).describe('training steps T'),
  betaStart: z.number().gt(0).lt(1).optional().describe('first beta (linear, scaled_linear)'),
  betaEnd: z.number().gt(0).lt(1).optional().describe('last beta (linear, scaled_linear)'),
  full: z.boolean().default(false).describe('include the whole betas / alphasCumprod tables in the JSON'),
});

/** The schedule summary: rows at evenly spaced indices plus the indices SD-Turbo's edits use. */
export async function scheduleSummary(o: z.output<typeof scheduleOptions>) {
  const { makeSchedule, snr } = await import('./schedules.js');
  const { betas, alphasCumprod } = makeSchedule(o.type, { steps: o.steps, betaStart: o.betaStart, betaEnd: o.betaEnd });
  const last = o.steps - 1;
  const picks = [
    ...new Set([0, 1, 2, 3, 4].map((k) => Math.round((k * last) / 4)).concat([300, 749, 899].filter((i) => i < last))),
  ].sort((a, b) => a - b);
  const rows = picks.map((index) => {
    const abar = alphasCumprod[index];
    return {
      index,
      beta: betas[index],
      alphaBar: abar,
      alpha: Math.sqrt(abar),
      sigma: Math.sqrt(1 - abar),
      snr: snr(abar),
      logSnr: Math.log(snr(abar)),
    };
  });
  return {
    type: o.type,
    steps: o.steps,
    rows,
    ...(o.full ? { betas: Array.from(betas), alphasCumprod: Array.from(alphasCumprod) } : {}),
  };
}

const schedule = defineCommand({
  name: 'schedule',
  summary: 'a noise schedule: beta, abar, alpha, sigma, SNR at a few indices',
  options: scheduleOptions,
  examples: ['modelmath diffusion schedule --type scaled_linear'],
  async run(o) {
    const s = await scheduleSummary(o);
    const lines = [
      `# ${s.type} schedule, T = ${s.steps}`,
      'index      beta        abar       alpha      sigma        SNR    log SNR',
      ...s.rows.map((r) =>
        [r.index, r.beta, r.alphaBar, r.alpha, r.sigma, r.snr, r.logSnr]
          .map((v, i) => (i === 0 ? String(v).padStart(5) : v.toPrecision(5).padStart(10)))
          .join(' '),
      ),
    ];
    return { data: s, text: lines.join('\n') };
  },
});

const lab = defineCommand({
  name: 'lab',
  summary: 'train an energy (score = -grad E) or eps network on 2-D data; report score error and sample quality',
  options: labConfigSchema.safeExtend({
    preset: z
      .enum(['default', 'quick', 'tour'])
      .default('default')
      .describe("settings preset ('quick': seconds, for tests; 'tour': the shipped weights)"),
    stopAfter: z.number().int().min(1).optional().describe('end at step n (checkpointed; continue with --resume)'),
  }),
  presets: { option: 'preset', values: { default: {}, ...LAB_PRESETS } },
  out: {
    kind: 'dir',
    describe: 'folder for checkpoint/, weights.safetensors and report.json',
    optional: true,
    claims: ['checkpoint/'],
  },
  resumable: true,
  examples: [
    'modelmath diffusion lab --preset quick --out lab-run',
    'modelmath diffusion lab --data gmm --model eps --out lab-gmm',
  ],
  async run(o, ctx) {
    const { join } = await import('node:path');
    await (await import('../core/engine.js')).getTf();
    const { runLab } = await import('./lab/lab.js');
    const { labConfig } = await import('./lab/config.js');
    const { preset: _preset, stopAfter, ...settings } = o;
    const { report } = await runLab(labConfig(settings), {
      seed: ctx.seed,
      out: ctx.out,
      resume: ctx.resume,
      stopAfter,
    });
    const { points: _points, ...r } = report;
    if (ctx.out) (await import('../core/outputs.js')).writeJsonAtomic(join(ctx.out, 'report.json'), r);
    const c = r.config;
    const lines = [
      `diffusion lab: ${c.model} network on ${c.data}, ${r.train.steps} steps, final loss ${fmt(r.train.finalLoss)}, ${r.train.msPerStep.toFixed(1)} ms/step`,
      'score error per noise level (relative |s - s*|^2 / |s*|^2; Tweedie MSE model vs exact score):',
      ...r.scoreErrors.map(
        (e) =>
          `  t=${e.t.toFixed(2)} sigma=${e.sigma.toFixed(3)} rel=${fmt(e.relativeError)} tweedie=${fmt(e.tweedieMse)} (exact ${fmt(e.tweedieMseExact)})`,
      ),
      `sample quality (MMD^2, energy distance) vs data; floor ${fmt(r.baselines.floor.mmd)}, ${fmt(r.baselines.floor.energyDistance)}; N(0,I) ${fmt(r.baselines.prior.mmd)}, ${fmt(r.baselines.prior.energyDistance)}`,
      ...r.samplers.map(
        (s) =>
          `  ${s.sampler}: MMD ${fmt(s.mmd)}, energy ${fmt(s.energyDistance)}, NFE ${s.nfe}, ${(s.ms / 1000).toFixed(2)} s`,
      ),
    ];
    return { data: r, text: lines.join('\n') };
  },
});

const sample = defineCommand({
  name: 'sample',
  summary: 'draw points with DDPM, DDIM and annealed Langevin from saved lab weights',
  options: z.object({
    weights: z
      .string()
      .min(1)
      .describe('weights.safetensors written by `diffusion lab --out`')
      .meta({ placeholder: 'file' }),
    n: z.number().int().min(10).max(20000).default(1000).describe('points per sampler'),
  }),
  inputs: ['weights'],
  out: { kind: 'file', describe: 'also write the points and scores as JSON', optional: true, extensions: ['.json'] },
  examples: ['modelmath diffusion sample --weights assets/diffusion/moons-energy.safetensors --n 200'],
  async run(o, ctx) {
    await (await import('../core/engine.js')).getTf();
    const { sampleFromWeights } = await import('./lab/lab.js');
    const { LAB_DIM } = await import('./lab/data.js');
    const { config, samplers, baselines, points } = sampleFromWeights(o.weights, o.n, ctx.seed);
    const asRows = (x: Float32Array) => Array.from({ length: x.length / LAB_DIM }, (_, i) => [x[2 * i], x[2 * i + 1]]);
    if (ctx.out) {
      const pointRows = Object.fromEntries(Object.entries(points).map(([k, v]) => [k, asRows(v)]));
      (await import('../core/outputs.js')).writeJsonAtomic(ctx.out, { config, samplers, baselines, points: pointRows });
    }
    const b = baselines;
    const lines = [
      `baselines (MMD^2, energy distance): two data samples ${fmt(b.floor.mmd)}, ${fmt(b.floor.energyDistance)}; N(0,I) ${fmt(b.prior.mmd)}, ${fmt(b.prior.energyDistance)}`,
      ...samplers.map((s) => `${s.sampler}: MMD ${fmt(s.mmd)}, energy ${fmt(s.energyDistance)}, NFE ${s.nfe}`),
    ];
    return { data: { config, samplers, baselines }, text: lines.join('\n') };
  },
});

export const commands = [
  {
    name: 'diffusion',
    summary: 'diffusion / EBM: schedules, conversions, the 2-D score lab',
    commands: [schedule, lab, sample],
  },
];
