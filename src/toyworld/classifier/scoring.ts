/**
 * Scoring pictures against scene descriptions with the attribute classifier: per-attribute
 * accuracy (generation goal: samples match their captions) and the strict edit check of the
 * benchmark (the target attribute is found and every other attribute is unchanged).
 */

import type { CaptionContent } from '../world/index.js';
import type { ObjectReading, SceneReading } from './classifier.js';

export const ATTRIBUTES = ['background', 'presence', 'shape', 'colour', 'size', 'texture'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

/** Per-attribute hits and totals for one reading vs the scene it should show. */
export function attributeHits(reading: SceneReading, truth: CaptionContent): Record<Attribute, [number, number]> {
  const hits: Record<Attribute, [number, number]> = {
    background: [reading.background === truth.background ? 1 : 0, 1],
    presence: [0, 9],
    shape: [0, 0],
    colour: [0, 0],
    size: [0, 0],
    texture: [0, 0],
  };
  for (const cell of reading.cells) {
    const o = truth.objects.find((q) => q.cell === cell.cell);
    if (cell.present === Boolean(o)) hits.presence[0]++;
    if (!o) continue;
    for (const a of ['shape', 'colour', 'size', 'texture'] as const) {
      hits[a][1]++;
      if (cell[a] === o[a]) hits[a][0]++;
    }
  }
  return hits;
}

function objectMatches(cell: ObjectReading, truth: CaptionContent): boolean {
  const o = truth.objects.find((q) => q.cell === cell.cell);
  if (!o) return !cell.present;
  return (
    cell.present &&
    cell.shape === o.shape &&
    cell.colour === o.colour &&
    cell.size === o.size &&
    cell.texture === o.texture
  );
}

/** True when the reading shows exactly `truth`: background, every cell's presence and attributes. */
export function sceneMatches(reading: SceneReading, truth: CaptionContent): boolean {
  return reading.background === truth.background && reading.cells.every((c) => objectMatches(c, truth));
}

/** Accumulates attribute hits over many readings into accuracies. */
export function attributeAccuracy(
  pairs: { reading: SceneReading; truth: CaptionContent }[],
): Record<Attribute, number> {
  const sum = Object.fromEntries(ATTRIBUTES.map((a) => [a, [0, 0]])) as Record<Attribute, [number, number]>;
  for (const { reading, truth } of pairs) {
    const h = attributeHits(reading, truth);
    for (const a of ATTRIBUTES) {
      sum[a][0] += h[a][0];
      sum[a][1] += h[a][1];
    }
  }
  return Object.fromEntries(ATTRIBUTES.map((a) => [a, sum[a][1] ? sum[a][0] / sum[a][1] : Number.NaN])) as Record<
    Attribute,
    number
  >;
}
