/**
 * `modelmath physics simulate | train | bias`: render synthetic video of a system, estimate its
 * physical parameters from video without labels (lecture section 三), and measure the physics
 * block's integrator bias. Options are validated with zod; bad input exits with code 2.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, type CommandContext, numberFlag, parseOptions } from '../cli/context.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { getTf } from '../core/engine.js';
import { ConfigError } from '../core/errors.js';
import { integratorBias } from './bias.js';
import { PHYSICS_PRESETS, type PhysicsConfig, type PhysicsPreset, resolvePhysicsConfig } from './config.js';
import { readClipSet, simulateClips, writeClipSet } from './dataset.js';
import { SYSTEM_NAMES } from './systems.js';
import { fitPhysics } from './train.js';

const systemFlag = z.enum(SYSTEM_NAMES, { message: `expected one of ${SYSTEM_NAMES.join(', ')}` });
const intFlag = (min: number, max: number) => numberFlag.pipe(z.number().int().min(min).max(max));
const noiseFlag = numberFlag.pipe(z.number().min(0).max(1));

const simulateSchema = z.object({
  system: systemFlag,
  clips: intFlag(1, 100000),
  frames: intFlag(2, 1000),
  noise: noiseFlag,
  background: z.enum(['plain', 'smooth', 'smooth-per-clip']),
});

async function simulateCommand(raw: unknown, ctx: CommandContext) {
  const o = parseOptions(simulateSchema, raw);
  if (!ctx.out) throw new ConfigError('--out <dir> is required: the folder to write the clips to');
  const set = simulateClips(o.system, { ...o, length: o.frames, seed: ctx.seed });
  await writeClipSet(ctx.out, set, { noise: o.noise, background: o.background, seed: ctx.seed });
  ctx.log(`wrote ${o.clips} clips x ${o.frames} frames of ${o.system} (56x100 PNG) and params.json to ${ctx.out}`);
  return { system: o.system, out: ctx.out, clips: o.clips, frames: o.frames, params: set.params };
}

const trainSchema = z.object({
  system: systemFlag,
  video: z.string().min(1).optional(),
  preset: z.enum(Object.keys(PHYSICS_PRESETS) as [PhysicsPreset, ...PhysicsPreset[]]),
  epochs: intFlag(1, 1000000).optional(),
  clips: intFlag(1, 100000).optional(),
  noise: noiseFlag.optional(),
  background: z.enum(['plain', 'smooth', 'smooth-per-clip']).optional(),
  substeps: intFlag(1, 1000).optional(),
  resume: z.boolean().optional(),
});

async function trainCommand(raw: unknown, ctx: CommandContext) {
  const o = parseOptions(trainSchema, raw);
  const overrides: Partial<PhysicsConfig> = {};
  for (const k of ['epochs', 'clips', 'noise', 'background', 'substeps'] as const) {
    if (o[k] !== undefined) Object.assign(overrides, { [k]: o[k] });
  }
  const config = resolvePhysicsConfig(o.preset, overrides);
  const set = o.video
    ? await readClipSet(o.video, o.system, { length: config.length, dt: config.dt })
    : simulateClips(o.system, { ...config, seed: ctx.seed });
  const out = ctx.out ?? join('out', 'physics', o.system);
  const tf = await getTf();
  ctx.log(
    `training ${o.system} on ${set.count} clips (${o.video ?? 'simulated'}), preset ${o.preset}, ${config.epochs} epochs`,
  );
  const result = await fitPhysics(tf, set, config, {
    seed: ctx.seed,
    checkpointDir: join(out, 'checkpoint'),
    resume: o.resume,
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
  for (const [name, p] of Object.entries(result.params)) {
    const truth =
      p.true === undefined ? '' : ` (true ${p.true.toFixed(4)}, error ${(100 * p.relativeError!).toFixed(2)}%)`;
    ctx.log(`${name} = ${p.estimate.toFixed(4)}${truth}`);
  }
  ctx.log(`${result.secondsPerEpoch.toFixed(3)} s/epoch; checkpoint and result.json in ${out}`);
  return summary;
}

const biasSchema = z.object({ system: systemFlag, substeps: intFlag(1, 1000), clips: intFlag(1, 10000) });

function biasCommand(raw: unknown, ctx: CommandContext) {
  const o = parseOptions(biasSchema, raw);
  const params = integratorBias(o.system, { substeps: o.substeps, clips: o.clips, seed: ctx.seed });
  for (const [name, p] of Object.entries(params)) {
    ctx.log(`${name}: best fit ${p.fit.toFixed(5)} vs true ${p.true} (${(100 * p.relativeError).toFixed(3)}%)`);
  }
  return { system: o.system, substeps: o.substeps, params };
}

/** Registers `modelmath physics ...`. */
export function register(program: Command): void {
  const physics = program
    .command('physics')
    .description('latent physics: physical parameters from video without labels');
  physics
    .command('simulate')
    .description('render seeded synthetic video (56x100 gray PNG frames, dt = 0.1 s) and params.json into --out')
    .requiredOption('--system <name>', `one of ${SYSTEM_NAMES.join(', ')}`)
    .option('--clips <n>', 'number of clips', '16')
    .option('--frames <n>', 'frames per clip', '10')
    .option('--noise <sigma>', 'Gaussian pixel noise std in [0, 1] intensity units', '0')
    .option(
      '--background <kind>',
      "'plain', 'smooth' (one seeded distractor for all clips) or 'smooth-per-clip'",
      'plain',
    )
    .action(action(simulateCommand));
  physics
    .command('train')
    .description('estimate the physical parameters of a system from video (synthetic unless --video)')
    .requiredOption('--system <name>', `one of ${SYSTEM_NAMES.join(', ')}`)
    .option(
      '--video <path>',
      'clip folder from `physics simulate`, folder of frames, GIF, APNG (video files need ffmpeg)',
    )
    .option('--preset <name>', "'paper' (FACTS 2 defaults), 'fast' (our reduced CPU preset) or 'test'", 'paper')
    .option('--epochs <n>', 'epochs (default: the preset)')
    .option('--clips <n>', 'simulated clips (default: the preset)')
    .option('--noise <sigma>', 'pixel noise of simulated clips')
    .option('--background <kind>', "background of simulated clips: 'plain', 'smooth' or 'smooth-per-clip'")
    .option('--substeps <n>', 'physics block sub-steps: 1 = Eq. 6 (paper), n > 1 = RK4 with n sub-steps')
    .option('--resume', 'continue from the checkpoint in <out>/checkpoint')
    .action(action(trainCommand));
  physics
    .command('bias')
    .description("best-fit parameters of the physics block on exact trajectories (the integrator's bias)")
    .requiredOption('--system <name>', `one of ${SYSTEM_NAMES.join(', ')}`)
    .option('--substeps <n>', 'sub-steps (1 = Eq. 6)', '1')
    .option('--clips <n>', 'exact trajectories to fit', '64')
    .action(action(biasCommand));
}
