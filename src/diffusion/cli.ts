/**
 * `modelmath diffusion ...`: `schedule` prints a noise schedule's abar / SNR at a few indices
 * (the whole table with --full), `lab` trains and measures an energy or eps network on 2-D data
 * (progress, checkpoints under --out, --resume), `sample` draws points from saved lab weights.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, type CommandContext, numberFlag, parseOptions } from '../cli/context.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { getTf } from '../core/engine.js';
import { LAB_MODELS, type LabConfig, labConfig } from './lab/config.js';
import { DATASETS, LAB_DIM } from './lab/data.js';
import { type LabReport, runLab, sampleFromWeights } from './lab/lab.js';
import { makeSchedule, SCHEDULE_TYPES, snr } from './schedules.js';

const scheduleSchema = z.object({
  type: z.enum(SCHEDULE_TYPES),
  steps: numberFlag.pipe(z.number().int().min(2).max(100000)),
  betaStart: numberFlag.pipe(z.number().gt(0).lt(1)).optional(),
  betaEnd: numberFlag.pipe(z.number().gt(0).lt(1)).optional(),
  full: z.boolean().optional(),
});

/** The schedule summary: rows at evenly spaced indices plus the SD-Turbo indices of FACTS.md. */
export function scheduleSummary(o: z.infer<typeof scheduleSchema>) {
  const { betas, alphasCumprod } = makeSchedule(o.type, { steps: o.steps, betaStart: o.betaStart, betaEnd: o.betaEnd });
  const last = o.steps - 1;
  const picks = [
    ...new Set([0, 1, 2, 3, 4].map((k) => Math.round((k * last) / 4)).concat([300, 749, 899].filter((i) => i < last))),
  ];
  picks.sort((a, b) => a - b);
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

const labSchema = z.object({
  data: z.enum(DATASETS),
  model: z.enum(LAB_MODELS),
  preset: z.enum(['quick', 'tour', 'default']),
  steps: numberFlag.pipe(z.number().int().min(1).max(1_000_000)).optional(),
  batch: numberFlag.pipe(z.number().int().min(1).max(65536)).optional(),
  hidden: numberFlag.pipe(z.number().int().min(4).max(1024)).optional(),
  lr: numberFlag.pipe(z.number().gt(0).max(1)).optional(),
  schedule: z.enum(SCHEDULE_TYPES).optional(),
  resume: z.boolean().optional(),
  until: numberFlag.pipe(z.number().int().min(1)).optional(),
});

const fmt = (v: number) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4));

/** Human summary of a lab report on stderr. */
function logLab(ctx: CommandContext, r: Omit<LabReport, 'points'>): void {
  const c = r.config;
  ctx.log(
    `diffusion lab: ${c.model} network on ${c.data}, ${r.train.steps} steps, final loss ${fmt(r.train.finalLoss)}, ${r.train.msPerStep.toFixed(1)} ms/step`,
  );
  ctx.log('score error per noise level (relative |s - s*|^2 / |s*|^2; Tweedie MSE model vs exact score):');
  for (const e of r.scoreErrors) {
    ctx.log(
      `  t=${e.t.toFixed(2)} sigma=${e.sigma.toFixed(3)} rel=${fmt(e.relativeError)} tweedie=${fmt(e.tweedieMse)} (exact ${fmt(e.tweedieMseExact)})`,
    );
  }
  ctx.log(
    `sample quality (MMD^2, energy distance) vs data; floor ${fmt(r.baselines.floor.mmd)}, ${fmt(r.baselines.floor.energyDistance)}; N(0,I) ${fmt(r.baselines.prior.mmd)}, ${fmt(r.baselines.prior.energyDistance)}`,
  );
  for (const s of r.samplers)
    ctx.log(
      `  ${s.sampler}: MMD ${fmt(s.mmd)}, energy ${fmt(s.energyDistance)}, NFE ${s.nfe}, ${(s.ms / 1000).toFixed(2)} s`,
    );
}

const sampleSchema = z.object({
  weights: z.string().min(1),
  n: numberFlag.pipe(z.number().int().min(10).max(20000)),
});

