/**
 * bench/grpo/warm-start.ts — where GRPO should start: held-out greedy accuracy of the shipped tiny LM
 * after an SFT warm start of each length (one fresh run per length, the task's WARM_START_PRESETS
 * otherwise). This is how the presets were chosen (docs/parts/grpo.md).
 * Usage: npx tsx bench/grpo/warm-start.ts [--task reverse] [--steps 300,350,400] [--rank R] [--lr X] [--seed 0]
 */
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { LM_TASKS, type LmTask, lmGreedyAccuracy } from '../../src/grpo/lm.js';
import { type LmTaskName, WARM_START_PRESETS } from '../../src/grpo/lm-config.js';
import { warmStart } from '../../src/grpo/lm-warm.js';
import { loadTinyLm, shippedModelDir } from '../../src/lm/index.js';
import { disposeParams } from '../../src/nn/index.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const taskName = arg('task', 'reverse') as LmTaskName;
if (!(taskName in LM_TASKS)) throw new Error(`--task must be one of ${Object.keys(LM_TASKS).join(', ')}`);
const task = LM_TASKS[taskName] as LmTask<unknown>;
const preset = WARM_START_PRESETS[taskName];
const lengths = arg('steps', '300,350,400').split(',').map(Number);
const r = Number(arg('rank', String(preset.r)));
const lr = Number(arg('lr', String(preset.lr)));
const seed = Number(arg('seed', '0'));
await getTf();
const rows = [];
for (const steps of lengths) {
  // The same seed streams as `grpo lm` (runLmGrpo): eval set from fork('eval'), warm start from fork('warm').
  const rng = new Rng(seed);
  const evalSet = task.heldOut(200, rng.fork('eval'));
  const { params, config } = loadTinyLm(shippedModelDir());
  try {
    const w = await warmStart(params, config, task, rng.fork('warm'), { ...preset, steps, r, lr });
    const row = {
      steps,
      heldOutGreedy: lmGreedyAccuracy(params, config, task, evalSet),
      lossLast: w.lossLast,
      wallSeconds: w.wallSeconds,
    };
    process.stderr.write(`${JSON.stringify(row)}\n`);
    rows.push(row);
  } finally {
    disposeParams(params);
  }
}
process.stdout.write(`${JSON.stringify({ bench: 'grpo/warm-start', task: taskName, r, lr, seed, rows })}\n`);
