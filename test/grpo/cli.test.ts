import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

async function captureStdout(f: () => Promise<number>): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => {
    chunks.push(String(s));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await f();
    return { code, out: chunks.join('') };
  } finally {
    process.stdout.write = orig;
  }
}

describe('grpo CLI', () => {
  it('grpo bandit --json prints the issue-6 keys', async () => {
    const { code, out } = await captureStdout(() =>
      runCli(['grpo', 'bandit', '--steps', '60', '--seed', '2', '--json']),
    );
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(Object.keys(r).sort()).toEqual(['curve', 'greedyAccuracy', 'klToRef', 'meanRewardLast50', 'wallSeconds']);
    expect(r.curve).toHaveLength(60);
    expect(r.greedyAccuracy).toBeGreaterThanOrEqual(0);
  });
  it('bad inputs exit with code 2', async () => {
    expect(await runCli(['grpo', 'bandit', '--steps', 'abc'])).toBe(2);
    expect(await runCli(['grpo', 'bandit', '--steps', '0'])).toBe(2);
    expect(await runCli(['grpo', 'bandit', '--engine', 'gpu'])).toBe(2);
    expect(await runCli(['grpo', 'bandit', '--loss-type', 'ppo'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--model', '/nonexistent/model'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--targets', 'wq,,wv'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--beta', '-1'])).toBe(2);
    expect(await runCli(['grpo', 'lm', '--temperature', '0'])).toBe(2);
  });
});
