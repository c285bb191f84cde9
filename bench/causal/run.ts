/**
 * bench/causal/run.ts — the causal pipeline over several numbers of real trajectories and seeds:
 * success / collision / force per stage, the RL and pure-RL success-vs-env-steps curves, and
 * example trajectories of each stage's policy. Prints one JSON object; with --write it also
 * stores it as assets/causal/tour-data.json (the data of the causal tour section).
 * Usage: npx tsx bench/causal/run.ts [--seeds 5] [--seed-from 1] [--real 4,8,16,32] [--rl-steps 30] [--write]
 *        [--out assets/causal/NAME.json] (--write stores the tour's data; --out any other file, e.g. a replication)
 */
import { fileURLToPath } from 'node:url';
import { runEpisode, scriptedPolicy } from '../../src/causal/episode.js';
import { runCausalPipeline, type StageResult } from '../../src/causal/pipeline.js';
import { mlpActionPolicy } from '../../src/causal/policy.js';
import { PUSH_ENV, sampleInitialState } from '../../src/causal/scm.js';
import { writeJsonAtomic } from '../../src/core/outputs.js';
import { Rng } from '../../src/core/rng.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const seedFrom = Number(arg('seed-from', '1'));
const seeds = Array.from({ length: Number(arg('seeds', '5')) }, (_, i) => i + seedFrom);
const reals = arg('real', '4,8,16,32').split(',').map(Number);
const rlSteps = Number(arg('rl-steps', '30'));
const t0 = performance.now();
const runs = [];
let examples: unknown = null;
for (const realTrajectories of reals) {
  for (const seed of seeds) {
    const r = await runCausalPipeline({ realTrajectories, rlSteps }, seed, (m) =>
      process.stderr.write(`[K=${realTrajectories} seed=${seed}] ${m}\n`),
    );
    const pick = (x: StageResult | undefined) =>
      x && {
        successRate: x.successRate,
        collisionRate: x.collisionRate,
        wallCollisionRate: x.wallCollisionRate,
        meanForce: x.meanForce,
        budgetEnvSteps: x.budgetEnvSteps,
        ...(x.sftSteps !== undefined && { sftSteps: x.sftSteps }),
      };
    runs.push({
      realTrajectories,
      seed,
      realSuccesses: r.realSuccesses,
      coldStart: pick(r.stages.coldStart),
      sftReal: pick(r.stages.sftReal),
      sftAugmented: pick(r.stages.sftAugmented),
      rl: pick(r.stages.rl),
      pureRl: pick(r.pureRl),
      samples: r.stages.sftAugmented?.samples,
      augment: r.augment,
      curves: r.curves,
    });
    if (examples === null && realTrajectories === 16) {
      // Example trajectories: the same two starts for every stage's policy.
      const starts = Array.from({ length: 2 }, (_, i) => sampleInitialState(new Rng(100 + i)));
      const policies = {
        coldStart: scriptedPolicy(PUSH_ENV),
        ...Object.fromEntries(Object.entries(r.policies).map(([k, p]) => [k, mlpActionPolicy(PUSH_ENV, p, true)])),
      };
      examples = Object.entries(policies).flatMap(([stage, pol]) =>
        starts.map((s, i) => {
          const ep = runEpisode(PUSH_ENV, s, pol, new Rng(200 + i));
          const path = [s, ...ep.steps.map((st) => st.vars.next)];
          return {
            stage,
            start: i,
            goal: s.g,
            outcome: ep.success ? 'success' : ep.collision ? 'collision' : ep.invalid ? 'invalid' : 'timeout',
            block: path.map((p) => p.b.map((v) => +v.toFixed(4))),
            effector: path.map((p) => p.e.map((v) => +v.toFixed(4))),
          };
        }),
      );
    }
  }
}
const result = {
  bench: 'grpo/causal',
  command: `npx tsx bench/causal/run.ts --seeds ${seeds.length}${seedFrom === 1 ? '' : ` --seed-from ${seedFrom}`} --real ${reals.join(',')} --rl-steps ${rlSteps}`,
  wallSeconds: (performance.now() - t0) / 1000,
  runs,
  examples,
};
if (process.argv.includes('--write')) {
  writeJsonAtomic(fileURLToPath(new URL('../../assets/causal/tour-data.json', import.meta.url)), result);
}
if (process.argv.includes('--out')) writeJsonAtomic(arg('out', ''), result);
process.stdout.write(`${JSON.stringify(result)}\n`);
