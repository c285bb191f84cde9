import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clipsFromFrames,
  downsample,
  readClipSet,
  readParamsFile,
  simulateClips,
  writeClipSet,
} from '../../src/physics/dataset.js';
import { FRAME_HEIGHT, FRAME_WIDTH, objectPosition, renderFrame } from '../../src/physics/render.js';
import { SYSTEM_NAMES } from '../../src/physics/systems.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mm-phys-'));
const at = (f: Float32Array, x: number, y: number) => f[y * FRAME_WIDTH + x];

/** Centroid of pixels brighter than `threshold` (in [0, 1]), weighted by how far above it they are. */
function brightCentroid(f: Float32Array, threshold: number) {
  let [sw, sx, sy] = [0, 0, 0];
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    for (let x = 0; x < FRAME_WIDTH; x++) {
      const w = Math.max(0, (at(f, x, y) + 1) / 2 - threshold);
      [sw, sx, sy] = [sw + w, sx + w * x, sy + w * y];
    }
  }
  return { x: sx / sw, y: sy / sw };
}

describe('synthetic video renderer', () => {
  it('is deterministic in the seed, and the seed matters', () => {
    for (const background of ['plain', 'smooth'] as const) {
      const a = simulateClips('pendulum', { clips: 3, seed: 7, noise: 0.05, background });
      const b = simulateClips('pendulum', { clips: 3, seed: 7, noise: 0.05, background });
      const c = simulateClips('pendulum', { clips: 3, seed: 8, noise: 0.05, background });
      expect(a.frames).toEqual(b.frames);
      expect(a.states).toEqual(b.states);
      expect(a.frames).not.toEqual(c.frames);
    }
  });

  it('draws the moving object where the true state says', () => {
    for (const system of ['oscillator', 'pendulum', 'sliding-block', 'free-fall'] as const) {
      const set = simulateClips(system, { clips: 4, seed: 1 });
      for (let i = 0; i < set.count * set.length; i += 7) {
        const frame = set.frames.subarray(i * 5600, (i + 1) * 5600);
        const got = brightCentroid(frame, 0.7);
        const want = objectPosition(system, set.states![i]);
        expect(Math.abs(got.x - want.x)).toBeLessThan(0.3);
        expect(Math.abs(got.y - want.y)).toBeLessThan(0.3);
      }
    }
  });

  it('LED brightness and Torricelli water level follow the true state', () => {
    for (const b of [0.2, 0.55, 0.9]) expect((at(renderFrame('led', b), 50, 28) + 1) / 2).toBeCloseTo(b, 5);
    for (const h of [0.3, 0.62, 0.95]) {
      const f = renderFrame('torricelli', h);
      let water = 0; // coverage of the water column between rows 7 and 48 (0.8 = full)
      for (let y = 7; y <= 48; y++) water += (at(f, 50, y) + 1) / 2 / 0.8;
      expect(water).toBeCloseTo(48.5 - objectPosition('torricelli', h).y, 4);
    }
  });

  it('adds seeded noise and a static smooth background', () => {
    const clean = simulateClips('free-fall', { clips: 1, seed: 2 });
    const noisy = simulateClips('free-fall', { clips: 1, seed: 2, noise: 0.1, background: 'smooth' });
    const diff = clean.frames.map((v, i) => noisy.frames[i] - v);
    expect(Math.max(...diff.map(Math.abs))).toBeGreaterThan(0.1);
    const bg = simulateClips('free-fall', { clips: 1, seed: 2, background: 'smooth' });
    expect(at(bg.frames.subarray(0, 5600), 5, 5)).toBeCloseTo(at(bg.frames.subarray(9 * 5600), 5, 5), 6);
    expect(at(bg.frames, 5, 5)).not.toBe(-1);
    expect(() => renderFrame('led', 0.5, { noise: 0.1 })).toThrow(/needs a seeded rng/);
  });

  it("'smooth' shares one background across clips, 'smooth-per-clip' draws one per clip", () => {
    const corner = (set: { frames: Float32Array }, clip: number) => at(set.frames.subarray(clip * 10 * 5600), 3, 3);
    const shared = simulateClips('free-fall', { clips: 3, seed: 4, background: 'smooth' });
    const perClip = simulateClips('free-fall', { clips: 3, seed: 4, background: 'smooth-per-clip' });
    expect(corner(shared, 1)).toBe(corner(shared, 0));
    expect(corner(shared, 2)).toBe(corner(shared, 0));
    expect(corner(perClip, 1)).not.toBe(corner(perClip, 0));
  });
});

