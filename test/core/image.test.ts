import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cropImage,
  decodeImage,
  encodePng,
  fromInterleavedBytes,
  type Image,
  imageGrid,
  readImage,
  resizeImage,
  toGray,
  toInterleavedBytes,
  writeImage,
} from '../../src/core/image.js';

function ramp(width: number, height: number): Image {
  const bytes = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      bytes[i] = (x * 255) / (width - 1);
      bytes[i + 1] = (y * 255) / (height - 1);
      bytes[i + 2] = 77;
    }
  return fromInterleavedBytes(bytes, width, height, 3);
}

describe('core/image', () => {
  it('maps bytes to [-1, 1] CHW and back exactly', () => {
    const img = fromInterleavedBytes(new Uint8Array([0, 255, 128, 10, 20, 30]), 2, 1, 3);
    expect(img.data[0]).toBe(-1); // R of pixel 0
    expect(img.data[1]).toBeCloseTo(10 / 127.5 - 1, 6); // R of pixel 1 (planar)
    expect(img.data[2]).toBe(1); // G of pixel 0
    expect(Array.from(toInterleavedBytes(img))).toEqual([0, 255, 128, 10, 20, 30]);
  });

  it('PNG round trip is lossless and JPEG is close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-img-'));
    const img = ramp(17, 9);
    await writeImage(join(dir, 'a.png'), img);
    const back = await readImage(join(dir, 'a.png'));
    expect(back.width).toBe(17);
    expect(back.height).toBe(9);
    expect(Array.from(toInterleavedBytes(back))).toEqual(Array.from(toInterleavedBytes(img)));
    await writeImage(join(dir, 'a.jpg'), img);
    const jpg = await readImage(join(dir, 'a.jpg'));
    let maxErr = 0;
    for (let i = 0; i < img.data.length; i++) maxErr = Math.max(maxErr, Math.abs(jpg.data[i] - img.data[i]));
    expect(maxErr).toBeLessThan(0.15);
    expect(readdirSync(dir).sort()).toEqual(['a.jpg', 'a.png']); // no temp files left
  });

  it('detects the format from content and rejects non-images and missing files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-img-'));
    const png = await encodePng(ramp(4, 4));
    writeFileSync(join(dir, 'really-a-png.jpg'), png);
    expect((await readImage(join(dir, 'really-a-png.jpg'))).width).toBe(4);
    writeFileSync(join(dir, 'text.png'), 'hello, not an image');
    await expect(readImage(join(dir, 'text.png'))).rejects.toThrow(/text\.png is not an image/);
    writeFileSync(join(dir, 'cut.png'), png.subarray(0, 40));
    await expect(readImage(join(dir, 'cut.png'))).rejects.toThrow(/cut\.png/);
    await expect(readImage(join(dir, 'missing.png'))).rejects.toThrow(/missing\.png does not exist/);
    await expect(decodeImage(new Uint8Array(0), 'empty')).rejects.toThrow(/empty/);
  });

  it('refuses to write an unknown format and leaves no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-img-'));
    await expect(writeImage(join(dir, 'a.bmp'), ramp(2, 2))).rejects.toThrow(/\.png/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('resizes, crops, converts to gray and tiles', async () => {
    const img = ramp(16, 8);
    const small = await resizeImage(img, { width: 8, height: 4, kernel: 'linear' });
    expect([small.channels, small.height, small.width]).toEqual([3, 4, 8]);
    // A linear ramp stays monotone in x after resizing.
    for (let x = 1; x < 8; x++) expect(small.data[x]).toBeGreaterThanOrEqual(small.data[x - 1]);
    const crop = cropImage(img, 2, 1, 3, 2);
    expect(crop.data[0]).toBe(img.data[1 * 16 + 2]);
    expect(() => cropImage(img, 15, 0, 3, 2)).toThrow(/inside/);
    const gray = toGray(img);
    const hw = 16 * 8;
    expect(gray.data[5]).toBeCloseTo(0.299 * img.data[5] + 0.587 * img.data[hw + 5] + 0.114 * img.data[2 * hw + 5], 6);
    const grid = imageGrid([img, img, img], 2, 1);
    expect([grid.width, grid.height]).toEqual([2 * 16 + 3, 2 * 8 + 3]);
    expect(grid.data[1 * grid.width + 1]).toBe(img.data[0]);
  });
});
