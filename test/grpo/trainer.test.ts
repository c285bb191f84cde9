import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { type GrpoConfig, LOSS_TYPES } from '../../src/grpo/config.js';
import { trainGrpo } from '../../src/grpo/train.js';
import { GrpoTrainer } from '../../src/grpo/trainer.js';
import { countOnes, TablePolicy } from './support.js';

function makeTrainer(config: Partial<GrpoConfig>, seed = 1) {
  const policy = new TablePolicy(3, 4, 3, new Rng(seed));
  return new GrpoTrainer<number, number[]>({
    policy,
    rewardFns: [countOnes, { name: 'short', score: (_p, c) => c.map((t) => -0.1 * t.length) }],
    samplePrompts: (rng, n) => Array.from({ length: n }, () => rng.int(3)),
    config: { batchPrompts: 3, numGenerations: 4, numIterations: 2, logEvery: 0, ...config },
    rng: new Rng(seed + 100),
  });
}

describe('GrpoTrainer on a tiny multi-token policy', () => {
  for (const lossType of LOSS_TYPES) {
    it(`${lossType}: finite loss, logged metrics, every parameter changes`, async () => {
      const trainer = makeTrainer({ lossType, beta: 0.04 });
      const before = trainer.policy.parameters();
      const logs = [];
      for (let i = 0; i < 3; i++) logs.push(await trainer.trainStep());
      for (const log of logs) {
        expect(Number.isFinite(log.loss)).toBe(true);
        expect(Number.isFinite(log.kl)).toBe(true);
        expect(log.entropy).toBeGreaterThan(0);
        expect(log['reward/ones']).toBeGreaterThanOrEqual(0);
      }
      expect(logs[2].kl).toBeGreaterThan(0); // the policy has moved away from the reference
      for (const [name, value] of trainer.policy.parameters()) {
        const old = before.get(name)!;
        const changed = value.filter((v, i) => v !== old[i]).length;
        expect(changed, name).toBe(value.length);
      }
    });
  }

  it('learns: reward rises on the count-ones task', async () => {
    const trainer = makeTrainer({ lossType: 'dapo', epsilonHigh: 0.28, beta: 0 }, 3);
    const rewards: number[] = [];
    for (let i = 0; i < 60; i++) rewards.push((await trainer.trainStep())['reward/mean']);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(rewards.slice(-10))).toBeGreaterThan(mean(rewards.slice(0, 10)) + 0.5);
  });

  it('dynamic sampling drops groups whose rewards are all equal', async () => {
    const policy = new TablePolicy(2, 2, 3, new Rng(4));
    const trainer = new GrpoTrainer<number, number[]>({
      policy,
      rewardFns: [{ name: 'const', score: (p) => p.map((x) => (x === 0 ? 1 : 0)) }],
      samplePrompts: (rng, n) => Array.from({ length: n }, () => rng.int(2)),
      config: { batchPrompts: 4, numGenerations: 3, dynamicSampling: true, logEvery: 0 },
      rng: new Rng(5),
    });
    const before = policy.parameters().get('table')!;
    const log = await trainer.trainStep();
    expect(log['groups/kept']).toBe(0);
    expect(log.loss).toBe(0);
    expect(policy.parameters().get('table')).toEqual(before); // no update without a kept group
  });

  it('maskTruncatedCompletions removes truncated rows from the loss', async () => {
    const trainer = makeTrainer({ maskTruncatedCompletions: true, lossType: 'bnpo' }, 6);
    const log = await trainer.trainStep();
    expect(log['completions/truncatedRatio']).toBeGreaterThan(0);
    expect(Number.isFinite(log.loss)).toBe(true);
  });

  it('resume: 2 steps + state round trip + 2 steps equals 4 steps straight', async () => {
    const straight = makeTrainer({ lossType: 'grpo' }, 9);
    for (let i = 0; i < 4; i++) await straight.trainStep();
    const first = makeTrainer({ lossType: 'grpo' }, 9);
    for (let i = 0; i < 2; i++) await first.trainStep();
    const state = structuredClone(first.getState());
    const resumed = makeTrainer({ lossType: 'grpo' }, 77); // different init and rng, overwritten by the state
    resumed.setState(state);
    for (let i = 0; i < 2; i++) await resumed.trainStep();
    expect(resumed.step).toBe(4);
    expect(resumed.policy.parameters().get('table')).toEqual(straight.policy.parameters().get('table'));
  });
});

describe('GrpoTrainer.train: checkpoints and resume through nn trainLoop', () => {
  it('4 steps straight equal 2 steps + checkpoint + resume to 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grpo-ckpt-'));
    try {
      const straight = makeTrainer({ steps: 4 }, 11);
      await trainGrpo(straight);
      const first = makeTrainer({ steps: 2, checkpointEvery: 1 }, 11);
      await trainGrpo(first, { checkpointPath: join(dir, 'ckpt') });
      const resumed = makeTrainer({ steps: 4, checkpointEvery: 2 }, 55);
      const lines: string[] = [];
      const history = await trainGrpo(resumed, {
        checkpointPath: join(dir, 'ckpt'),
        resume: true,
        log: (l) => lines.push(l),
      });
      expect(history).toHaveLength(4);
      expect(resumed.step).toBe(4);
      expect(lines).toHaveLength(0); // logEvery 0 in these tests
      expect(resumed.policy.parameters().get('table')).toEqual(straight.policy.parameters().get('table'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('logs one line every logEvery steps with the slash keys', async () => {
    const t = makeTrainer({ steps: 4, logEvery: 2 }, 12);
    const lines: string[] = [];
    await trainGrpo(t, { log: (l) => lines.push(l) });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^step 2 .*reward\/mean .*clipRatio\/low .*entropy/);
  });
});
