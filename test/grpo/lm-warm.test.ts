import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { ADDITION, isHeldOut, REVERSE } from '../../src/grpo/lm.js';
import { WARM_START_PRESETS } from '../../src/grpo/lm-config.js';
import { lmRewardFns, runLmGrpo } from '../../src/grpo/lm-task.js';
import { sftText, warmStart } from '../../src/grpo/lm-warm.js';
import { saveTinyLm, TINY_LM_DEFAULTS, TINY_LM_PRESETS, tinyLmInit } from '../../src/lm/index.js';
import { forEachLinear, isLoraLinear } from '../../src/lora/index.js';
import { disposeParams } from '../../src/nn/index.js';

const config = { ...TINY_LM_DEFAULTS, ...TINY_LM_PRESETS.test };
const dir = mkdtempSync(join(tmpdir(), 'grpo-lm-warm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SFT warm start', () => {
  it('SFT text: correct sums of training problems only', () => {
    const lines = sftText(ADDITION, 400, new Rng(1)).trimEnd().split('\n');
    expect(lines).toHaveLength(400);
    for (const line of lines) {
      const m = /^(\d+)\+(\d+)=(\d+)$/.exec(line);
      expect(m, line).not.toBeNull();
      const [a, b, c] = [Number(m![1]), Number(m![2]), Number(m![3])];
      expect(c).toBe(a + b);
      expect(isHeldOut({ a, b })).toBe(false);
    }
    for (const line of sftText(REVERSE, 400, new Rng(2)).trimEnd().split('\n')) {
      const m = /^([a-z]{4})>([a-z]{4})$/.exec(line);
      expect(m, line).not.toBeNull();
      expect([...m![1]].reverse().join('')).toBe(m![2]);
      expect(REVERSE.isHeldOut(m![1])).toBe(false);
    }
  });

  it('trains a LoRA adapter with the LM loop, lowers the loss and merges it into the weights', async () => {
    await getTf();
    const params = tinyLmInit(new Rng(3), config);
    try {
      const w0 = (params.blocks[0].attn.wq.w.dataSync() as Float32Array).slice();
      const r = await warmStart(params, config, ADDITION, new Rng(4), {
        ...WARM_START_PRESETS.addition,
        steps: 40,
        examples: 300,
      });
      expect(r.lossLast).toBeLessThan(r.lossFirst - 0.3);
      let lora = 0;
      forEachLinear(params, (_p, node) => {
        if (isLoraLinear(node)) lora++;
      });
      expect(lora).toBe(0);
      const w1 = params.blocks[0].attn.wq.w.dataSync() as Float32Array;
      expect(w1.some((x, i) => x !== w0[i])).toBe(true);
    } finally {
      disposeParams(params);
    }
  });
});

describe('SFT warm start with a target accuracy', () => {
  it('stops at the first check whose training-split accuracy reaches the target, and validates it', async () => {
    await getTf();
    const params = tinyLmInit(new Rng(3), config);
    try {
      const run = (steps: number, targetAccuracy: number) =>
        warmStart(params, config, REVERSE, new Rng(4), {
          ...WARM_START_PRESETS.reverse,
          steps,
          examples: 200,
          targetAccuracy,
          checkEvery: 5,
        });
      // Target 0: the first check (after checkEvery steps) already reaches it.
      const r = await run(50, 0);
      expect(r.steps).toBe(5);
      expect(r.checkAccuracy).toBe(0);
      // An unreachable target for a random model: all steps run, accuracy checked every 5.
      const full = await run(12, 1);
      expect(full.steps).toBe(12);
      expect(full.checkAccuracy).toBeLessThan(1);
      await expect(
        warmStart(params, config, REVERSE, new Rng(4), { ...WARM_START_PRESETS.reverse, targetAccuracy: 1.5 }),
      ).rejects.toThrow(/targetAccuracy/);
    } finally {
      disposeParams(params);
    }
  });
});

describe('grpo lm wiring', () => {
  it('rewards are exact match (plus optional character credit)', () => {
    const [exact, ...rest] = lmRewardFns(ADDITION, 0);
    expect(rest).toHaveLength(0);
    const p = { a: 47, b: 38 };
    expect(Array.from(exact.score([p, p, p, p], ['85', '085', '84', '85 ']))).toEqual([1, 0, 0, 0]);
    const two = lmRewardFns(ADDITION, 0.5);
    expect(two.map((f) => f.name)).toEqual(['exactMatch', 'chars']);
    expect(Array.from(two[1].score([p], ['84']))).toEqual([0.5]);
  });

  it('CLI rejects bad warm-start options (exit 2)', async () => {
    expect(await runCli(['grpo', 'lm', '--warm-start', '-5'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--warm-start', '1.5'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--warm-examples', '3'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--warm-lr', '0'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--task', 'subtraction'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--warm-target', '2'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--warm-rank', '-1'])).toBe(2);
  });

  it.each([
    ['addition', 8],
    ['reverse', 0],
  ] as const)(
    '%s: warm start (LoRA rank %i) then GRPO on a model folder: accuracies on the same held-out set',
    async (task, warmRank) => {
      await getTf();
      const params = tinyLmInit(new Rng(5), config);
      await saveTinyLm(join(dir, `model-${task}`), params, config);
      disposeParams(params);
      const logs: Record<string, number>[] = [];
      const r = await runLmGrpo({
        modelDir: join(dir, `model-${task}`),
        task,
        steps: 2,
        seed: 0,
        r: 2,
        targetModules: ['wq', 'wv'],
        evalProblems: 6,
        warmStart: { steps: 10, examples: 100, r: warmRank },
        config: { batchPrompts: 2, numGenerations: 3 },
        onLog: (l) => logs.push(l as unknown as Record<string, number>),
      });
      expect(r.task).toBe(task);
      expect(r.warmStart?.steps).toBe(10);
      expect(r.evalProblems).toBe(6);
      for (const a of [r.heldOutAccuracyBase, r.heldOutAccuracyBefore, r.heldOutAccuracyAfter, r.sampledAccuracyAfter])
        expect(a * 6).toBe(Math.round(a * 6));
      expect(r.curve).toHaveLength(2);
      expect(logs).toHaveLength(2);
      for (const l of logs) expect(l['reward/mean'] * 6).toBe(Math.round(l['reward/mean'] * 6)); // 0/1 rewards, 6 samples
      expect(r.generatedTokens).toBeGreaterThan(0);
    },
    20_000,
  );
});
