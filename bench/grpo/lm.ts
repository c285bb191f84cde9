/**
 * bench/grpo/lm.ts — SFT warm start, then GRPO + LoRA on the shipped tiny LM for a verifiable task (exact-match reward):
 * held-out greedy accuracy before/after, reward curve, and throughput (completion tokens per
 * second over the whole run: sampling + PPO updates). With --write it stores the result as
 * assets/grpo/lm-run.<task>.json for the tour.
 * Usage: npx tsx bench/grpo/lm.ts [--task reverse|addition] [--model assets/lm/model] [--steps 1000] [--seed 0] [--temperature 1] [--partial-credit 0] [--warm-start <task preset>] [--warm-target <task preset>] [--lr 2e-3] [--targets wq,wk,wv,wo] [--write]
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../../src/core/outputs.js';
import { LM_TASKS } from '../../src/grpo/lm.js';
import { type LmTaskName, WARM_START_PRESETS } from '../../src/grpo/lm-config.js';
import { runLmGrpo } from '../../src/grpo/lm-task.js';
import { shippedModelDir } from '../../src/lm/index.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const modelDir = arg('model', shippedModelDir());
const task = arg('task', 'reverse') as LmTaskName;
if (!(task in LM_TASKS)) throw new Error(`--task must be one of ${Object.keys(LM_TASKS).join(', ')}`);
const steps = Number(arg('steps', '1000'));
const seed = Number(arg('seed', '0'));
const temperature = Number(arg('temperature', '1'));
const partialCredit = Number(arg('partial-credit', '0'));
const warmSteps = Number(arg('warm-start', String(WARM_START_PRESETS[task].steps)));
const lr = Number(arg('lr', '2e-3'));
const warmTarget = arg('warm-target', '');
const targets = arg('targets', 'wq,wk,wv,wo');
if (!existsSync(modelDir)) {
  process.stdout.write(`${JSON.stringify({ bench: 'grpo/lm', skipped: `no model folder at ${modelDir}` })}\n`);
  process.exit(0);
}
const r = await runLmGrpo({
  modelDir,
  task,
  steps,
  seed,
  r: 8,
  targetModules: targets.split(','),
  evalProblems: 200,
  temperature,
  partialCredit,
  warmStart: {
    steps: warmSteps,
    ...(warmTarget !== '' && { targetAccuracy: Number(warmTarget) > 0 ? Number(warmTarget) : undefined }),
  },
  config: { lr },
  onLog: (l) => process.stderr.write(`step ${l.step} reward ${l['reward/mean'].toFixed(3)} kl ${l.kl.toFixed(4)}\n`),
});
const result = {
  bench: 'grpo/lm',
  command: `npx tsx bench/grpo/lm.ts --task ${task} --steps ${steps} --seed ${seed} --temperature ${temperature} --partial-credit ${partialCredit} --warm-start ${warmSteps}${warmTarget !== '' ? ` --warm-target ${warmTarget}` : ''} --lr ${lr} --targets ${targets}`,
  ...r,
};
if (process.argv.includes('--write')) {
  writeJsonAtomic(fileURLToPath(new URL(`../../assets/grpo/lm-run.${task}.json`, import.meta.url)), result);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
