/**
 * bench/physics/recovery.ts — parameter recovery from synthetic video: systems x seeds, true vs
 * estimated, median and worst relative error; plus pixel-noise, distractor-background, block
 * (Eq. 6 vs RK4) and block-variant suites. Each job checkpoints into --checkpoint (default
 * out/physics-bench/<name>) and stores its result there, so an interrupted suite resumes where it
 * stopped. Writes assets/physics/<name>.json at the end (the tour and bench/physics/table.ts read it).
 * Usage: nice -n 10 npx tsx bench/physics/recovery.ts --suite main|substeps|noise|background|variant
 *        [--preset fast|paper] [--epochs E] [--substeps n] [--seeds 5] [--seed-from 1] [--systems a,b]
 *        [--noise 0.05,0.1] [--background smooth] [--variant paper-block|paper-block-prior|latent-law]
 *        [--config '{"latentInit":"torch"}' --label 'what the overrides change'] [--name file]
 * A --label stores the runs as a variant of the system's own block (suite 'variant'), so
 * decision runs with --config overrides never mix with the main tables.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTf } from '../../src/core/engine.js';
import { writeJsonAtomic } from '../../src/core/outputs.js';
import { disposeParams } from '../../src/nn/index.js';
import { type PhysicsConfig, type PhysicsPreset, resolvePhysicsConfig } from '../../src/physics/config.js';
import { simulateClips } from '../../src/physics/dataset.js';
import { encodeAll } from '../../src/physics/model.js';
import type { Background } from '../../src/physics/render.js';
import { paperBlockSpec, SYSTEM_NAMES, SYSTEMS, type SystemName, type SystemSpec } from '../../src/physics/systems.js';
import { type FitResult, fitPhysics } from '../../src/physics/train.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const suite = arg('suite', 'main');
const preset = arg('preset', 'fast') as PhysicsPreset;
const name = arg('name', suite);
const base = resolvePhysicsConfig(preset);
const epochs = Number(arg('epochs', String(base.epochs)));
const seeds = Array.from({ length: Number(arg('seeds', '5')) }, (_, i) => i + Number(arg('seed-from', '1')));
const variant = arg('variant', '');
/** Variant label of --config decision runs (the block is the system's own). */
const label = arg('label', '');
/** Extra config overrides as JSON, e.g. --config '{"latentInit":"torch"}' (decision measurements). */
const extra = JSON.parse(arg('config', '{}')) as Partial<PhysicsConfig>;
const ckptRoot = arg('checkpoint', join('out', 'physics-bench', name));
const list = (s: string) => s.split(',').filter(Boolean);

/**
 * --variant: 'paper-block' / 'paper-block-prior', the reference code's block where ours differs (src/physics/systems.ts
 * `paperBlockSpec`); 'latent-law', the block trained in the law's affine family. Measured in docs/parts/physics.md.
 */
function variantSpec(system: SystemName): SystemSpec | undefined {
  if (!variant) return undefined;
  const spec = SYSTEMS[system];
  if (variant === 'latent-law') {
    // the block trained in the law's affine family (its nuisances trained too), as the refit reads it
    if (!spec.latentLaw) throw new Error(`--variant latent-law applies to systems with a latent law, not ${system}`);
    return { ...spec, dynamics: spec.latentLaw.dynamics, params: spec.latentLaw.params, fromBlock: undefined };
  }
  return paperBlockSpec(system, { substeps, alternativePrior: variant === 'paper-block-prior' });
}

interface Job {
  system: SystemName;
  seed: number;
  substeps: number;
  noise: number;
  background: Background;
}

const substeps = Number(arg('substeps', String(base.substeps)));

function jobs(): Job[] {
  const common = { substeps, noise: 0, background: 'plain' as const };
  const systems = list(arg('systems', suite === 'main' ? SYSTEM_NAMES.join(',') : 'oscillator')) as SystemName[];
  const out: Job[] = [];
  for (const system of systems) {
    for (const seed of seeds) {
      if (suite === 'main' || suite === 'substeps' || suite === 'variant') out.push({ ...common, system, seed });
      if (suite === 'background')
        out.push({ ...common, system, seed, background: arg('background', 'smooth') as Background });
      if (suite === 'noise')
        for (const noise of list(arg('noise', '0.05,0.1,0.2')).map(Number))
          out.push({ ...common, system, seed, noise });
    }
  }
  return out;
}

