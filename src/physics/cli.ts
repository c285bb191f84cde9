/**
 * `modelmath physics simulate | train | bias`: render synthetic video of a system, estimate its
 * physical parameters from video without labels (lecture section 三), and measure the physics
 * block's integrator bias. Training checkpoints under --out and continues with --resume.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { PHYSICS_PRESET_NAMES, PHYSICS_PRESETS, physicsConfigSchema } from './config.js';
import { SYSTEM_NAMES } from './systems.js';

const system = z.enum(SYSTEM_NAMES).describe('physical system');
/** Every training setting, with its doc string, default and range, from the config schema. */
const cfg = physicsConfigSchema.shape;

const simulate = defineCommand({
  name: 'simulate',
  summary: 'render seeded synthetic video (56x100 gray PNG frames, dt = 0.1 s) and params.json',
  options: z.object({
    system,
    clips: cfg.clips,
    frames: cfg.length,
    noise: cfg.noise,
    background: cfg.background,
  }),
  defaults: { clips: 16 },
  out: { kind: 'dir', describe: 'folder for clip_NNNN/frame_NN.png and params.json' },
  examples: ['modelmath physics simulate --system pendulum --clips 4 --out pendulum-clips'],
  async run(o, ctx) {
    const { simulateClips, writeClipSet } = await import('./dataset.js');
    const set = simulateClips(o.system, { ...o, length: o.frames, seed: ctx.seed });
    await ctx.writeDir((tmp) => writeClipSet(tmp, set, { noise: o.noise, background: o.background, seed: ctx.seed }));
    return {
      data: { system: o.system, out: ctx.out, clips: o.clips, frames: o.frames, params: set.params },
      text: `wrote ${o.clips} clips x ${o.frames} frames of ${o.system} (56x100 PNG) and params.json to ${ctx.out}`,
    };
  },
});

const train = defineCommand({
  name: 'train',
  summary: 'estimate the physical parameters of a system from video (synthetic unless --video)',
  options: z.object({
    system,
    video: z
      .string()
      .min(1)
      .optional()
      .describe('clip folder from `physics simulate`, folder of frames, GIF or APNG (video files need ffmpeg)')
      .meta({ placeholder: 'path' }),
    preset: z
      .enum(PHYSICS_PRESET_NAMES)
      .default('paper')
      .describe("'paper' (the paper's settings), 'fast' (our reduced CPU preset) or 'test' (seconds)"),
    ...cfg,
  }),
  presets: { option: 'preset', values: PHYSICS_PRESETS },
  inputs: ['video'],
  out: { kind: 'dir', describe: 'folder for checkpoint/ and result.json', claims: ['checkpoint/'] },
  resumable: true,
  examples: ['modelmath physics train --system free-fall --preset test --out free-fall-run'],
  async run(o, ctx) {
    const { join } = await import('node:path');
    const { readClipSet, simulateClips } = await import('./dataset.js');
    const { fitPhysics } = await import('./train.js');
    const { writeJsonAtomic } = await import('../core/outputs.js');
    const tf = await (await import('../core/engine.js')).getTf();
    const { trainingSpec } = await import('./systems.js');
    const { system: name, video, preset, ...config } = o;
    const spec = trainingSpec(name, config); // a block the system lacks is a usage error before any work
    const set = video
      ? await readClipSet(video, name, { length: config.length, dt: config.dt })
      : simulateClips(name, { ...config, seed: ctx.seed });
    const out = ctx.out as string;
    ctx.log(
      `training ${name} on ${set.count} clips (${video ?? 'simulated'}), preset ${preset}, ${config.epochs} epochs`,
    );
    const result = await fitPhysics(tf, set, config, {
      seed: ctx.seed,
      checkpointDir: join(out, 'checkpoint'),
      resume: ctx.resume,
      spec,
    });
    const summary = {
      system: result.system,
      params: result.params,
      refit: result.refit,
      epochs: result.epochs,
      secondsPerEpoch: result.secondsPerEpoch,
    };
    writeJsonAtomic(join(out, 'result.json'), {
      ...summary,
      raw: result.raw,
      latentFit: result.fit,
      config,
      history: result.history,
    });
    const shown = (v: { estimate: number; relativeError?: number }) =>
      `${v.estimate.toFixed(4)}${v.relativeError === undefined ? '' : ` (error ${(100 * v.relativeError).toFixed(2)}%)`}`;
    const lines = Object.entries(result.params).map(([p, v]) => {
      const truth = v.true === undefined ? '' : ` [true ${v.true.toFixed(4)}]`;
      return `${p}${truth}: block ${shown(v)}; refit ${shown(result.refit[p])}`;
    });
    lines.push(`${result.secondsPerEpoch.toFixed(3)} s/epoch; checkpoint and result.json in ${out}`);
    return { data: summary, text: lines.join('\n') };
  },
});

const bias = defineCommand({
  name: 'bias',
  summary: "best-fit parameters of the physics block on exact trajectories (the integrator's bias)",
  options: z.object({
    system,
    substeps: cfg.substeps,
    clips: cfg.clips.describe('exact trajectories to fit'),
  }),
  defaults: { clips: 64 },
  examples: ['modelmath physics bias --system pendulum --clips 8'],
  async run(o, ctx) {
    const { integratorBias } = await import('./bias.js');
    const params = integratorBias(o.system, { substeps: o.substeps, clips: o.clips, seed: ctx.seed });
    const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
    const lines = Object.entries(params).map(([p, v]) => {
      const read = v.read === v.fit ? '' : `; read exactly ${v.read.toFixed(5)} (${pct(v.readError)})`;
      return `${p}: best fit ${v.fit.toFixed(5)} vs true ${v.true} (${pct(v.relativeError)})${read}`;
    });
    return { data: { system: o.system, substeps: o.substeps, params }, text: lines.join('\n') };
  },
});

export const commands = [
  {
    name: 'physics',
    summary: 'latent physics: physical parameters from video without labels',
    commands: [simulate, train, bias],
  },
];
