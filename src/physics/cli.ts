/**
 * `modelmath physics simulate | train | bias`: render synthetic video of a system, estimate its
 * physical parameters from video without labels (lecture section 三), and measure the physics
 * block's integrator bias. Training checkpoints under --out and continues with --resume.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { PHYSICS_PRESETS, type PhysicsPreset } from './config.js';
import { SYSTEM_NAMES } from './systems.js';

const system = z.enum(SYSTEM_NAMES).describe('physical system');
const background = z
  .enum(['plain', 'smooth', 'smooth-per-clip'])
  .describe("background: 'plain', 'smooth' (one seeded distractor for all clips) or 'smooth-per-clip'");
const noise = z.number().min(0).max(1).describe('Gaussian pixel noise std in [0, 1] intensity units');

const simulate = defineCommand({
  name: 'simulate',
  summary: 'render seeded synthetic video (56x100 gray PNG frames, dt = 0.1 s) and params.json',
  options: z.object({
    system,
    clips: z.number().int().min(1).max(100000).default(16).describe('number of clips'),
    frames: z.number().int().min(2).max(1000).default(10).describe('frames per clip'),
    noise: noise.default(0),
    background: background.default('plain'),
  }),
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
      .enum(Object.keys(PHYSICS_PRESETS) as [PhysicsPreset, ...PhysicsPreset[]])
      .default('paper')
      .describe("'paper' (the paper's settings), 'fast' (our reduced CPU preset) or 'test' (seconds)"),
    epochs: z.number().int().min(1).max(1_000_000).optional().describe('epochs (default: the preset)'),
    clips: z.number().int().min(1).max(100000).optional().describe('simulated clips (default: the preset)'),
    noise: noise.optional(),
    background: background.optional(),
    substeps: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('physics block sub-steps: 1 = Eq. 6 (paper), n > 1 = finer integration'),
  }),
  inputs: ['video'],
  out: { kind: 'dir', describe: 'folder for checkpoint/ and result.json', claims: ['checkpoint/'] },
  resumable: true,
  examples: ['modelmath physics train --system free-fall --preset test --out free-fall-run'],
  async run(o, ctx) {
    const { join } = await import('node:path');
    const { resolvePhysicsConfig } = await import('./config.js');
    const { readClipSet, simulateClips } = await import('./dataset.js');
    const { fitPhysics } = await import('./train.js');
    const { writeJsonAtomic } = await import('../core/outputs.js');
    const tf = await (await import('../core/engine.js')).getTf();
    const { system: name, video, preset, ...rest } = o;
    const overrides = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    const config = resolvePhysicsConfig(preset, overrides);
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
    });
    const summary = {
      system: result.system,
      params: result.params,
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
    const lines = Object.entries(result.params).map(([p, v]) => {
      const truth =
        v.true === undefined ? '' : ` (true ${v.true.toFixed(4)}, error ${(100 * (v.relativeError ?? 0)).toFixed(2)}%)`;
      return `${p} = ${v.estimate.toFixed(4)}${truth}`;
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
    substeps: z.number().int().min(1).max(1000).default(1).describe('sub-steps (1 = Eq. 6)'),
    clips: z.number().int().min(1).max(10000).default(64).describe('exact trajectories to fit'),
  }),
  examples: ['modelmath physics bias --system pendulum --clips 8'],
  async run(o, ctx) {
    const { integratorBias } = await import('./bias.js');
    const params = integratorBias(o.system, { substeps: o.substeps, clips: o.clips, seed: ctx.seed });
    const lines = Object.entries(params).map(
      ([p, v]) => `${p}: best fit ${v.fit.toFixed(5)} vs true ${v.true} (${(100 * v.relativeError).toFixed(3)}%)`,
    );
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
