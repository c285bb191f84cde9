import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';

/** Runs the CLI in-process; returns exit code and captured stderr. */
async function cli(args: string[]) {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await runCli(args);
    return { code, stderr };
  } finally {
    spy.mockRestore();
    out.mockRestore();
  }
}

describe('toy CLI: bad input fails with exit 2, one clear message and no output file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'toy-cli-'));

  it('toy render: unknown word, bad grammar, missing or wrong --out', async () => {
    const out = join(dir, 'a.png');
    let r = await cli(['--out', out, 'toy', 'render', '--caption', 'a large red unicorn at top on snow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unicorn.*not in the toy vocabulary|expected a shape/);
    r = await cli(['--out', out, 'toy', 'render', '--caption', 'a large red circle on snow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected "at"/);
    r = await cli(['toy', 'render', '--caption', 'a large red circle at top on snow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out is required: PNG file/);
    expect(existsSync(out)).toBe(false);
  });

  it('toy render writes the ground-truth picture', async () => {
    const out = join(dir, 'ok.png');
    const r = await cli(['--out', out, 'toy', 'render', '--caption', 'a large red circle at top on snow']);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('toy train / generate / edit-bench: bad flags and files', async () => {
    let r = await cli(['toy', 'train', '--preset', 'quick']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out is required: folder for checkpoint/);
    r = await cli(['--out', join(dir, 't'), 'toy', 'train', '--preset', 'huge']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--preset/);
    r = await cli(['--out', join(dir, 't'), 'toy', 'train', '--steps', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--steps/);
    const bogus = join(dir, 'bogus.safetensors');
    writeFileSync(bogus, 'not a safetensors file');
    r = await cli(['toy', 'export-onnx', '--weights', bogus, '--out', join(dir, 'onnx')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bogus\.safetensors/);
    expect(existsSync(join(dir, 'onnx'))).toBe(false);
    r = await cli([
      'toy',
      'generate',
      '--caption',
      'a large red circle at top on snow',
      '--model',
      join(dir, 'no-such-model'),
      '--out',
      join(dir, 'g.png'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-model/);
    expect(existsSync(join(dir, 'g.png'))).toBe(false);
    r = await cli(['edit-bench', '--methods', 'chord,magic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--methods/);
    r = await cli(['edit-bench', '--pairs', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pairs/);
    r = await cli(['edit-bench', '--resamples', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resamples/);
  });

  it('toy frontier: bad grids and settings exit 2 before any edit, with no output file', async () => {
    const out = join(dir, 'frontier.json');
    for (const [args, message] of [
      [['--lambdas', '1,0.5'], /--lambdas must be at least 2 ascending values > 0, got 1, 0.5/],
      [['--lambdas', '0.5,abc'], /--lambdas/],
      [['--delta', '0.95', '--ts', '0.9'], /--delta/],
      [['--ts', '0.1', '--energy-draws', '0'], /delta must be in \(0, smallest t = 0.1\)/],
      [['--energy-draws', '1'], /energyDraws must be 0 \(skip\) or an integer >= 2|--energy-draws/],
      [['--levels', '1.5'], /levels must be in \(0, 1\]/],
      [['--noise-samples', '0'], /--noise-samples/],
    ] as const) {
      const r = await cli(['toy', 'frontier', ...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBe(1);
    }
    expect(existsSync(out)).toBe(false);
  });
});
