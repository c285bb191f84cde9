/**
 * bench/physics/recovery.ts — parameter recovery from synthetic video: every system, several
 * seeds, true vs estimated, median and spread of the relative error; a pixel-noise robustness
 * curve; a distractor-background run; and Eq. 6 vs RK4 sub-steps. Writes one JSON per invocation
 * to assets/physics/<name>.json (default name: the suite; the tour reads every file there).
 * Usage: nice -n 10 npx tsx bench/physics/recovery.ts --suite main|substeps|noise|background
 *        [--preset fast] [--epochs 150] [--seeds 5] [--seed-from 1] [--systems a,b] [--noise 0.05,0.1,0.2]
 *        [--background smooth|smooth-per-clip] [--name file]
 */
import { join } from 'node:path';
import { getTf } from '../../src/core/engine.js';
import { writeJsonAtomic } from '../../src/core/outputs.js';
import { disposeParams } from '../../src/nn/index.js';
import { type PhysicsPreset, resolvePhysicsConfig } from '../../src/physics/config.js';
import { simulateClips } from '../../src/physics/dataset.js';
import { encodeAll } from '../../src/physics/model.js';
import type { Background } from '../../src/physics/render.js';
import { SYSTEM_NAMES, type SystemName } from '../../src/physics/systems.js';
import { type FitResult, fitPhysics } from '../../src/physics/train.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const suite = arg('suite', 'main');
const preset = arg('preset', 'fast') as PhysicsPreset;
const epochs = Number(arg('epochs', '150'));
const seeds = Array.from({ length: Number(arg('seeds', '5')) }, (_, i) => i + Number(arg('seed-from', '1')));
const list = (s: string) => s.split(',').filter(Boolean);

interface Job {
  system: SystemName;
  seed: number;
  substeps: number;
  noise: number;
  background: Background;
}

function jobs(): Job[] {
  const base = { substeps: 1, noise: 0, background: 'plain' as const };
  const systems = list(arg('systems', suite === 'main' ? SYSTEM_NAMES.join(',') : 'oscillator')) as SystemName[];
  const out: Job[] = [];
  for (const system of systems) {
    for (const seed of seeds) {
      if (suite === 'main') out.push({ ...base, system, seed });
      if (suite === 'substeps') out.push({ ...base, system, seed, substeps: Number(arg('substeps', '2')) });
      if (suite === 'background')
        out.push({ ...base, system, seed, background: arg('background', 'smooth') as Background });
      if (suite === 'noise')
        for (const noise of list(arg('noise', '0.05,0.1,0.2,0.4')).map(Number))
          out.push({ ...base, system, seed, noise });
    }
  }
  return out;
}

/** Three clips' true state and the latent mapped back to state units through the fitted line. */
function traces(tf: Awaited<ReturnType<typeof getTf>>, r: FitResult) {
  const { data, model } = r.run;
  const P = data.height * data.width;
  const clips = 3;
  const latent = encodeAll(tf, model, data.frames.subarray(0, clips * data.length * P), P);
  const rows = [];
  for (let i = 0; i < latent.length; i++) {
    rows.push({
      clip: Math.floor(i / data.length),
      t: (i % data.length) * data.dt,
      state: data.states![i],
      latent: latent[i],
      latentInStateUnits: r.fit ? (latent[i] - r.fit.offset) / r.fit.scale : null,
    });
  }
  return rows;
}

const tf = await getTf();
const runs = [];
const curves: Record<string, unknown> = {};
const latentTraces: Record<string, unknown> = {};
const t0 = performance.now();
for (const job of jobs()) {
  const config = resolvePhysicsConfig(preset, {
    epochs,
    substeps: job.substeps,
    noise: job.noise,
    background: job.background,
  });
  const set = simulateClips(job.system, { ...config, seed: job.seed });
  const r = await fitPhysics(tf, set, config, { seed: job.seed });
  const key = `${job.system}/noise${job.noise}/substeps${job.substeps}/${job.background}`;
  if (job.seed === seeds[0]) {
    curves[key] = r.history.map((h) => ({ epoch: h.epoch, loss: h.loss, rollout: h.rollout, kl: h.kl, ...h.params }));
    latentTraces[key] = traces(tf, r);
  }
  runs.push({ ...job, epochs, params: r.params, raw: r.raw, latentFit: r.fit, secondsPerEpoch: r.secondsPerEpoch });
  const errs = Object.entries(r.params).map(
    ([k, p]) => `${k} ${p.estimate.toFixed(4)} (${(100 * p.relativeError!).toFixed(2)}%)`,
  );
  console.error(
    `${key} seed ${job.seed}: ${errs.join(', ')}; r2 ${r.fit?.r2.toFixed(4)}; ${r.secondsPerEpoch.toFixed(3)} s/epoch`,
  );
  r.run.optimizer.dispose();
  disposeParams(r.run.model);
}
const out = join(import.meta.dirname, '..', '..', 'assets', 'physics', `${arg('name', suite)}.json`);
writeJsonAtomic(out, {
  command: `npx tsx bench/physics/recovery.ts ${process.argv.slice(2).join(' ')}`,
  suite,
  preset,
  config: resolvePhysicsConfig(preset, { epochs }),
  seeds,
  wallSeconds: (performance.now() - t0) / 1000,
  runs,
  curves,
  traces: latentTraces,
});
console.error(`wrote ${out}`);
