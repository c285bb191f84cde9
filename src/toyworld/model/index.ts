/**
 * toyworld/model — the tiny text-to-image denoiser: architecture and forward pass on the engine,
 * training, the word + segment text features, the engine twin behind the diffusion model contract,
 * the export to a diffusers-layout ONNX folder (CLIP-format tokenizer included) and the shipped
 * folder loaded through the ONNX pipeline for inference.
 */

// Architecture and training (engine)
export { type BatchOptions, makeBatch, type ToyBatch } from './data.js';
// Engine twin (the export is checked against it)
export {
  loadToyModel,
  SHIPPED_WEIGHTS,
  TOY_LATENT_SHAPE,
  TOY_SAMPLING,
  ToyCodec,
  ToyDenoiser,
  type ToyModel,
} from './denoiser.js';
// ONNX export
export {
  exportToyOnnx,
  identityVaeGraph,
  TOY_SCHEDULER_CONFIG,
  type ToyExportOptions,
  toyOnnxFiles,
  toyOnnxFilesOf,
  toyTextEncoderGraph,
  toyUnetGraph,
} from './export.js';
export {
  type BlockParams,
  patchGeometry,
  patchify,
  segmentPatchMap,
  sequenceRopeTables,
  TIME_FEATURES,
  TOY_MODEL_DEFAULTS,
  type ToyModelConfig,
  type ToyModelInput,
  type ToyModelParams,
  timeFeatures,
  toyModelApply,
  toyModelInit,
  unpatchify,
  validateToyModelConfig,
} from './model.js';
// Inference through the ONNX pipeline
export { loadToyRuntime, type ToyRuntime } from './runtime.js';
// Text features and the CLIP-format tokenizer of the toy vocabulary
export { encodeCaption, oneHotTokens, stackEmbeddings, TOKEN_FEATURES, ToyTextEncoder } from './text.js';
export {
  clipToToyIds,
  learnMerges,
  TOY_TOKENIZER_LENGTH,
  type ToyTokenizerFiles,
  toyTokenizerFiles,
} from './tokenizer.js';
export {
  TOY_TRAIN_DEFAULTS,
  TOY_TRAIN_PRESETS,
  type ToyTrainConfig,
  type ToyTrainResult,
  TRAIN_FILES,
  toyWeightsMetadata,
  trainToyModel,
  validateToyTrainConfig,
} from './train.js';
