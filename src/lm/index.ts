/**
 * modelmath/lm: a tiny byte-level decoder-only transformer with RoPE, its generated corpus,
 * training (pre-training and LoRA/DoRA fine-tuning), sampling and model folders.
 * Shapes: B batch, T tokens, D width, H heads, Dh = D / H, V vocabulary (256 bytes).
 */

// Settings: model shape and training run
export {
  LM_TRAIN_DEFAULTS,
  type LmTrainConfig,
  lmTrainConfigSchema,
  TINY_LM_DEFAULTS,
  TINY_LM_PRESETS,
  type TinyLmConfig,
  tinyLmConfigSchema,
  validateLmTrainConfig,
  validateTinyLmConfig,
} from './config.js';
// Corpus and tokenizer
export {
  arithmeticLine,
  CORPUS_DOMAINS,
  type CorpusDomain,
  captionLine,
  corpusLine,
  englishLine,
  generateCorpus,
  PRETRAIN_ARITHMETIC_SHARE,
} from './corpus.js';
// Data, training, sampling
export { type Batch, batchAt, randomBatch, readTokens, validationOffsets } from './data.js';
// ONNX export (read by modelmath eval)
export { exportTinyLmOnnx, type TinyLmSource, tinyLmGraph, tinyLmOnnxFiles } from './export.js';
// Model folders and runs
export {
  assetsDir,
  type LoadedLm,
  loadTinyLm,
  MODEL_CONFIG,
  MODEL_WEIGHTS,
  readLmConfig,
  saveTinyLm,
  shippedModelDir,
  TRAINING_LOG,
} from './io.js';
// Model
export { type BlockParams, crossEntropyLoss, type TinyLmParams, tinyLmForward, tinyLmInit } from './model.js';
export {
  CORPUS_SIZES,
  type FinetuneOptions,
  type FinetuneResult,
  finetuneLora,
  mergeAdapter,
  type PretrainOptions,
  type PretrainResult,
  pretrain,
  writeCorpus,
} from './pipeline.js';
export { nextTokenLogits, pickToken, type SampleOptions, sampleTokens } from './sample.js';
export { BYTE_VOCAB, byteTokenizer, decodeBytes, encodeBytes, NEWLINE_ID, type Tokenizer } from './tokenizer.js';
export { type LmTrainRun, trainTinyLm, validationLoss } from './train.js';
