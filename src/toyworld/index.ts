/**
 * modelmath/toyworld — the embedded toy world: seeded captioned scenes and their renderer, the
 * word tokenizer, ground-truth edits with exact masks, the tiny text-to-image denoiser (trained
 * here, shipped in assets/toy/), the attribute classifier and the edit benchmark.
 */

// The edit benchmark
export { BENCH_METHOD_SETTINGS, BENCH_METHODS, type BenchResult, runEditBench } from './bench.js';
// Scenes, renderer, captions, edits
export * from './caption.js';
// Attribute classifier and scoring
export {
  CLASSIFIER_DEFAULTS,
  type ClassifierParams,
  loadClassifier,
  readScenes,
  type SceneReading,
  SHIPPED_CLASSIFIER,
  trainClassifier,
} from './classifier.js';
export { HELD_OUT_SEED, heldOutAccuracy, heldOutScenes, shipClassifier } from './classifier-train.js';
// The denoiser: model, training, ChordEdit parts, sampling
export { makeBatch, type ToyBatch } from './data.js';
export { loadToyModel, SHIPPED_WEIGHTS, ToyCodec, ToyDenoiser, type ToyModel } from './denoiser.js';
export * from './edits.js';
export {
  patchify,
  TOY_MODEL_DEFAULTS,
  type ToyModelConfig,
  type ToyModelParams,
  toyModelApply,
  toyModelInit,
  unpatchify,
} from './model.js';
export * from './render.js';
export { evaluateSamples, GENERATE_DEFAULTS, type GenerateOptions, generateToy, guidedEps } from './sample.js';
export * from './scene.js';
export { ATTRIBUTES, attributeAccuracy, attributeHits, sceneMatches } from './scoring.js';
export { encodeCaption, oneHotTokens, ToyTextEncoder } from './text.js';
export { TOY_TRAIN_DEFAULTS, TOY_TRAIN_PRESETS, type ToyTrainConfig, trainToyModel } from './train.js';
