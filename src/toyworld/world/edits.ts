/**
 * Ground-truth edits of toy scenes (DESIGN.md, "Edit benchmark protocol"): change one attribute of
 * the scene description, keep every other detail (background phase, jitter, the other object),
 * render both, and the exact edit mask is the set of pixels the change may touch. The lecture's
 * examples map onto the types: ground -> snow (background), horse -> unicorn (shape), sweater ->
 * down jacket (colour / texture), w/ cat -> w/o cat (remove) and its inverse (add).
 */
import { ConfigError } from '../../core/errors.js';
import type { Image } from '../../core/image.js';
import type { Rng } from '../../core/rng.js';
import { captionOf } from './caption.js';
import { objectCoverage, renderScene } from './render.js';
import {
  BACKGROUNDS,
  COLOURS,
  freeCells,
  IMAGE_SIZE,
  type Scene,
  SHAPES,
  SIZES,
  sampleObject,
  sampleScene,
  TEXTURES,
  withObject,
} from './scene.js';

export const EDIT_TYPES = ['background', 'colour', 'shape', 'texture', 'remove', 'add'] as const;
export type EditType = (typeof EDIT_TYPES)[number];

export interface EditPair {
  type: EditType;
  source: Scene;
  target: Scene;
  sourceCaption: string;
  targetCaption: string;
  /** Cell of the edited object (object edits), or -1 for a background edit. */
  cell: number;
}

export interface RenderedEdit extends EditPair {
  sourceImage: Image;
  targetImage: Image;
  /** [32*32] 1 where the edit may change the pixel, 0 where source and target must agree. */
  mask: Uint8Array;
}

const other = <T>(rng: Rng, items: readonly T[], current: T): T => rng.pick(items.filter((x) => x !== current));

/** Applies an edit of `type` to `scene`, or returns null when the type does not apply to it. */
export function editScene(scene: Scene, type: EditType, rng: Rng): EditPair | null {
  const k = rng.int(scene.objects.length);
  const objs = scene.objects.map((o) => ({ ...o }));
  let target: Scene = { ...scene, objects: objs };
  let cell = scene.objects[k].cell;
  switch (type) {
    case 'background':
      target.background = other(rng, BACKGROUNDS, scene.background);
      cell = -1;
      break;
    case 'colour':
      objs[k].colour = other(rng, COLOURS, objs[k].colour);
      break;
    case 'shape':
      objs[k].shape = other(rng, SHAPES, objs[k].shape);
      break;
    case 'texture':
      objs[k].texture = other(rng, TEXTURES, objs[k].texture);
      break;
    case 'remove':
      if (objs.length < 2) return null;
      objs.splice(k, 1);
      break;
    case 'add': {
      if (objs.length > 1) return null;
      const size = rng.pick(SIZES);
      const cells = freeCells(objs, size);
      if (cells.length === 0) return null;
      const added = sampleObject(rng, rng.pick(cells), size);
      target = { ...target, objects: withObject(objs, added) };
      cell = added.cell;
      break;
    }
  }
  return { type, source: scene, target, sourceCaption: captionOf(scene), targetCaption: captionOf(target), cell };
}

/**
 * The exact edit mask: for an object edit, every pixel the edited object touches in the source or
 * the target; for a background edit, every pixel not fully covered by objects.
 */
export function editMask(pair: EditPair): Uint8Array {
  const n = IMAGE_SIZE * IMAGE_SIZE;
  const mask = new Uint8Array(n);
  if (pair.type === 'background') {
    const cov = objectCoverage(pair.source);
    for (let i = 0; i < n; i++) mask[i] = cov.reduce((s, c) => s + c[i], 0) < 1 - 1e-6 ? 1 : 0;
    return mask;
  }
  for (const scene of [pair.source, pair.target]) {
    const cov = objectCoverage(scene);
    scene.objects.forEach((o, j) => {
      if (o.cell !== pair.cell) return;
      for (let i = 0; i < n; i++) if (cov[j][i] > 0) mask[i] = 1;
    });
  }
  return mask;
}

/** Renders source and target of `pair` and its mask. */
export function renderEdit(pair: EditPair): RenderedEdit {
  return {
    ...pair,
    sourceImage: renderScene(pair.source),
    targetImage: renderScene(pair.target),
    mask: editMask(pair),
  };
}

/** A random edit of `type` on a random scene (scenes are redrawn until the type applies). */
export function sampleEdit(rng: Rng, type: EditType): EditPair {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const pTwo = type === 'remove' ? 1 : type === 'add' ? 0 : 0.5;
    const pair = editScene(sampleScene(rng, pTwo), type, rng);
    if (pair) return pair;
  }
  throw new ConfigError(`could not sample an edit of type '${type}' in 1000 attempts`);
}

/** The benchmark's fixed edit set: pair i has type EDIT_TYPES[i % 6] and its own RNG stream. */
export function benchmarkEdits(count: number, rng: Rng): EditPair[] {
  return Array.from({ length: count }, (_, i) => sampleEdit(rng.fork(`edit-${i}`), EDIT_TYPES[i % EDIT_TYPES.length]));
}