export function register(program: Command): void {
  const d = program.command('diffusion').description('diffusion / EBM: schedules, conversions, the 2-D score lab');
  d.command('schedule')
    .description('a noise schedule: beta, abar, alpha, sigma, SNR at a few indices')
    .requiredOption('--type <type>', `schedule: ${SCHEDULE_TYPES.join(', ')}`)
    .option('--steps <n>', 'training steps T', '1000')
    .option('--beta-start <b>', 'first beta (linear, scaled_linear)')
    .option('--beta-end <b>', 'last beta (linear, scaled_linear)')
    .option('--full', 'include the whole betas / alphasCumprod tables in the JSON')
    .action(
      action((raw, ctx) => {
        const s = scheduleSummary(parseOptions(scheduleSchema, raw));
        ctx.log(`${s.type} schedule, T = ${s.steps}`);
        ctx.log('index      beta        abar       alpha      sigma        SNR    log SNR');
        for (const r of s.rows) {
          ctx.log(
            [r.index, r.beta, r.alphaBar, r.alpha, r.sigma, r.snr, r.logSnr]
              .map((v, i) => (i === 0 ? String(v).padStart(5) : v.toPrecision(5).padStart(10)))
              .join(' '),
          );
        }
        return s;
      }),
    );
  d.command('lab')
    .description('train an energy (score = -grad E) or eps network on 2-D data; report score error and sample quality')
    .option('--data <name>', `data set: ${DATASETS.join(', ')}`, 'moons')
    .option('--model <kind>', `network: ${LAB_MODELS.join(', ')}`, 'energy')
    .option('--preset <name>', 'settings preset: quick, tour, default', 'default')
    .option('--steps <n>', 'training steps (overrides the preset)')
    .option('--batch <n>', 'batch size')
    .option('--hidden <n>', 'hidden width of the MLP')
    .option('--lr <x>', 'peak learning rate')
    .option('--schedule <type>', `noise schedule: ${SCHEDULE_TYPES.join(', ')}`)
    .option('--resume', 'continue from <out>/checkpoint (needs --out)')
    .option('--until <n>', 'stop after step n (checkpointed; continue with --resume)')
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(labSchema, raw);
        const overrides: Partial<LabConfig> = { data: o.data, model: o.model };
        for (const key of ['steps', 'batch', 'hidden', 'lr', 'schedule'] as const)
          if (o[key] !== undefined) Object.assign(overrides, { [key]: o[key] });
        const config = labConfig(overrides, o.preset === 'default' ? undefined : o.preset);
        await getTf();
        const { report } = await runLab(config, { seed: ctx.seed, out: ctx.out, resume: o.resume, until: o.until });
        const { points: _points, ...summary } = report;
        logLab(ctx, summary);
        if (ctx.out) writeJsonAtomic(join(ctx.out, 'report.json'), summary);
        return summary;
      }),
    );
  d.command('sample')
    .description('draw points with DDPM, DDIM and annealed Langevin from saved lab weights (JSON with --out)')
    .requiredOption('--weights <file>', 'weights.safetensors written by `diffusion lab --out`')
    .option('--n <n>', 'number of points per sampler', '1000')
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(sampleSchema, raw);
        await getTf();
        const { config, samplers, baselines, points } = sampleFromWeights(o.weights, o.n, ctx.seed);
        const b = baselines;
        ctx.log(
          `baselines (MMD^2, energy distance): two data samples ${fmt(b.floor.mmd)}, ${fmt(b.floor.energyDistance)}; ` +
            `N(0,I) ${fmt(b.prior.mmd)}, ${fmt(b.prior.energyDistance)}`,
        );
        for (const s of samplers)
          ctx.log(`${s.sampler}: MMD ${fmt(s.mmd)}, energy ${fmt(s.energyDistance)}, NFE ${s.nfe}`);
        const asRows = (x: Float32Array) =>
          Array.from({ length: x.length / LAB_DIM }, (_, i) => [x[2 * i], x[2 * i + 1]]);
        const pointRows = Object.fromEntries(Object.entries(points).map(([k, v]) => [k, asRows(v)]));
        if (ctx.out) writeJsonAtomic(ctx.out, { config, samplers, baselines, points: pointRows });
        return { config, samplers, baselines };
      }),
    );
}
