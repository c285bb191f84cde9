import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backgroundMetrics, decodePieMask } from '../../src/chordedit/index.js';
import { type Image, readImage, writeImage } from '../../src/core/image.js';
import { writeSdTurboFixture } from '../../testkit/sd-turbo-fixture.js';
import { runCliCaptured } from '../support/cli.js';

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let model: string;
let photo: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edit-cli-'));
  model = writeSdTurboFixture(join(dir, 'sd-turbo'));
  const image: Image = {
    channels: 3,
    height: 20,
    width: 28,
    data: Float32Array.from({ length: 3 * 20 * 28 }, (_, i) => Math.sin(i / 7) * 0.8),
  };
  photo = join(dir, 'photo.png');
  await writeImage(photo, image);
  process.env.MODELMATH_NO_PROGRESS = '1';
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = runCliCaptured;

describe('modelmath edit (single image)', () => {
  it('edits a photo with an SD-Turbo-shaped ONNX folder and reports NFE and times', async () => {
    const out = join(dir, 'edited.png');
    const r = await cli([
      'edit',
      '--image',
      photo,
      '--source',
      'a cat',
      '--target',
      'a dog',
      '--model',
      model,
      '--out',
      out,
      '--json',
      '--seed',
      '7',
    ]);
    expect(r.stderr).toMatch(/^note: .*photo.png \(28x20\) was resized to 32x24, the size the model edits at\n$/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ method: 'chord', nfe: 2, modelCalls: 2, height: 24, width: 32 });
    expect(summary.energies[0].energyU).toBeGreaterThan(0);
    const img = await readImage(out);
    expect([img.height, img.width]).toEqual([24, 32]);
  });
  it('resizes to the fixed size of a UNet exported with static spatial dimensions', async () => {
    const fixedModel = writeSdTurboFixture(join(dir, 'sd-turbo-fixed'), {
      latentSize: 2,
      fixedBatch: true,
      dtype: 'float16',
    });
    const out = join(dir, 'fixed.png');
    const r = await cli([
      'edit',
      '--image',
      photo,
      '--source',
      'a cat',
      '--target',
      'a dog',
      '--model',
      fixedModel,
      '--out',
      out,
      '--json',
    ]);
    expect(r.stderr).toMatch(/was resized to 16x16, the size the model edits at\n$/);
    expect(JSON.parse(r.stdout)).toMatchObject({ height: 16, width: 16, modelCalls: 2 });
  });
  it('runs every method on the same code path', async () => {
    for (const method of ['naive', 'sdedit', 'ddim-inversion']) {
      const out = join(dir, `m-${method}.png`);
      const r = await cli([
        'edit',
        '--image',
        photo,
        '--source',
        'a cat',
        '--target',
        'a dog',
        '--model',
        model,
        '--method',
        method,
        '--steps',
        '2',
        '--out',
        out,
        '--json',
      ]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).method).toBe(method);
      expect(existsSync(out)).toBe(true);
    }
  });
  const bad: [string, string[], RegExp][] = [
    ['t out of range', ['--t', '1.5'], /^modelmath: error: --t must be <= 1, got 1.5$/m],
    [
      'delta >= t',
      ['--t', '0.5', '--delta', '0.6'],
      /^modelmath: error: --delta must be in \[0, t\) = \[0, 0.5\), got 0.6$/m,
    ],
    ['non-numeric lambda', ['--lambda', 'big'], /^modelmath: error: --lambda expects a finite number, got "big"$/m],
    ['unknown method', ['--method', 'magic'], /--method/],
    ['missing model folder', ['--model', '/no/such/model'], /model folder not found/],
    ['unknown device', ['--device', 'tpu'], /supported devices: cpu/],
  ];
  for (const [name, extra, re] of bad) {
    it(`rejects ${name} with exit code 2 and no output file`, async () => {
      const out = join(dir, `bad-${name.replace(/\W+/g, '-')}.png`);
      const r = await cli([
        'edit',
        '--image',
        photo,
        '--source',
        'a',
        '--target',
        'b',
        '--model',
        model,
        '--out',
        out,
        ...extra,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }
  it('rejects a file that is not an image, without an output file', async () => {
    const fake = join(dir, 'fake.png');
    writeFileSync(fake, 'definitely not a PNG');
    const out = join(dir, 'fake-out.png');
    const r = await cli(['edit', '--image', fake, '--source', 'a', '--target', 'b', '--model', model, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fake.png is not an image/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('fake-out'))).toEqual([]);
  });
  it('--model toy (the default): edits with the shipped ONNX folder, resized to its 32 x 32', async () => {
    const out = join(dir, 'toy.png');
    const source = 'a small purple striped star at right on night'; // a caption of the toy grammar
    const target = 'a small purple striped star at right on snow';
    const r = await cli(['edit', '--image', photo, '--source', source, '--target', target, '--out', out, '--json']);
    expect(r.stderr).toMatch(/was resized to 32x32, the size the model edits at\n$/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ height: 32, width: 32, nfe: 2, modelCalls: 2 });
    expect(JSON.parse(r.stdout).timeAllModelsMs).toBeGreaterThan(0);
    expect(existsSync(out)).toBe(true);
  });
});

describe('modelmath edit --batch', () => {
  it('edits every good row, reports bad rows with their line numbers, and resumes', async () => {
    const batch = join(dir, 'edits.jsonl');
    const outDir = join(dir, 'batch-out');
    writeFileSync(
      batch,
      [
        JSON.stringify({ image: photo, source: 'a cat', target: 'a dog', out: 'one.png' }),
        '{ broken json',
        JSON.stringify({ image: photo, source: 'a cat', target: 'a dog', t: 2 }),
        '',
        JSON.stringify({ image: join(dir, 'missing.png'), source: 'a', target: 'b' }),
        JSON.stringify({ image: photo, source: 'a cat', target: 'a cat on snow', method: 'naive', seed: 3 }),
      ].join('\n'),
    );
    const first = await cli(['edit', '--batch', batch, '--model', model, '--out', outDir, '--json']);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/3 of 5 batch rows failed \(first: line 2: not valid JSON/);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ rows: 5, done: 2, skipped: 0 });
    expect(summary.failed.map((f: { line: number }) => f.line)).toEqual([2, 3, 5]);
    expect(summary.failed[1].error).toMatch(/^t must be/);
    expect(summary.failed[2].error).toMatch(/missing.png does not exist/);
    expect(readdirSync(outDir).sort()).toEqual([
      '.modelmath-manifest.json',
      '0006-photo.png',
      'batch-report.json',
      'one.png',
    ]);
    const report = JSON.parse(readFileSync(join(outDir, 'batch-report.json'), 'utf8'));
    expect(report.results.map((r: { line: number }) => r.line)).toEqual([1, 6]);

    const again = await cli(['edit', '--batch', batch, '--model', model, '--out', outDir, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ done: 0, skipped: 2 });
  });
  it('needs --out and refuses --image together with --batch', async () => {
    expect((await cli(['edit', '--batch', 'x.jsonl', '--model', model])).stderr).toMatch(/--out is required/);
    const r = await cli(['edit', '--batch', 'x.jsonl', '--image', photo, '--model', model, '--out', dir]);
    expect(r.stderr).toMatch(/drop --image/);
  });
});

