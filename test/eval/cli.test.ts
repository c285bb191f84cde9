import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { saveTinyLm, TINY_LM_DEFAULTS, TINY_LM_PRESETS, tinyLmInit } from '../../src/lm/index.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'eval-cli-'));
const model = join(tmp, 'model');
const text = join(tmp, 'text.txt');

beforeAll(async () => {
  await getTf();
  const config = { ...TINY_LM_DEFAULTS, ...TINY_LM_PRESETS.test };
  await saveTinyLm(model, tinyLmInit(new Rng(0), config), config);
  writeFileSync(text, 'The small dog runs at home.\n3+4=7\n');
});

describe('eval and lm CLI', () => {
  it('prints the metrics as one JSON line', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'src/cli/main.ts'),
        'eval',
        '--model',
        model,
        '--text',
        text,
        '--stride',
        '5',
        '--json',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.tokens).toBe(34);
    expect(out.bytes).toBe(34);
    expect(out.perplexity).toBeCloseTo(Math.exp(out.crossEntropy), 8);
    expect(out.bitsPerByte).toBeCloseTo(out.crossEntropy / Math.LN2, 8);
  });

  it('rejects bad inputs with exit code 2 and writes nothing', async () => {
    expect(await runCli(['eval', '--model', model, '--text', join(tmp, 'missing.txt')])).toBe(2);
    expect(await runCli(['eval', '--model', join(tmp, 'nope'), '--text', text])).toBe(2);
    expect(await runCli(['eval', '--model', model, '--text', text, '--stride', '16'])).toBe(2);
    expect(await runCli(['eval', '--model', model, '--text', text, '--context', 'abc'])).toBe(2);
    expect(await runCli(['eval', '--model', tmp, '--text', text])).toBe(2);
    const out = join(tmp, 'never');
    expect(await runCli(['lm', 'train', '--data', join(tmp, 'missing.txt'), '--valid', text, '--out', out])).toBe(2);
    expect(await runCli(['lm', 'train', '--data', text, '--valid', text, '--steps', '0', '--out', out])).toBe(2);
    expect(
      await runCli(['lm', 'finetune', '--model', model, '--data', text, '--valid', text, '--r', '0', '--out', out]),
    ).toBe(2);
    expect(await runCli(['lm', 'sample', '--model', model, '--prompt', 'a', '--temperature', 'hot'])).toBe(2);
    expect(await runCli(['lm', 'sample', '--model', join(tmp, 'nope'), '--prompt', 'a'])).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
