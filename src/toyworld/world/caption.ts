/**
 * The toy world's caption grammar and word tokenizer (fixed vocabulary).
 *   caption := object ("and" object)? "on" background
 *   object  := "a" size colour texture? shape "at" cell      (texture omitted = plain)
 *   cell    := "top left" | "top" | ... | "center" | ... | "bottom right"
 * Example: "a large red striped circle at top left and a small blue square at right on snow".
 * `captionOf` and `parseCaption` are inverse to each other on every valid scene (tested).
 */
import { InputError, show } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import {
  BACKGROUNDS,
  type Background,
  CELLS,
  COLOURS,
  type Colour,
  checkScene,
  MAX_JITTER,
  type Scene,
  SHAPES,
  type Shape,
  SIZES,
  type Size,
  TEXTURES,
  type Texture,
} from './scene.js';

/** Scene attributes a caption fixes (everything but background phase and object jitter). */
export interface CaptionObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  texture: Texture;
  cell: number;
}
export interface CaptionContent {
  background: Background;
  objects: CaptionObject[];
}

/** Token id 0 is padding (also the "empty caption" of classifier-free guidance). */
export const PAD = '<pad>';
/** The fixed vocabulary; a token's id is its index. */
export const VOCAB: readonly string[] = [
  PAD,
  'a',
  'and',
  'on',
  'at',
  ...SIZES,
  ...COLOURS,
  'striped',
  'dotted',
  ...SHAPES,
  'top',
  'bottom',
  'left',
  'right',
  'center',
  ...BACKGROUNDS,
];
/** Longest caption in tokens (two objects with textures and two-word cells: 19 words). */
export const MAX_TOKENS = 20;
const WORD_ID = new Map(VOCAB.map((w, i) => [w, i]));

/** Segment ids: 0 = no object, 1 + cell for the words of the object phrase at that cell. */
export const SEGMENTS = 10;

/**
 * The segment id of every token of `caption` (padded with 0): the words of each object phrase carry
 * 1 + the cell that phrase names, like BERT's segment ids; "and", "on", the background and padding
 * carry 0. It tells the denoiser which words describe which place without it having to learn the
 * grammar first. The empty caption gives all zeros.
 */
export function segmentIds(caption: string): Int32Array {
  const ids = new Int32Array(MAX_TOKENS);
  const ws = words(caption);
  if (ws.length === 0) return ids;
  const { objects } = parseCaption(caption);
  let k = 0;
  ws.forEach((w, i) => {
    if (w === 'on') k = -1;
    if (w === 'and') k++;
    else if (k >= 0) ids[i] = 1 + objects[k].cell;
  });
  return ids;
}

/** The caption of one object: "a large red striped circle at top left". */
function objectPhrase(o: CaptionObject): string {
  const tex = o.texture === 'plain' ? '' : `${o.texture} `;
  return `a ${o.size} ${o.colour} ${tex}${o.shape} at ${CELLS[o.cell]}`;
}

/** The caption of a scene (or of caption content). */
export function captionOf(scene: CaptionContent): string {
  return `${scene.objects.map(objectPhrase).join(' and ')} on ${scene.background}`;
}

/** Splits a caption into lower-case words (whitespace separated). */
function words(caption: string): string[] {
  return caption.trim().toLowerCase().split(/\s+/).filter(Boolean);
}

/** Token ids of `caption`, padded with 0 to MAX_TOKENS; throws InputError naming an unknown word. */
export function tokenize(caption: string): Int32Array {
  const ws = words(caption);
  if (ws.length > MAX_TOKENS) throw new InputError(`caption has ${ws.length} words, at most ${MAX_TOKENS} allowed`);
  const ids = new Int32Array(MAX_TOKENS);
  ws.forEach((w, i) => {
    const id = WORD_ID.get(w);
    if (id === undefined || id === 0) {
      throw new InputError(`caption word ${show(w)} is not in the toy vocabulary (${VOCAB.slice(1).join(' ')})`);
    }
    ids[i] = id;
  });
  return ids;
}

/** Parses a caption of the grammar above; throws InputError with the position of the first problem. */
export function parseCaption(caption: string): CaptionContent {
  const ws = words(caption);
  let i = 0;
  const fail = (expected: string): never => {
    throw new InputError(
      `caption ${show(caption)}: expected ${expected} at word ${i + 1}, got ${show(ws[i] ?? '<end>')}`,
    );
  };
  const take = <T extends string>(allowed: readonly T[], what: string): T => {
    const w = ws[i];
    if (!(allowed as readonly string[]).includes(w)) fail(what);
    i++;
    return w as T;
  };
  const objects: CaptionObject[] = [];
  for (let more = true; more; ) {
    take(['a'], '"a"');
    const size = take(SIZES, `a size (${SIZES.join('|')})`);
    const colour = take(COLOURS, `a colour (${COLOURS.join('|')})`);
    const said = ws[i] !== 'plain' && (TEXTURES as readonly string[]).includes(ws[i]);
    const texture = (said ? ws[i++] : 'plain') as Texture;
    const shape = take(SHAPES, `a shape (${SHAPES.join('|')})`);
    take(['at'], '"at"');
    const two = `${ws[i]} ${ws[i + 1]}`;
    const cell = CELLS.indexOf(two as (typeof CELLS)[number]) >= 0 ? two : ws[i];
    const index = CELLS.indexOf(cell as (typeof CELLS)[number]);
    if (index < 0) fail(`a position (${CELLS.join('|')})`);
    i += cell.split(' ').length;
    objects.push({ shape, colour, size, texture, cell: index });
    more = ws[i] === 'and';
    if (more) i++;
  }
  take(['on'], '"on" or "and"');
  const background = take(BACKGROUNDS, `a background (${BACKGROUNDS.join('|')})`);
  if (i !== ws.length) fail('the end of the caption');
  return { background, objects };
}

/**
 * A scene matching `caption`, with the free details (background phase, object jitter) drawn from
 * `rng`; throws InputError when the objects overlap or are not in cell order.
 */
export function sceneFromCaption(caption: string, rng: Rng): Scene {
  const content = parseCaption(caption);
  const scene: Scene = {
    background: content.background,
    phase: rng.uniform(),
    objects: content.objects.map((o) => ({
      ...o,
      dx: rng.uniformRange(-MAX_JITTER, MAX_JITTER),
      dy: rng.uniformRange(-MAX_JITTER, MAX_JITTER),
    })),
  };
  try {
    return checkScene(scene);
  } catch (err) {
    throw new InputError(`caption ${show(caption)} describes no valid scene: ${(err as Error).message}`);
  }
}