describe('clip sets on disk', () => {
  it('round-trips through PNG frames and params.json (8-bit quantisation)', async () => {
    const dir = join(tmp(), 'set');
    const set = simulateClips('oscillator', { clips: 2, seed: 3 });
    await writeClipSet(dir, set, { seed: 3 });
    expect(readdirSync(dir).sort()).toEqual(['.modelmath-manifest.json', 'clip_0000', 'clip_0001', 'params.json']);
    expect(readdirSync(join(dir, 'clip_0000'))).toHaveLength(10);
    const back = await readClipSet(dir, 'oscillator');
    expect(back.count).toBe(2);
    expect(back.params).toEqual({ g0: 4, g1: 0.5 });
    expect(Array.from(back.states!)).toEqual(Array.from(set.states!));
    let maxErr = 0;
    set.frames.forEach((v, i) => {
      maxErr = Math.max(maxErr, Math.abs(v - back.frames[i]));
    });
    expect(maxErr).toBeLessThanOrEqual(1 / 127.5 + 1e-6);
    await expect(readClipSet(dir, 'pendulum')).rejects.toThrow(/holds clips of 'oscillator'/);
    rmSync(join(dir, 'clip_0001'), { recursive: true });
    await expect(readClipSet(dir, 'oscillator')).rejects.toThrow(/says 2 clips, found 1/);
  });

  it('rejects NaN and malformed fields in params.json', () => {
    const dir = tmp();
    const path = join(dir, 'params.json');
    const base = { format: 'modelmath-physics/1', system: 'led', dt: 0.1, clips: 1, length: 10 };
    writeFileSync(path, JSON.stringify(base).replace('"dt":0.1', '"params":{"k":NaN},"dt":0.1'));
    expect(() => readParamsFile(path)).toThrow(/not valid JSON \(NaN and Infinity/);
    writeFileSync(path, JSON.stringify({ ...base, params: { k: null } }));
    expect(() => readParamsFile(path)).toThrow(/field 'params.k'/);
    writeFileSync(path, JSON.stringify({ ...base, system: 'rocket', params: {} }));
    expect(() => readParamsFile(path)).toThrow(/field 'system'/);
  });

  it('cuts sliding-window clips from a video and refuses too-short videos', () => {
    const frames = Array.from({ length: 12 }, (_, i) => new Float32Array(4).fill(i));
    const set = clipsFromFrames('led', frames, { height: 2, width: 2 }, 10, 0.1);
    expect(set.count).toBe(3);
    expect(set.frames[(2 * 10 + 9) * 4]).toBe(11);
    expect(() => clipsFromFrames('led', frames.slice(0, 9), { height: 2, width: 2 }, 10, 0.1)).toThrow(
      /has 9 frames, fewer than the 10 frames/,
    );
    expect(() => clipsFromFrames('led', [...frames, new Float32Array(3)], { height: 2, width: 2 }, 10, 0.1)).toThrow(
      /video frame 12 must have 4 elements/,
    );
  });

  it('downsample averages blocks', () => {
    const set = simulateClips('led', { clips: 1, seed: 0, length: 2 });
    const small = downsample(set, 4);
    expect([small.height, small.width]).toEqual([14, 25]);
    let s = 0;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) s += set.frames[(28 + y) * 100 + 48 + x];
    expect(small.frames[7 * 25 + 12]).toBeCloseTo(s / 16, 6);
    expect(() => downsample(set, 3)).toThrow(/must divide/);
  });

  it('knows every system', () => {
    expect(SYSTEM_NAMES).toHaveLength(6);
    expect(() => simulateClips('rocket' as never)).toThrow(/system must be one of 'oscillator'/);
  });
});
