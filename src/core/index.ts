/**
 * core: what every part of modelmath stands on — one error hierarchy, settings validation, the
 * plug-in contracts (commands, tour sections), safe file output, one seeded RNG, image / CSV /
 * safetensors / video I/O, checkpoints, progress bars, stable softmax helpers, the training
 * engine and the ONNX Runtime backend.
 */

// Errors, validation and settings
export {
  checkFinite,
  checkLength,
  checkNumber,
  checkOneOf,
  ConfigError,
  InputError,
  ModelMathError,
  ShapeError,
  show,
} from './errors.js';
export { issueLine, parseConfig } from './config.js';

// Plug-in contracts the parts implement: commands and tour sections
export {
  type CommandContext,
  type CommandEntry,
  type CommandGroup,
  type CommandResult,
  type CommandSpec,
  defineCommand,
  isGroup,
  type OutputSpec,
  type PresetSpec,
} from './command.js';
export type {
  Figure,
  ImageAsset,
  SectionResult,
  Table,
  TourContext,
  TourSection,
} from './tour-section.js';

// Files: safe writes, checkpoints, safetensors, CSV, images, video frames
export {
  claimDir,
  dirRefusal,
  type DirWriteOptions,
  MANIFEST,
  type Manifest,
  OutputError,
  type OutputRequest,
  planOutput,
  readManifest,
  writeDirAtomic,
  writeFileAtomic,
  writeFileNew,
  writeJsonAtomic,
} from './outputs.js';
export {
  type Checkpoint,
  CHECKPOINT_FORMAT,
  type CheckpointPayload,
  hasCheckpoint,
  type MetricsRow,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
export { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './float16.js';
export {
  decodeSafetensors,
  DTYPE_BYTES,
  encodeSafetensors,
  int64ToInt32,
  readSafetensors,
  readSafetensorsFile,
  type SafeTensor,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type SafetensorsFile,
  type TensorData,
  type TensorToWrite,
  writeSafetensors,
} from './safetensors.js';
export {
  type ColumnSpec,
  type CsvTable,
  numericColumns,
  type NumericColumns,
  parseCsv,
  parseNumberCell,
  parseNumericCsv,
} from './csv.js';
export { readCsvText, readNumericCsv } from './csv-file.js';
export {
  checkImage,
  cropImage,
  decodeImage,
  encodePng,
  fromInterleavedBytes,
  type Image,
  imageGrid,
  MAX_PIXELS,
  readImage,
  resizeImage,
  type ResizeOptions,
  toGray,
  toInterleavedBytes,
  writeImage,
} from './image.js';
export { hasFfmpeg, loadVideo, type LoadVideoOptions, naturalCompare, type Video } from './video.js';

// Randomness and numerics on typed arrays
export { Rng, type RngState } from './rng.js';
export {
  dot,
  logSoftmax,
  logSoftmaxRows,
  logSumExp,
  mean,
  meanOf,
  type NumericArray,
  softmax,
  softmaxRows,
  variance,
} from './math.js';
export {
  BOOTSTRAP_OPTIONS_DEFAULTS,
  type BootstrapOptions,
  bootstrap,
  bootstrapMean,
  bootstrapMeans,
  bootstrapOptions,
  type Interval,
  pairedBootstrap,
  percentile,
  percentileInterval,
  resampleCounts,
  type Summary,
  summarize,
  weightedMean,
} from './stats.js';

// Engines: training (TensorFlow.js wasm) and inference (ONNX Runtime), CLIP tokenizer
export {
  engineBackend,
  getTf,
  readAndDispose,
  type Scalar,
  setEngineWasmPath,
  type Tensor,
  type Tf,
  tfSync,
  type Variable,
} from './engine.js';
export { GRAPH_OPTIMIZATIONS, type GraphOptimization, type OnnxOptions, onnxOptionsSchema } from './onnx-options.js';
export {
  executionProviders,
  fromFloat16Bits,
  type HostTensor,
  OnnxModel,
  onnxRuntimeInfo,
  type OnnxSession,
  supportedDevices,
  type TensorInfo,
  toFloat16Bits,
} from './onnx.js';
// The ONNX writer (graphs of exported models)
export {
  type AttrValue,
  buildModel,
  type GraphSpec,
  type InitializerSpec,
  MAX_OPSET,
  type NodeSpec,
  ONNX_DTYPES,
  ONNX_IR_VERSION,
  OnnxGraphBuilder,
  type OnnxDType,
  type ValueSpec,
  writeModelFiles,
} from './onnx-graph.js';
export { bytesToUnicode, cleanText, ClipTokenizer, type ClipTokenizerOptions } from './clip-tokenizer.js';
// Model folders as file sources (disk in Node, picked or served folders in the browser)
export { joinPath, type ModelFiles, mapModelFiles } from './model-files.js';
export { folderFiles } from './model-files-node.js';
export { OrtSession, type TensorClass } from './onnx-session.js';

// Progress bars
export { createProgress, type Progress, progressEnabled } from './progress.js';