describe('modelmath edit --pie-bench', () => {
  it('edits a tiny PIE-Bench folder, scores the background outside the mask, and resumes', async () => {
    const pie = join(dir, 'pie');
    const images = join(pie, 'annotation_images', '0_random_140');
    mkdirSync(images, { recursive: true });
    const img: Image = {
      channels: 3,
      height: 512,
      width: 512,
      data: Float32Array.from({ length: 3 * 512 * 512 }, (_, i) => ((i % 97) / 97) * 2 - 1),
    };
    await writeImage(join(images, '000000000001.png'), img);
    const entry = (file: string) => ({
      image_path: `0_random_140/${file}`,
      original_prompt: 'a cat sitting on a wall',
      editing_prompt: 'a [dog] sitting on a wall',
      editing_instruction: 'Change the cat to a dog',
      editing_type_id: '1',
      mask: [512 * 200 + 100, 300, 512 * 201 + 100, 300],
    });
    writeFileSync(
      join(pie, 'mapping_file.json'),
      JSON.stringify({ '000000000001': entry('000000000001.png'), '000000000002': entry('missing.jpg') }),
    );
    const outDir = join(dir, 'pie-out');
    const r = await cli(['edit', '--pie-bench', pie, '--model', model, '--out', outDir, '--json', '--no-refine']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ records: 2, done: 1, skipped: 0 });
    expect(summary.failed).toEqual([
      { id: '000000000002', error: expect.stringMatching(/missing.jpg does not exist/) },
    ]);
    const report = JSON.parse(readFileSync(join(outDir, 'pie-bench-report.json'), 'utf8'));
    const edited = await readImage(join(outDir, 'annotation_images', '0_random_140', '000000000001.png'));
    const mask = decodePieMask(entry('x').mask);
    const source = await readImage(join(images, '000000000001.png')); // 8-bit, as the command reads it
    const expected = backgroundMetrics(source, edited, mask, { convention: 'pie-bench' });
    expect(report.rows[0].psnr).toBeCloseTo(expected.psnr, 3);
    expect(report.rows[0].ssim).toBeCloseTo(expected.ssim, 6);
    expect(summary.mean.psnr).toBeCloseTo(expected.psnr, 3);
    const again = JSON.parse(
      (await cli(['edit', '--pie-bench', pie, '--model', model, '--out', outDir, '--json', '--no-refine'])).stdout,
    );
    expect(again).toMatchObject({ done: 0, skipped: 1 });
  });
});

describe('the real process', () => {
  it('exits with code 2 on bad input', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'src/cli/main.ts'),
        'edit',
        '--image',
        photo,
        '--source',
        'a',
        '--target',
        'b',
        '--model',
        model,
        '--t',
        '0',
        '--out',
        join(dir, 'z.png'),
      ],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^modelmath: error: --t must be > 0, got 0$/m);
  });
});
