import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

describe('modelmath rope freqs', () => {
  it('accepts valid options and rejects bad ones with exit code 2', async () => {
    expect(await runCli(['rope', 'freqs', '--head-dim', '8'])).toBe(0);
    expect(await runCli(['rope', 'freqs', '--head-dim', '8', '--scaling', 'llama3', '--factor', '8'])).toBe(0);
    expect(await runCli(['rope', 'freqs', '--head-dim', '7'])).toBe(2);
    expect(await runCli(['rope', 'freqs', '--scaling', 'yarn'])).toBe(2);
    expect(await runCli(['rope', 'freqs', '--scaling', 'cubic', '--factor', '2'])).toBe(2);
    expect(await runCli(['rope', 'freqs', '--base', '1'])).toBe(2);
  });
});
