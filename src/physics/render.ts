/**
 * Seeded synthetic video for the physics systems: grayscale 56 x 100 frames (the paper's 100 x 56 input) drawn
 * with anti-aliased primitives from the true scalar state of each frame, with optional smooth
 * distractor backgrounds and Gaussian pixel noise. Intensities are built in [0, 1] and returned
 * as CHW floats in [-1, 1] like every image in modelmath. Checked in test/physics/render.test.ts
 * (determinism, drawn object position vs the true state).
 */
import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { INCLINE } from './blocks.js';
import type { SystemName } from './systems.js';

export const FRAME_HEIGHT = 56;
export const FRAME_WIDTH = 100;

/**
 * Background behind the moving object: 'plain' (black); 'smooth' (one seeded pattern of broad
 * blobs shared by every clip, like a fixed camera's scene); 'smooth-per-clip' (a new pattern per
 * clip: static within a clip, so a per-clip constant is a trivial latent, see docs).
 */
export type Background = 'plain' | 'smooth' | 'smooth-per-clip';
export const BACKGROUNDS: readonly Background[] = ['plain', 'smooth', 'smooth-per-clip'];

/** A [0, 1] intensity canvas, row-major H x W. */
type Canvas = Float32Array;

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

/** Paints `value` with per-pixel coverage `cov(x, y)` in [0, 1] over the canvas (alpha blend). */
function paint(c: Canvas, value: number, cov: (x: number, y: number) => number): void {
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    for (let x = 0; x < FRAME_WIDTH; x++) {
      const a = cov(x, y);
      if (a > 0) c[y * FRAME_WIDTH + x] = c[y * FRAME_WIDTH + x] * (1 - a) + value * a;
    }
  }
}

/** Anti-aliased disc of radius r centred at pixel coordinates (cx, cy). */
function disc(c: Canvas, cx: number, cy: number, r: number, value: number): void {
  paint(c, value, (x, y) => clamp01(r + 0.5 - Math.hypot(x - cx, y - cy)));
}

/** Anti-aliased segment from (x0, y0) to (x1, y1) of the given half-width. */
function segment(c: Canvas, x0: number, y0: number, x1: number, y1: number, half: number, value: number): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1;
  paint(c, value, (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2));
    return clamp01(half + 0.5 - Math.hypot(x - x0 - t * dx, y - y0 - t * dy));
  });
}

/** Axis-aligned box [x0, x1] x [y0, y1] with exact fractional pixel coverage. */
function box(c: Canvas, x0: number, y0: number, x1: number, y1: number, value: number): void {
  const overlap = (p: number, lo: number, hi: number) => clamp01(Math.min(p + 0.5, hi) - Math.max(p - 0.5, lo));
  paint(c, value, (x, y) => overlap(x, x0, x1) * overlap(y, y0, y1));
}

/** Sliding-block scene geometry: incline start (px), pixels per metre along it. */
export const INCLINE_ORIGIN = { x: 4, y: 8, pxPerMetre: 36, offset: 10 };

/** Pixel position of the object that encodes the state (the tested "object position vs truth"). */
export function objectPosition(system: SystemName, z: number): { x: number; y: number } {
  switch (system) {
    case 'oscillator':
      return { x: 50 + 22 * z, y: 28 };
    case 'pendulum':
      return { x: 50 + 22 * Math.sin(z), y: 28 + 22 * Math.cos(z) };
    case 'sliding-block': {
      const t = INCLINE_ORIGIN.offset + INCLINE_ORIGIN.pxPerMetre * z;
      const [cs, sn] = [Math.cos(INCLINE), Math.sin(INCLINE)];
      return { x: INCLINE_ORIGIN.x + t * cs + 5 * sn, y: INCLINE_ORIGIN.y + t * sn - 5 * cs };
    }
    case 'free-fall':
      return { x: 50, y: 50 - 8.5 * z };
    case 'led':
      return { x: 50, y: 28 };
    case 'torricelli':
      return { x: 50, y: 50 - 40 * z }; // water surface
  }
}

/** Draws the object(s) of `system` in state z onto the canvas. */
function drawScene(c: Canvas, system: SystemName, z: number): void {
  const p = objectPosition(system, z);
  switch (system) {
    case 'oscillator':
      segment(c, 0, 34, 99, 34, 0.5, 0.4); // floor
      disc(c, p.x, p.y, 5, 1);
      return;
    case 'pendulum':
      disc(c, 50, 28, 1.5, 0.6);
      segment(c, 50, 28, p.x, p.y, 0.5, 0.6);
      disc(c, p.x, p.y, 4, 1);
      return;
    case 'sliding-block': {
      const { x, y } = INCLINE_ORIGIN;
      segment(c, x, y, x + 100 * Math.cos(INCLINE), y + 100 * Math.sin(INCLINE), 0.6, 0.5);
      box(c, p.x - 4.5, p.y - 4.5, p.x + 4.5, p.y + 4.5, 1);
      return;
    }
    case 'free-fall':
      segment(c, 0, 54, 99, 54, 0.5, 0.4); // ground
      disc(c, p.x, p.y, 4, 1);
      return;
    case 'led': {
      const glow = (x: number, y: number) => Math.exp(-((x - p.x) ** 2 + (y - p.y) ** 2) / (2 * 5 * 5));
      paint(c, 1, (x, y) => clamp01(z) * glow(x, y));
      segment(c, 38, 42, 62, 42, 0.5, 0.3); // LED base
      return;
    }
    case 'torricelli':
      box(c, 35.5, p.y, 64.5, 50, 0.8); // water up to the level
      segment(c, 35, 6, 35, 50, 0.5, 0.5);
      segment(c, 65, 6, 65, 50, 0.5, 0.5);
      segment(c, 35, 50, 65, 50, 0.5, 0.5);
      return;
  }
}

/** A smooth, seeded distractor: a few broad Gaussian blobs of moderate intensity (static per clip). */
export function smoothBackground(rng: Rng): Canvas {
  const c = new Float32Array(FRAME_HEIGHT * FRAME_WIDTH);
  for (let k = 0; k < 3; k++) {
    const [cx, cy] = [rng.uniformRange(0, FRAME_WIDTH), rng.uniformRange(0, FRAME_HEIGHT)];
    const s = rng.uniformRange(8, 25);
    const a = rng.uniformRange(0.1, 0.35);
    for (let y = 0; y < FRAME_HEIGHT; y++) {
      for (let x = 0; x < FRAME_WIDTH; x++) {
        c[y * FRAME_WIDTH + x] += a * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s));
      }
    }
  }
  return c;
}

export interface RenderOptions {
  /** Std of Gaussian pixel noise in [0, 1] intensity units (0 = none). */
  noise?: number;
  /** Static per-clip background canvas (from `smoothBackground`), or none for black. */
  background?: Float32Array;
  /** Generator for the noise (required when noise > 0). */
  rng?: Rng;
}

/** Renders one frame of `system` in state z as a [-1, 1] float image of 56 x 100 pixels. */
export function renderFrame(system: SystemName, z: number, opts: RenderOptions = {}): Float32Array {
  const c = opts.background ? Float32Array.from(opts.background) : new Float32Array(FRAME_HEIGHT * FRAME_WIDTH);
  drawScene(c, system, z);
  const noise = opts.noise ?? 0;
  if (noise > 0 && !opts.rng) throw new ConfigError('renderFrame: noise > 0 needs a seeded rng');
  for (let i = 0; i < c.length; i++) {
    const v = noise > 0 ? c[i] + noise * opts.rng!.normal() : c[i];
    c[i] = 2 * clamp01(v) - 1;
  }
  return c;
}
