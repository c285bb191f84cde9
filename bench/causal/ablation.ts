/**
 * bench/causal/ablation.ts — how many generated positives to keep per state (stage 2), measured
 * by SFT success (stage 3) against SFT on real data only. Prints one JSON object.
 * Usage: npx tsx bench/causal/ablation.ts [--seeds 2] [--real 8,32] [--keep 1,3]
 */

import { augment, labelRealStep } from '../../src/causal/augment.js';
import { fitMechanisms, observe } from '../../src/causal/dynamics.js';
import { runEpisode, scriptedPolicy } from '../../src/causal/episode.js';
import { evaluate } from '../../src/causal/pipeline.js';
import { mlpActionPolicy, mlpPolicyInit, SFT_DEFAULTS, sft } from '../../src/causal/policy.js';
import { PUSH_ENV, sampleInitialState } from '../../src/causal/scm.js';
import { Rng } from '../../src/core/rng.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : dflt).split(',').map(Number);
};
const env = PUSH_ENV;
const rows = [];
for (const K of arg('real', '8,32')) {
  for (let seed = 1; seed <= arg('seeds', '2')[0]; seed++) {
    // Same cold start, init and SFT streams as runCausalPipeline for this seed.
    const root = new Rng(seed);
    const cold = root.fork('cold');
    const scripted = scriptedPolicy(env);
    const real = Array.from({ length: K }, () => runEpisode(env, sampleInitialState(cold), scripted, cold)).flatMap(
      (e) => e.steps,
    );
    const realSamples = real.map((r) => labelRealStep(env, r)).filter((s) => s !== null);
    const { model } = fitMechanisms(env, real.map(observe));
    const row: Record<string, number> = { real: K, seed };
    const p = mlpPolicyInit(root.fork('init'), 64);
    sft(env, p, realSamples, root.fork('sftReal'), SFT_DEFAULTS);
    row.sftReal = evaluate(env, mlpActionPolicy(env, p, true), 200, seed).successRate;
    for (const keep of arg('keep', '1,3')) {
      const aug = augment(env, model, real, { positivesPerState: keep, negativesPerState: 2 });
      const q = mlpPolicyInit(root.fork('init'), 64);
      sft(env, q, [...realSamples, ...aug.samples], root.fork('sftAug'), SFT_DEFAULTS);
      row[`sftAugmentedKeep${keep}`] = evaluate(env, mlpActionPolicy(env, q, true), 200, seed).successRate;
    }
    process.stderr.write(`${JSON.stringify(row)}\n`);
    rows.push(row);
  }
}
process.stdout.write(`${JSON.stringify({ bench: 'grpo/causal-ablation', rows })}\n`);
