/**
 * The toy world's renderer: a scene description -> a 32 x 32 RGB image (CHW in [-1, 1]),
 * anti-aliased by 4 x 4 supersampling. Backgrounds are smooth low-frequency fields (one or two
 * sinusoids and a gradient), objects are bold filled shapes with a plain, striped or dotted
 * surface. Pure and deterministic: the same scene gives the same bytes. Also the per-object
 * coverage masks that define the exact edit masks.
 */
import type { Image } from '../../core/image.js';
import {
  type Background,
  type Colour,
  checkScene,
  IMAGE_SIZE,
  objectCentre,
  type Scene,
  type Shape,
  SIZE_RADIUS,
  type ToyObject,
} from './scene.js';

type Rgb = readonly [number, number, number];

/** Object colours in [0, 1] RGB. */
export const COLOUR_RGB: Record<Colour, Rgb> = {
  red: [0.92, 0.15, 0.12],
  yellow: [0.98, 0.88, 0.15],
  green: [0.15, 0.85, 0.25],
  cyan: [0.1, 0.9, 0.95],
  blue: [0.15, 0.3, 0.98],
  purple: [0.62, 0.2, 0.85],
};

/** Subsamples per pixel along each axis (anti-aliasing). */
const SUPER = 4;
const TWO_PI = 2 * Math.PI;

const mix = (a: Rgb, b: Rgb, w: number): Rgb => [
  a[0] + (b[0] - a[0]) * w,
  a[1] + (b[1] - a[1]) * w,
  a[2] + (b[2] - a[2]) * w,
];
const shade = (a: Rgb, s: number): Rgb => [a[0] * s, a[1] * s, a[2] * s];

/** Background colour at (u, v) in [0, 1]^2 (u right, v down): smooth, at most ~2 cycles per image. */
export function backgroundColour(bg: Background, phase: number, u: number, v: number): Rgb {
  const p = TWO_PI * phase;
  switch (bg) {
    case 'grass':
      return shade([0.33, 0.52, 0.2], 1 + 0.1 * Math.sin(TWO_PI * (0.8 * u + 1.1 * v) + p) - 0.12 * v);
    case 'snow':
      return mix([0.93, 0.95, 0.98], [0.76, 0.82, 0.92], 0.5 * v + 0.15 * Math.sin(TWO_PI * 1.2 * u + p));
    case 'sand':
      return shade([0.87, 0.74, 0.5], 1 + 0.08 * Math.sin(TWO_PI * (1.5 * v + 0.5 * u) + p));
    case 'water':
      return mix(
        [0.08, 0.3, 0.42],
        [0.15, 0.5, 0.62],
        0.5 + 0.5 * Math.sin(TWO_PI * (2 * v + 0.25 * Math.sin(TWO_PI * u)) + p),
      );
    case 'night':
      return mix([0.03, 0.04, 0.14], [0.12, 0.1, 0.3], v * (0.8 + 0.2 * Math.sin(TWO_PI * u + p)));
    case 'sunset':
      return mix([0.7, 0.32, 0.55], [0.99, 0.6, 0.25], Math.min(1, Math.max(0, v + 0.1 * Math.sin(TWO_PI * u + p))));
  }
}

// 5-point star outline (outer radius 1, inner 0.5), vertices clockwise from the top.
const STAR: [number, number][] = Array.from({ length: 10 }, (_, k) => {
  const rho = k % 2 === 0 ? 1.05 : 0.5;
  const theta = -Math.PI / 2 + (k * Math.PI) / 5;
  return [rho * Math.cos(theta), rho * Math.sin(theta) + 0.08];
});

function insidePolygon(poly: [number, number][], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside test for a unit shape at offset (x, y) in units of the object radius (y down). */
export function insideShape(shape: Shape, x: number, y: number): boolean {
  switch (shape) {
    case 'circle':
      return x * x + y * y <= 1;
    case 'square':
      return Math.abs(x) <= 0.86 && Math.abs(y) <= 0.86;
    case 'triangle':
      // apex at y = -1, base at y = 0.85; half-width grows linearly to 1.05 at the base
      return y >= -1 && y <= 0.85 && Math.abs(x) <= ((y + 1) / 1.85) * 1.05;
    case 'star':
      return insidePolygon(STAR, x, y);
    case 'cross':
      return (Math.abs(x) <= 0.4 && Math.abs(y) <= 1) || (Math.abs(y) <= 0.4 && Math.abs(x) <= 1);
  }
}

/** Surface colour of `obj` at pixel coordinate (px, py): plain, diagonal stripes (period 4 px) or dots. */
function surfaceColour(obj: ToyObject, px: number, py: number): Rgb {
  const base = COLOUR_RGB[obj.colour];
  if (obj.texture === 'striped') return (((px + py) % 4) + 4) % 4 < 2 ? base : shade(base, 0.45);
  if (obj.texture === 'dotted') {
    const gx = px - 4 * Math.floor(px / 4) - 2;
    const gy = py - 4 * Math.floor(py / 4) - 2;
    return gx * gx + gy * gy <= 1.1 ? mix(base, [1, 1, 1], 0.75) : base;
  }
  return base;
}

/** Which object (index) covers the subsample (px, py), or -1 for the background. */
function objectAt(scene: Scene, px: number, py: number): number {
  for (let i = 0; i < scene.objects.length; i++) {
    const o = scene.objects[i];
    const c = objectCentre(o);
    const r = SIZE_RADIUS[o.size];
    if (insideShape(o.shape, (px - c.x) / r, (py - c.y) / r)) return i;
  }
  return -1;
}

/**
 * Renders `scene` to a 3 x 32 x 32 image in [-1, 1], each pixel the mean of 4 x 4 subsamples.
 * Objects never overlap (checked by checkScene), so drawing order does not matter.
 */
export function renderScene(scene: Scene): Image {
  checkScene(scene);
  const n = IMAGE_SIZE;
  const data = new Float32Array(3 * n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < SUPER; sy++) {
        for (let sx = 0; sx < SUPER; sx++) {
          const px = x + (sx + 0.5) / SUPER;
          const py = y + (sy + 0.5) / SUPER;
          const k = objectAt(scene, px, py);
          const rgb =
            k < 0
              ? backgroundColour(scene.background, scene.phase, px / n, py / n)
              : surfaceColour(scene.objects[k], px, py);
          r += rgb[0];
          g += rgb[1];
          b += rgb[2];
        }
      }
      const s = 2 / (SUPER * SUPER);
      const i = y * n + x;
      data[i] = r * s - 1;
      data[n * n + i] = g * s - 1;
      data[2 * n * n + i] = b * s - 1;
    }
  }
  return { data, channels: 3, height: n, width: n };
}

/**
 * Coverage of each object: a [objects, 32*32] list of fractions in [0, 1] (share of the pixel's
 * subsamples inside the object). Pixel i is touched by object k iff coverage[k][i] > 0.
 */
export function objectCoverage(scene: Scene): Float32Array[] {
  checkScene(scene);
  const n = IMAGE_SIZE;
  const out = scene.objects.map(() => new Float32Array(n * n));
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      for (let sy = 0; sy < SUPER; sy++) {
        for (let sx = 0; sx < SUPER; sx++) {
          const k = objectAt(scene, x + (sx + 0.5) / SUPER, y + (sy + 0.5) / SUPER);
          if (k >= 0) out[k][y * n + x] += 1 / (SUPER * SUPER);
        }
      }
    }
  }
  return out;
}