/** Three clips' true state and the latent mapped back to state units through the fitted line. */
function traces(tf: Awaited<ReturnType<typeof getTf>>, r: FitResult) {
  const { data, model } = r.run;
  const P = data.height * data.width;
  const latent = encodeAll(tf, model, data.frames.subarray(0, 3 * data.length * P), P);
  return Array.from(latent, (z, i) => ({
    clip: Math.floor(i / data.length),
    t: (i % data.length) * data.dt,
    state: data.states![i],
    latent: z,
    latentInStateUnits: r.fit ? (z - r.fit.offset) / r.fit.scale : null,
  }));
}

const tf = await getTf();
const runs = [];
const curves: Record<string, unknown> = {};
const latentTraces: Record<string, unknown> = {};
for (const job of jobs()) {
  const key = `${job.system}/noise${job.noise}/substeps${job.substeps}/${job.background}`;
  const dir = join(ckptRoot, `${key.replaceAll('/', '_')}_seed${job.seed}`);
  const done = join(dir, 'result.json');
  let stored: { run: Record<string, unknown>; curve: unknown; trace: unknown };
  const fitJob = () => {
    const config = resolvePhysicsConfig(preset, {
      ...extra,
      epochs,
      substeps: job.substeps,
      noise: job.noise,
      background: job.background,
    });
    const set = simulateClips(job.system, { ...config, seed: job.seed });
    return fitPhysics(tf, set, config, {
      seed: job.seed,
      spec: variantSpec(job.system),
      checkpointDir: join(dir, 'checkpoint'),
      resume: true,
    });
  };
  const release = (r: FitResult) => {
    r.run.optimizer.dispose();
    disposeParams(r.run.model);
  };
  if (existsSync(done)) {
    stored = JSON.parse(readFileSync(done, 'utf8'));
    if (!stored.run.refit) {
      // stored before the refit reading existed: the finished checkpoint resumes with no step left
      const r = await fitJob();
      stored.run.refit = r.refit;
      writeJsonAtomic(done, stored);
      release(r);
    }
  } else {
    const r = await fitJob();
    stored = {
      run: {
        ...job,
        preset,
        epochs,
        variant: variant || label || undefined,
        params: r.params,
        refit: r.refit,
        raw: r.raw,
        latentFit: r.fit,
        secondsPerEpoch: r.secondsPerEpoch,
        cpuSecondsPerEpoch: r.cpuSecondsPerEpoch,
      },
      curve: r.history.map((h) => ({ epoch: h.epoch, loss: h.loss, rollout: h.rollout, kl: h.kl, ...h.params })),
      trace: traces(tf, r),
    };
    writeJsonAtomic(done, stored);
    release(r);
  }
  runs.push(label ? { ...stored.run, variant: label } : stored.run);
  if (job.seed === seeds[0]) [curves[key], latentTraces[key]] = [stored.curve, stored.trace];
  const p = stored.run.params as FitResult['params'];
  const refit = stored.run.refit as FitResult['refit'];
  const errs = Object.entries(p).map(
    ([k, v]) =>
      `${k} ${v.estimate.toFixed(4)} (${(100 * v.relativeError!).toFixed(2)}%), refit ${refit[k].estimate.toFixed(4)} (${(100 * refit[k].relativeError!).toFixed(2)}%)`,
  );
  console.error(`${key} seed ${job.seed}: ${errs.join(', ')}`);
}
const out = join(import.meta.dirname, '..', '..', 'assets', 'physics', `${name}.json`);
writeJsonAtomic(out, {
  command: `npx tsx bench/physics/recovery.ts ${process.argv.slice(2).join(' ')}`,
  suite: label ? 'variant' : suite,
  preset,
  // --variant paper-block(-prior) trains the reference code's block: the recorded config says so
  config: resolvePhysicsConfig(preset, {
    ...extra,
    epochs,
    substeps,
    ...(variant.startsWith('paper-block') ? { block: 'paper' as const } : {}),
  }),
  seeds,
  // training time of the runs (a re-run that only reads stored runs keeps the suite's figure)
  wallSeconds: runs.reduce((t, r) => t + (r.secondsPerEpoch as number) * (r.epochs as number), 0),
  runs,
  curves,
  traces: latentTraces,
});
console.error(`wrote ${out}`);
