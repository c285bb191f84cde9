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
  TOY_SCHEDULER_CONFIG,
  ToyCodec,
  ToyDenoiser,
  type ToyModel,
} from './denoiser.js';
// ONNX export
export {
  exportToyOnnx,
  identityVaeGraph,
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
  type ToyModelInput,
  type ToyModelParams,
  timeFeatures,
  toyModelApply,
  toyModelInit,
  unpatchify,
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
export { type ToyTrainResult, TRAIN_FILES, toyWeightsMetadata, trainToyModel } from './train.js';
// Settings: architecture and training run
export {
  TOY_MODEL_DEFAULTS,
  TOY_TRAIN_DEFAULTS,
  TOY_TRAIN_PRESETS,
  type ToyModelConfig,
  toyModelConfigSchema,
  type ToyRunConfig,
  toyRunConfigSchema,
  type ToyTrainConfig,
  toyTrainConfig,
  validateToyModelConfig,
  validateToyTrainConfig,
} from './config.js';
