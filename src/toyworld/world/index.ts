/**
 * toyworld/world — the toy world itself: seeded captioned scenes, the caption grammar and word
 * tokenizer, the renderer, and ground-truth edits with exact masks (DESIGN.md, "The embedded toy world").
 */

// Captions: grammar, vocabulary, segment ids
export {
  type CaptionContent,
  type CaptionObject,
  captionOf,
  MAX_TOKENS,
  PAD,
  parseCaption,
  SEGMENTS,
  sceneFromCaption,
  segmentIds,
  tokenize,
  VOCAB,
} from './caption.js';
// Ground-truth edits
export {
  benchmarkEdits,
  EDIT_TYPES,
  type EditPair,
  type EditType,
  editMask,
  editScene,
  type RenderedEdit,
  renderEdit,
  sampleEdit,
} from './edits.js';
// Renderer
export { backgroundColour, COLOUR_RGB, insideShape, objectCoverage, renderScene } from './render.js';
// Scenes
export {
  BACKGROUNDS,
  type Background,
  CELL_CENTRES,
  CELLS,
  COLOURS,
  type Colour,
  cellsCompatible,
  checkScene,
  freeCells,
  IMAGE_SIZE,
  MAX_JITTER,
  MIN_GAP,
  objectCentre,
  type Scene,
  SHAPES,
  type Shape,
  SIZE_RADIUS,
  SIZES,
  type Size,
  sampleObject,
  sampleScene,
  TEXTURES,
  type Texture,
  type ToyObject,
  withObject,
} from './scene.js';
