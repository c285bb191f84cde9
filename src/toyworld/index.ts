/**
 * The embedded toy world: seeded captioned scenes, their renderer, a word tokenizer, ground-truth
 * edits with exact masks (this file is the part's public API).
 */
export * from './caption.js';
export * from './edits.js';
export * from './render.js';
export * from './scene.js';
