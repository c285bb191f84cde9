import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/cli.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-diffusion-cli-'));
  process.env.MODELMATH_NO_PROGRESS = '1';
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = runCliCaptured;

describe('modelmath diffusion schedule', () => {
  it('prints the SD-Turbo abar values as JSON', async () => {
    const r = await cli(['--json', 'diffusion', 'schedule', '--type', 'scaled_linear']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: { index: number; alphaBar: number }[] };
    const at = (i: number) => out.rows.find((row) => row.index === i)?.alphaBar ?? Number.NaN;
    expect(at(999)).toBeCloseTo(0.00466009, 7);
    expect(at(899)).toBeCloseTo(0.01429865, 6);
    expect(at(300)).toBeCloseTo(0.59050107, 6);
  });
  it('--full gives whole tables; custom steps and betas', async () => {
    const r = await cli([
      '--json',
      'diffusion',
      'schedule',
      '--type',
      'linear',
      '--steps',
      '10',
      '--beta-start',
      '0.01',
      '--beta-end',
      '0.1',
      '--full',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { betas: number[]; alphasCumprod: number[] };
    expect(out.betas).toHaveLength(10);
    expect(out.betas[9]).toBeCloseTo(0.1, 12);
    expect(out.alphasCumprod[0]).toBeCloseTo(0.99, 12);
  });
  it.each([
    [['--type', 'quadratic'], /--type/],
    [['--type', 'linear', '--steps', 'abc'], /--steps/],
    [['--type', 'linear', '--beta-end', '2'], /--beta-end/],
    [['--type', 'cosine', '--beta-start', '0.001'], /cosine/],
    [['--steps', '10'], /--type/],
  ])('rejects %j with exit 2 and one line naming the input', async (args, pattern) => {
    const r = await cli(['diffusion', 'schedule', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('modelmath diffusion lab / sample', () => {
  it('trains (quick preset), writes report, weights and checkpoint, then samples from the weights', async () => {
    const out = join(dir, 'lab');
    const r = await cli([
      '--json',
      '--out',
      out,
      'diffusion',
      'lab',
      '--data',
      'gmm',
      '--model',
      'eps',
      '--preset',
      'quick',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      scoreErrors: unknown[];
      samplers: { sampler: string }[];
      train: { steps: number };
    };
    expect(report.train.steps).toBe(20);
    expect(report.scoreErrors).toHaveLength(7);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(report);
    expect(existsSync(join(out, 'checkpoint', 'state.json'))).toBe(true);
    const s = await cli([
      '--json',
      '--out',
      join(dir, 'samples.json'),
      'diffusion',
      'sample',
      '--weights',
      join(out, 'weights.safetensors'),
      '--n',
      '50',
    ]);
    expect(s.code).toBe(0);
    const samples = JSON.parse(readFileSync(join(dir, 'samples.json'), 'utf8')) as {
      points: Record<string, number[][]>;
    };
    expect(samples.points.ddim).toHaveLength(50);
  });
  it.each([
    [['lab', '--data', 'swissroll'], /--data/],
    [['lab', '--model', 'flow'], /--model/],
    [['lab', '--resume', '--preset', 'quick'], /--resume needs --out/],
    [['lab', '--steps', '0'], /--steps/],
    [['sample', '--weights', '/nonexistent/w.safetensors'], /w\.safetensors/],
  ])('rejects %j with exit 2', async (args, pattern) => {
    const r = await cli(['diffusion', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
  });
  it('rejects a file that is not lab weights, and writes nothing', async () => {
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, 'garbage');
    const r = await cli(['--out', join(dir, 'never.json'), 'diffusion', 'sample', '--weights', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.safetensors/);
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
  });
});
