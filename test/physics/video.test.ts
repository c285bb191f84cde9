import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { hasFfmpeg, loadVideo, naturalCompare } from '../../src/core/video.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mm-video-'));
const UPNG = createRequire(import.meta.url)('upng-js') as {
  encode(frames: ArrayBuffer[], w: number, h: number, colors: number, delays: number[]): ArrayBuffer;
};

/** Gray frame of size w x h with constant 8-bit level v, as PNG bytes. */
const grayPng = (w: number, h: number, v: number) =>
  sharp(Buffer.alloc(w * h, v), { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();

const level = (v: number) => v / 127.5 - 1;

describe('loadVideo', () => {
  it('reads a folder of frames in natural order, resized to 100 x 56 gray', async () => {
    const dir = tmp();
    const levels = [10, 60, 110, 160, 210, 250];
    for (const [i, v] of levels.entries()) writeFileSync(join(dir, `frame${i * 5}.png`), await grayPng(200, 112, v));
    const video = await loadVideo(dir);
    expect(video.source).toBe('frames');
    expect(video.frames).toHaveLength(6);
    expect([video.width, video.height]).toEqual([100, 56]);
    // frame0, frame5, frame10, ... (a plain string sort would put frame10 before frame5)
    video.frames.forEach((f, i) => {
      expect(f[0]).toBeCloseTo(level(levels[i]), 2);
    });
    expect(['frame10.png', 'frame5.png', 'frame0.png'].sort(naturalCompare)).toEqual([
      'frame0.png',
      'frame5.png',
      'frame10.png',
    ]);
  });

  it('rejects frames of mixed sizes, naming both', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a1.png'), await grayPng(100, 56, 10));
    writeFileSync(join(dir, 'a2.png'), await grayPng(90, 56, 10));
    await expect(loadVideo(dir)).rejects.toThrow(/same size: a1.png is 100x56, a2.png is 90x56/);
  });

  it('rejects an empty folder, a missing path and a damaged file', async () => {
    await expect(loadVideo(tmp())).rejects.toThrow(/has no frames/);
    await expect(loadVideo(join(tmp(), 'nope'))).rejects.toThrow(/does not exist/);
    const bad = join(tmp(), 'x.gif');
    writeFileSync(bad, Buffer.from('GIF89a-not-really'));
    await expect(loadVideo(bad)).rejects.toBeInstanceOf(InputError);
  });

  it('decodes an animated GIF frame by frame', async () => {
    const bufs = await Promise.all([0, 100, 200].map((v) => grayPng(100, 56, v)));
    const path = join(tmp(), 'clip.gif');
    writeFileSync(
      path,
      await sharp(bufs, { join: { animated: true } })
        .gif()
        .toBuffer(),
    );
    const video = await loadVideo(path);
    expect(video.source).toBe('gif');
    expect(video.frames.map((f) => Math.round(((f[123] + 1) * 127.5) / 10))).toEqual([0, 10, 20]);
  });

  it('decodes an APNG frame by frame and crops to the aspect ratio (cover)', async () => {
    const [w, h] = [40, 40];
    const frame = (v: number) => {
      const rgba = new Uint8Array(w * h * 4);
      for (let i = 0; i < w * h; i++) rgba.set([v, v, v, 255], 4 * i);
      return rgba.buffer;
    };
    const path = join(tmp(), 'clip.png');
    writeFileSync(
      path,
      Buffer.from(UPNG.encode([frame(30), frame(90), frame(150), frame(240)], w, h, 0, [100, 100, 100, 100])),
    );
    const video = await loadVideo(path);
    expect(video.source).toBe('apng');
    expect(video.frames).toHaveLength(4);
    expect(video.frames[0]).toHaveLength(5600);
    expect(video.frames[3][2800]).toBeCloseTo(level(240), 2);
  });

  it('without ffmpeg, a video file gets a clear error', async () => {
    const path = join(tmp(), 'clip.mp4');
    writeFileSync(path, Buffer.from('not a real mp4'));
    const PATH = process.env.PATH;
    process.env.PATH = tmp(); // an empty folder: no ffmpeg on PATH, as on a machine without it
    try {
      expect(hasFfmpeg()).toBe(false);
      await expect(loadVideo(path)).rejects.toThrow(/needs ffmpeg, which is not installed/);
    } finally {
      process.env.PATH = PATH;
    }
  });

  // Only this path needs ffmpeg: CI installs it (.ci/run); a machine without it skips this one test.
  it.skipIf(!hasFfmpeg())('with ffmpeg, reads a video file at 10 fps', async () => {
    const dir = tmp();
    const { spawnSync } = await import('node:child_process');
    const path = join(dir, 'clip.mp4');
    const r = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=200x112:rate=10',
      '-t',
      '1.5',
      path,
    ]);
    expect(r.status).toBe(0);
    const video = await loadVideo(path);
    expect(video.source).toBe('ffmpeg');
    expect(video.frames.length).toBeGreaterThanOrEqual(14);
  });
});
