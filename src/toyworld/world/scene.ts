/**
 * The toy world's scene description and its seeded sampler. A scene is a smooth background plus
 * one or two bold objects, each with a shape, colour, size, surface texture and a cell of a 3 x 3
 * grid (named in the caption, so the caption fixes the picture up to a sub-pixel jitter).
 * Everything the renderer draws is in this description, which is what gives every edit a true
 * answer (DESIGN.md, "The embedded toy world").
 */
import { ConfigError, show } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';

/** Image side in pixels (the renderer and the model both use 32 x 32 RGB). */
export const IMAGE_SIZE = 32;
export const BACKGROUNDS = ['grass', 'snow', 'sand', 'water', 'night', 'sunset'] as const;
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'cross'] as const;
export const COLOURS = ['red', 'yellow', 'green', 'cyan', 'blue', 'purple'] as const;
export const SIZES = ['small', 'large'] as const;
export const TEXTURES = ['plain', 'striped', 'dotted'] as const;
/** Cell names of the 3 x 3 grid, row-major from the top left. */
export const CELLS = [
  'top left',
  'top',
  'top right',
  'left',
  'center',
  'right',
  'bottom left',
  'bottom',
  'bottom right',
] as const;

export type Background = (typeof BACKGROUNDS)[number];
export type Shape = (typeof SHAPES)[number];
export type Colour = (typeof COLOURS)[number];
export type Size = (typeof SIZES)[number];
export type Texture = (typeof TEXTURES)[number];

/** Pixel coordinate of the cell centres along each axis (continuous, pixel centres at k + 0.5). */
export const CELL_CENTRES = [7.5, 16, 24.5] as const;
/** Half-extent of an object in pixels per size. */
export const SIZE_RADIUS: Record<Size, number> = { small: 5, large: 6.5 };
/** Largest sub-pixel jitter of an object around its cell centre (pixels, each axis). */
export const MAX_JITTER = 0.75;
/** Smallest gap in pixels between the bounding discs of two objects (so they never touch). */
export const MIN_GAP = 1.5;

export interface ToyObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  texture: Texture;
  /** Index into CELLS (0..8). */
  cell: number;
  /** Jitter of the centre in pixels, each in [-MAX_JITTER, MAX_JITTER]. */
  dx: number;
  dy: number;
}

export interface Scene {
  background: Background;
  /** Phase of the background's low-frequency pattern, in [0, 1). */
  phase: number;
  /** One or two objects, in caption order (cell order: first object has the lower cell index). */
  objects: ToyObject[];
}

/** Centre of an object in pixel coordinates. */
export function objectCentre(o: ToyObject): { x: number; y: number } {
  return { x: CELL_CENTRES[o.cell % 3] + o.dx, y: CELL_CENTRES[Math.floor(o.cell / 3)] + o.dy };
}

/** True when two objects (of any jitter) keep at least MIN_GAP between their bounding discs. */
export function cellsCompatible(cellA: number, sizeA: Size, cellB: number, sizeB: Size): boolean {
  if (cellA === cellB) return false;
  const ax = CELL_CENTRES[cellA % 3];
  const ay = CELL_CENTRES[Math.floor(cellA / 3)];
  const bx = CELL_CENTRES[cellB % 3];
  const by = CELL_CENTRES[Math.floor(cellB / 3)];
  const d = Math.hypot(ax - bx, ay - by) - 2 * Math.SQRT2 * MAX_JITTER;
  return d >= SIZE_RADIUS[sizeA] + SIZE_RADIUS[sizeB] + MIN_GAP;
}

/** Throws a ConfigError unless `scene` is a valid toy scene (known words, 1-2 compatible objects). */
export function checkScene(scene: Scene): Scene {
  const fail = (what: string) => {
    throw new ConfigError(`invalid toy scene: ${what} (scene ${show(scene)})`);
  };
  if (!BACKGROUNDS.includes(scene.background)) fail(`unknown background ${show(scene.background)}`);
  if (!(scene.phase >= 0 && scene.phase < 1)) fail(`phase must be in [0, 1), got ${scene.phase}`);
  if (scene.objects.length < 1 || scene.objects.length > 2) fail(`needs 1 or 2 objects, got ${scene.objects.length}`);
  for (const o of scene.objects) {
    if (!SHAPES.includes(o.shape)) fail(`unknown shape ${show(o.shape)}`);
    if (!COLOURS.includes(o.colour)) fail(`unknown colour ${show(o.colour)}`);
    if (!SIZES.includes(o.size)) fail(`unknown size ${show(o.size)}`);
    if (!TEXTURES.includes(o.texture)) fail(`unknown texture ${show(o.texture)}`);
    if (!(Number.isInteger(o.cell) && o.cell >= 0 && o.cell < 9)) fail(`cell must be an integer in [0, 8]`);
    if (!(Math.abs(o.dx) <= MAX_JITTER && Math.abs(o.dy) <= MAX_JITTER)) fail(`jitter beyond ${MAX_JITTER}`);
  }
  if (scene.objects.length === 2) {
    const [a, b] = scene.objects;
    if (a.cell >= b.cell) fail('objects must be listed in increasing cell order');
    if (!cellsCompatible(a.cell, a.size, b.cell, b.size)) fail(`objects at cells ${a.cell} and ${b.cell} overlap`);
  }
  return scene;
}

/** Cells where an object of `size` fits next to the objects already in `objects`. */
export function freeCells(objects: readonly ToyObject[], size: Size): number[] {
  const cells: number[] = [];
  for (let c = 0; c < 9; c++) {
    if (objects.every((o) => cellsCompatible(c, size, o.cell, o.size))) cells.push(c);
  }
  return cells;
}

/** A random object at `cell` (every attribute uniform, jitter uniform). */
export function sampleObject(rng: Rng, cell: number, size: Size = rng.pick(SIZES)): ToyObject {
  return {
    shape: rng.pick(SHAPES),
    colour: rng.pick(COLOURS),
    size,
    texture: rng.pick(TEXTURES),
    cell,
    dx: rng.uniformRange(-MAX_JITTER, MAX_JITTER),
    dy: rng.uniformRange(-MAX_JITTER, MAX_JITTER),
  };
}

/** Adds `obj` to `objects`, keeping cell order. */
export function withObject(objects: readonly ToyObject[], obj: ToyObject): ToyObject[] {
  return [...objects, obj].sort((a, b) => a.cell - b.cell);
}

/**
 * A random scene: background and phase uniform, one or two objects (probability `pTwo` of two),
 * every attribute uniform; the second object is placed in a uniformly chosen compatible cell.
 */
export function sampleScene(rng: Rng, pTwo = 0.5): Scene {
  const background = rng.pick(BACKGROUNDS);
  const phase = rng.uniform();
  const first = sampleObject(rng, rng.int(9));
  let objects = [first];
  if (rng.uniform() < pTwo) {
    const size = rng.pick(SIZES);
    const cells = freeCells(objects, size);
    if (cells.length > 0) objects = withObject(objects, sampleObject(rng, rng.pick(cells), size));
  }
  return { background, phase, objects };
}
