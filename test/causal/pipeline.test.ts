import { describe, expect, it } from 'vitest';
import { runEpisode, scriptedPolicy } from '../../src/causal/episode.js';
import { runCausalPipeline } from '../../src/causal/pipeline.js';
import { pushRewards } from '../../src/causal/rl.js';
import { PUSH_ENV, sampleInitialState } from '../../src/causal/scm.js';
import { runCli } from '../../src/cli/main.js';
import { Rng } from '../../src/core/rng.js';

describe('causal pipeline (quick settings)', () => {
  it('runs every stage, reports the issue-10 fields, and is deterministic', async () => {
    const cfg = { realTrajectories: 4, evalEpisodes: 20, sftSteps: 30, rlSteps: 2, evalEvery: 1 };
    const a = await runCausalPipeline(cfg, 3);
    const b = await runCausalPipeline(cfg, 3);
    expect(a).toEqual(b);
    for (const key of ['coldStart', 'sftReal', 'sftAugmented', 'rl'] as const) {
      const st = a.stages[key]!;
      for (const f of ['successRate', 'collisionRate', 'meanForce'] as const) expect(Number.isFinite(st[f])).toBe(true);
      expect(st.samples.real).toBeGreaterThan(0);
    }
    expect(a.stages.sftAugmented!.samples.generated).toBe(24 * a.stages.coldStart!.samples.real);
    // Same environment-step budget: pure RL uses at least the real steps + the stage-4 steps.
    expect(a.pureRl!.budgetEnvSteps).toBeGreaterThanOrEqual(a.stages.rl!.budgetEnvSteps);
    expect(a.curves.rl.length).toBeGreaterThan(1);
  });
  it('the four rewards: completion, stable contact, force, safety', () => {
    const rng = new Rng(4);
    const starts = Array.from({ length: 6 }, () => sampleInitialState(rng));
    const eps = starts.map((s) => runEpisode(PUSH_ENV, s, scriptedPolicy(PUSH_ENV, 0.3, 0.3), rng));
    const [completion, contact, force, safety] = pushRewards().map((f) => Array.from(f.score(starts, eps)));
    eps.forEach((ep, i) => {
      expect(completion[i]).toBe(ep.success ? 1 : completion[i]);
      if (!ep.success) expect(completion[i]).toBeLessThanOrEqual(0.5);
      expect(contact[i]).toBeGreaterThanOrEqual(0);
      expect(contact[i]).toBeLessThanOrEqual(1);
      expect(force[i]).toBeLessThanOrEqual(0);
      expect(safety[i]).toBe(ep.collision || ep.invalid ? -1 : 0);
    });
  });
});

describe('causal CLI', () => {
  it('rejects unknown stages and bad numbers with exit code 2', async () => {
    expect(await runCli(['causal', 'run', '--stages', 'sft'])).toBe(2);
    expect(await runCli(['causal', 'run', '--real-trajectories', '0'])).toBe(2);
    expect(await runCli(['causal', 'run', '--rl-steps', 'many'])).toBe(2);
  });
  it('--json prints {stages: {coldStart, sftReal, sftAugmented, rl}, pureRl}', async () => {
    const chunks: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => {
      chunks.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    try {
      const code = await runCli([
        'causal',
        'run',
        '--json',
        '--real-trajectories',
        '3',
        '--rl-steps',
        '1',
        '--eval-episodes',
        '10',
        '--preset',
        'quick',
      ]);
      expect(code).toBe(0);
    } finally {
      process.stdout.write = orig;
    }
    const out = JSON.parse(chunks.join(''));
    expect(Object.keys(out.stages).sort()).toEqual(['coldStart', 'rl', 'sftAugmented', 'sftReal']);
    expect(out.pureRl.successRate).toBeGreaterThanOrEqual(0);
    expect(out.stages.sftAugmented.counterfactual.labelAgreement).toBeGreaterThan(0.9);
  });
});
