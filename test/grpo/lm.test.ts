import { describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import {
  digitCredit,
  exactMatch,
  heldOutProblems,
  isHeldOut,
  LmGrpoPolicy,
  promptIds,
  sampleTrainProblem,
} from '../../src/grpo/lm.js';
import { GrpoTrainer } from '../../src/grpo/trainer.js';
import { TINY_LM_DEFAULTS, TINY_LM_PRESETS, tinyLmInit } from '../../src/lm/index.js';
import { addLora } from '../../src/lora/index.js';
import { disposeParams } from '../../src/nn/index.js';

describe('addition task', () => {
  it('exact match, held-out split, prompt padding', () => {
    expect(exactMatch({ a: 12, b: 30 }, '42')).toBe(1);
    expect(exactMatch({ a: 12, b: 30 }, '042')).toBe(0);
    expect(exactMatch({ a: 12, b: 30 }, '42 ')).toBe(0);
    const rng = new Rng(1);
    for (let i = 0; i < 500; i++) expect(isHeldOut(sampleTrainProblem(rng))).toBe(false);
    const held = heldOutProblems(1000, new Rng(2));
    expect(held).toHaveLength(1000);
    expect(held.every(isHeldOut)).toBe(true);
    const { ids, L } = promptIds([
      { a: 1, b: 2 },
      { a: 10, b: 20 },
    ]);
    expect(L).toBe(7); // "\n10+20="
    expect(ids[0]).toEqual([10, 10, 10, 49, 43, 50, 61]); // left-padded "\n1+2="
  });
});

describe('LmGrpoPolicy (tiny random LM + LoRA)', () => {
  for (const lossType of ['grpo', 'dapo'] as const) {
    it(`${lossType}: finite loss, every LoRA parameter changes, truncation flags`, async () => {
      await getTf();
      const config = { ...TINY_LM_DEFAULTS, ...TINY_LM_PRESETS.test };
      const params = tinyLmInit(new Rng(3), config);
      addLora(params, new Rng(4), { r: 2, alpha: 4, targetModules: ['wq', 'wv'] });
      try {
        const policy = new LmGrpoPolicy(params, config, { maxNewTokens: 3, lr: 1e-2, weightDecay: 0 });
        const before = policy.parameters();
        const trainer = new GrpoTrainer({
          policy,
          // A reward that varies on a random model: the first byte modulo 7.
          rewardFns: [
            { name: 'byte', score: (_p: unknown[], c: string[]) => c.map((s) => (s.length ? s.charCodeAt(0) % 7 : 0)) },
          ],
          samplePrompts: (r, n) => Array.from({ length: n }, () => sampleTrainProblem(r)),
          config: { batchPrompts: 2, numGenerations: 3, numIterations: 2, lossType, beta: 0.05, logEvery: 0 },
          rng: new Rng(5),
        });
        await trainer.trainStep(); // B moves from 0 here; A's gradient is B-weighted
        const log = await trainer.trainStep();
        expect(Number.isFinite(log.loss)).toBe(true);
        expect(log.entropy).toBeGreaterThan(0);
        expect(log.kl).toBeGreaterThanOrEqual(0);
        for (const [name, v] of policy.parameters()) {
          const old = before.get(name)!;
          expect(
            v.some((x, i) => x !== old[i]),
            name,
          ).toBe(true);
        }
        expect(policy.generatedTokens).toBeGreaterThan(0);
        expect(policy.greedyAccuracy([{ a: 1, b: 1 }])).toBeGreaterThanOrEqual(0);
      } finally {
        disposeParams(params);
      }
    });
  }
});

describe('digit partial credit', () => {
  it('right-aligned digit matches; 1 exactly when exact', () => {
    expect(digitCredit({ a: 12, b: 30 }, '42')).toBe(1);
    expect(digitCredit({ a: 12, b: 30 }, '52')).toBe(0.5);
    expect(digitCredit({ a: 60, b: 50 }, '10')).toBeCloseTo(2 / 3, 12); // 110 vs "10": two right digits of three
    expect(digitCredit({ a: 1, b: 1 }, '')).toBe(0);
  });
});
