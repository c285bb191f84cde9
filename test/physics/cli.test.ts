import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { encodePng } from '../../src/core/image.js';
import { simulateClips } from '../../src/physics/dataset.js';

process.env.MODELMATH_NO_PROGRESS = '1';
let out = '';
let err = '';
beforeEach(() => {
  [out, err] = ['', ''];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const tmp = () => mkdtempSync(join(tmpdir(), 'mm-phys-cli-'));
const png = (w: number, h: number) =>
  sharp(Buffer.alloc(w * h, 90), { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();

describe('modelmath physics train --block paper', () => {
  it("trains the reference code's pendulum block (length, damping) and reports g/L; refuses systems without one", async () => {
    const res = join(tmp(), 'run');
    const args = ['physics', 'train', '--system', 'pendulum', '--preset', 'test', '--epochs', '2', '--block', 'paper'];
    expect(await runCli([...args, '--out', res, '--json'])).toBe(0);
    const j = JSON.parse(out);
    expect(Object.keys(j.params)).toEqual(['gOverL']);
    const stored = JSON.parse(readFileSync(join(res, 'result.json'), 'utf8'));
    expect(Object.keys(stored.raw).sort()).toEqual(['damping', 'length']);
    expect(j.params.gOverL.estimate).toBeCloseTo(9.80665 / (Math.abs(stored.raw.length) + 1e-5), 6);
    expect(stored.config.block).toBe('paper');

    [out, err] = ['', ''];
    const bad = join(tmp(), 'bad');
    expect(
      await runCli([
        'physics',
        'train',
        '--system',
        'oscillator',
        '--preset',
        'test',
        '--block',
        'paper',
        '--out',
        bad,
      ]),
    ).toBe(2);
    expect(err).toMatch(/--block paper.*'pendulum', 'led', 'torricelli', got "oscillator"/);
    expect(err).not.toMatch(/training/); // refused before any work is announced
    expect(existsSync(bad)).toBe(false);
    [out, err] = ['', ''];
    expect(await runCli([...args, '--substeps', '2', '--out', bad])).toBe(2);
    expect(err).toMatch(/substeps must be 1, got 2/);
    expect(existsSync(bad)).toBe(false);
  });
});

describe('modelmath physics CLI', () => {
  it('simulate writes frames + params.json; train --video reads them and prints exactly the JSON contract', async () => {
    const dir = join(tmp(), 'clips');
    expect(await runCli(['physics', 'simulate', '--system', 'led', '--out', dir, '--clips', '3', '--json'])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ system: 'led', clips: 3, params: { k: 0.8 } });
    expect(readdirSync(dir).sort()).toEqual([
      '.modelmath-manifest.json',
      'clip_0000',
      'clip_0001',
      'clip_0002',
      'params.json',
    ]);
    out = '';
    const res = join(tmp(), 'run');
    const args = ['physics', 'train', '--system', 'led', '--video', dir, '--preset', 'test', '--epochs', '2'];
    expect(await runCli([...args, '--out', res, '--json'])).toBe(0);
    const j = JSON.parse(out);
    expect(Object.keys(j)).toEqual(['system', 'params', 'refit', 'epochs', 'secondsPerEpoch']);
    expect(Object.keys(j.params.k)).toEqual(['estimate', 'true', 'relativeError']);
    expect(Object.keys(j.refit)).toEqual(['k']);
    expect(Object.keys(j.refit.k)).toEqual(['estimate', 'true', 'relativeError']);
    expect(j.params.k.true).toBe(0.8);
    expect(j.epochs).toBe(2);
    expect(existsSync(join(res, 'checkpoint', 'state.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(res, 'result.json'), 'utf8')).history).toHaveLength(2);
  });

  it('rejects an unknown system, bad numbers and a missing --out with exit 2', async () => {
    expect(await runCli(['physics', 'train', '--system', 'rocket'])).toBe(2);
    expect(err).toMatch(/--system must be one of oscillator, pendulum/);
    expect(await runCli(['physics', 'simulate', '--system', 'led', '--out', tmp(), '--noise', 'abc'])).toBe(2);
    expect(err).toMatch(/--noise expects a finite number/);
    expect(await runCli(['physics', 'simulate', '--system', 'led', '--noise', '2', '--out', tmp()])).toBe(2);
    expect(await runCli(['physics', 'simulate', '--system', 'led'])).toBe(2);
    expect(err).toMatch(/--out is required/);
    expect(await runCli(['physics', 'train', '--system', 'led', '--preset', 'huge'])).toBe(2);
  });

  it('rejects NaN in params.json, too-short videos and mixed frame sizes, writing nothing', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'params.json'),
      '{"format":"modelmath-physics/1","system":"led","params":{"k":NaN},"dt":0.1,"clips":1,"length":10}',
    );
    const res = join(tmp(), 'never');
    expect(await runCli(['physics', 'train', '--system', 'led', '--video', dir, '--out', res])).toBe(2);
    expect(err).toMatch(/params.json is not valid JSON \(NaN/);
    const short = tmp();
    for (let i = 0; i < 5; i++) writeFileSync(join(short, `f${i}.png`), await png(100, 56));
    expect(await runCli(['physics', 'train', '--system', 'led', '--video', short, '--out', res])).toBe(2);
    expect(err).toMatch(/has 5 frames, fewer than the 10 frames/);
    const mixed = tmp();
    mkdirSync(join(mixed, 'v'));
    writeFileSync(join(mixed, 'v', 'f1.png'), await png(100, 56));
    writeFileSync(join(mixed, 'v', 'f2.png'), await png(50, 56));
    expect(await runCli(['physics', 'train', '--system', 'led', '--video', join(mixed, 'v'), '--out', res])).toBe(2);
    expect(err).toMatch(/must all have the same size/);
    expect(existsSync(res)).toBe(false);
  });

  it('trains on a real-video GIF (sliding 10-frame windows) and reports estimates without ground truth', async () => {
    const set = simulateClips('free-fall', { clips: 1, length: 12, seed: 9 });
    const pngs = await Promise.all(
      Array.from({ length: 12 }, (_, t) =>
        encodePng({ data: set.frames.slice(t * 5600, (t + 1) * 5600), channels: 1, height: 56, width: 100 }),
      ),
    );
    const gif = join(tmp(), 'fall.gif');
    writeFileSync(
      gif,
      await sharp(
        pngs.map((b) => Buffer.from(b)),
        { join: { animated: true } },
      )
        .gif()
        .toBuffer(),
    );
    const args = ['physics', 'train', '--system', 'free-fall', '--video', gif, '--preset', 'test', '--epochs', '1'];
    expect(await runCli([...args, '--out', join(tmp(), 'r'), '--json'])).toBe(0);
    const j = JSON.parse(out);
    expect(Object.keys(j.params.g)).toEqual(['estimate']);
    expect(Number.isFinite(j.params.g.estimate)).toBe(true);
  });

  it('train takes every setting of the config schema as a flag; the preset fills what is not given', async () => {
    const { physicsConfigSchema } = await import('../../src/physics/config.js');
    expect(await runCli(['physics', 'train', '--help'])).toBe(0);
    for (const key of Object.keys(physicsConfigSchema.shape)) {
      expect(out).toContain(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} `);
    }
    expect(out).toMatch(/--lr-phys <x>\s+Adam learning rate of the physical parameters/);
    expect(out).toMatch(/default:\s+0\.01;\s+--preset:\s+fast\s+0\.1\)/);
    out = '';
    const res = join(tmp(), 'run');
    const args = ['physics', 'train', '--system', 'free-fall', '--preset', 'test', '--epochs', '1', '--hidden', '8,4'];
    expect(await runCli([...args, '--lr-schedule', 'cosine', '--clips', '8', '--out', res, '--json'])).toBe(0);
    const { config } = JSON.parse(readFileSync(join(res, 'result.json'), 'utf8'));
    // flags given win; the test preset gives downsample 4 and batch 16; the rest are the paper's defaults
    expect(config).toMatchObject({ epochs: 1, hidden: [8, 4], lrSchedule: 'cosine', clips: 8, downsample: 4 });
    expect(config).toMatchObject({ batchSize: 16, lrPhys: 0.01, lrEncoder: 0.001, klWeight: 1, substeps: 1 });
    expect(await runCli([...args, '--downsample', '3', '--out', join(tmp(), 'x')])).toBe(2);
    expect(err).toMatch(/--downsample must be 1, 2 or 4, got 3/);
  });

  it('bias reproduces the Eq. 6 bias (g0 = 3.889 at dt = 0.1)', async () => {
    expect(await runCli(['physics', 'bias', '--system', 'oscillator', '--json'])).toBe(0);
    expect(JSON.parse(out).params.g0.fit).toBeCloseTo(3.889, 2);
  });
});
