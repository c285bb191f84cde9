import { describe, expect, it } from 'vitest';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { ADDITION, charCredit, exactMatch, isHeldOut, LmGrpoPolicy, promptIds, REVERSE } from '../../src/grpo/lm.js';
import { GrpoTrainer } from '../../src/grpo/trainer.js';
import { TINY_LM_DEFAULTS, TINY_LM_PRESETS, tinyLmInit } from '../../src/lm/index.js';
import { addLora } from '../../src/lora/index.js';
import { disposeParams } from '../../src/nn/index.js';

describe('addition task', () => {
  it('exact match, held-out split, prompt padding', () => {
    expect(exactMatch(ADDITION, { a: 12, b: 30 }, '42')).toBe(1);
    expect(exactMatch(ADDITION, { a: 12, b: 30 }, '042')).toBe(0);
    expect(exactMatch(ADDITION, { a: 12, b: 30 }, '42 ')).toBe(0);
    const rng = new Rng(1);
    for (let i = 0; i < 500; i++) expect(isHeldOut(ADDITION.sampleTrain(rng))).toBe(false);
    const held = ADDITION.heldOut(1000, new Rng(2));
    expect(held).toHaveLength(1000);
    expect(held.every(isHeldOut)).toBe(true);
    expect(new Set(held.map((p) => `${p.a}+${p.b}`)).size).toBe(1000);
    const { ids, L } = promptIds(ADDITION, [
      { a: 1, b: 2 },
      { a: 10, b: 20 },
    ]);
    expect(L).toBe(7); // "\n10+20="
    expect(ids[0]).toEqual([10, 10, 10, 49, 43, 50, 61]); // left-padded "\n1+2="
  });
});

describe('reversal task', () => {
  it('answer is the reversed word; held-out split is disjoint, about 10 %, and spread over letters', () => {
    expect(REVERSE.prompt('abcd')).toBe('abcd>');
    expect(REVERSE.answer('abcd')).toBe('dcba');
    expect(exactMatch(REVERSE, 'stop', 'pots')).toBe(1);
    expect(exactMatch(REVERSE, 'stop', 'stop')).toBe(0);
    // Independent definition of the split: sum of (position + 1) * (letter index) ends in 3.
    const heldOutByHand = (w: string) => [...w].reduce((s, c, i) => s + (i + 1) * (c.charCodeAt(0) - 97), 0) % 10 === 3;
    expect(heldOutByHand('aaad')).toBe(false); // 4 * 3 = 12
    expect(REVERSE.isHeldOut('aaad')).toBe(false);
    expect(REVERSE.isHeldOut('adaa')).toBe(false); // 2 * 3 = 6
    expect(REVERSE.isHeldOut('daaa')).toBe(true); // 1 * 3 = 3
    const rng = new Rng(3);
    const train = Array.from({ length: 2000 }, () => REVERSE.sampleTrain(rng));
    for (const w of train) {
      expect(w).toMatch(/^[a-z]{4}$/);
      expect(heldOutByHand(w)).toBe(false);
    }
    const held = REVERSE.heldOut(500, new Rng(4));
    expect(new Set(held).size).toBe(500);
    expect(held.every(heldOutByHand)).toBe(true);
    expect(new Set(held.map((w) => w[0])).size).toBeGreaterThan(20);
    // The split keeps about 10 % of random words.
    const r = new Rng(5);
    let n = 0;
    for (let i = 0; i < 20000; i++)
      if (REVERSE.isHeldOut(String.fromCharCode(...Array.from({ length: 4 }, () => 97 + r.int(26))))) n++;
    expect(n / 20000).toBeGreaterThan(0.09);
    expect(n / 20000).toBeLessThan(0.11);
    expect(REVERSE.maxNewTokens).toBe(5);
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
        const policy = new LmGrpoPolicy(ADDITION, params, config, { lr: 1e-2, weightDecay: 0 });
        const before = policy.parameters();
        const trainer = new GrpoTrainer({
          policy,
          // A reward that varies on a random model: the first byte modulo 7.
          rewardFns: [
            { name: 'byte', score: (_p: unknown[], c: string[]) => c.map((s) => (s.length ? s.charCodeAt(0) % 7 : 0)) },
          ],
          samplePrompts: (r, n) => Array.from({ length: n }, () => ADDITION.sampleTrain(r)),
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

describe('character partial credit', () => {
  it('right-aligned character matches; 1 exactly when exact', () => {
    expect(charCredit('42', '42')).toBe(1);
    expect(charCredit('42', '52')).toBe(0.5);
    expect(charCredit('110', '10')).toBeCloseTo(2 / 3, 12); // two right digits of three
    expect(charCredit('2', '')).toBe(0);
    expect(charCredit('dcba', 'xcba')).toBe(0.75);
  });
});
