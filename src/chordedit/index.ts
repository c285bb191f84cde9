/**
 * modelmath/chordedit — ChordEdit (Lu et al., CVPR 2026): one-step, training-free, inversion-free
 * text-guided image editing, its baselines, the SD-Turbo ONNX pipeline and the edit metrics.
 */

// Closed-form Gaussian model (exact tests, tour)
export { ClassTextEncoder, GaussianDenoiser, type GaussianModelSpec, gaussianPosteriorMean } from './analytic.js';
// Baselines (SDEdit, DDIM inversion + regeneration)
export { ddimDenoise, ddimInversionEdit, ddimInvert, editTimesteps, sdedit } from './baselines.js';
// The five steps, as pure functions
export {
  chordControlField,
  meanSquare,
  proximalRefinement,
  queryNoise,
  queryTime,
  residualField,
  transport,
  transportTimes,
  x0Estimate,
} from './chord.js';
// Settings
export {
  CHORD_DEFAULTS,
  CHORD_PRESETS,
  type ChordConfig,
  checkMethod,
  EDIT_METHODS,
  type EditMethod,
  type ValidConfig,
  validateChordConfig,
} from './config.js';
// The model interface every backend implements (SD-Turbo ONNX, toy model, analytic Gaussian)
export type { Denoiser, LatentCodec, TextEmbedding, TextEncoder } from './denoiser.js';
// The pipeline
export {
  ChordEditor,
  chordEdit,
  drawNoises,
  type EditDiagnostics,
  type EditorParts,
  type EditRequest,
  type EditResult,
  MeteredDenoiser,
  paperNfe,
  type StepEnergy,
} from './editor.js';
// Edit metrics (background PSNR / MSE / SSIM) and the PIE-Bench reader
export {
  backgroundMask,
  backgroundMetrics,
  gaussianWindow,
  type MaskConvention,
  type MetricOptions,
  mse,
  psnr,
  ssim,
  ssimMap,
} from './metrics.js';
export {
  decodePieMask,
  PIE_MASK_SIZE,
  type PieBenchOptions,
  type PieRecord,
  parseBracketedPrompt,
  readPieBench,
} from './pie-bench.js';
// File-level editing (CLI, batch, PIE-Bench runs)
export {
  type BatchReport,
  type EditJob,
  type EditModel,
  type EditSummary,
  loadEditModel,
  type PieReport,
  type PieRow,
  parseBatchRow,
  runBatch,
  runEditJob,
  runPieBench,
} from './run.js';
// SD-Turbo through ONNX Runtime
export {
  editSize,
  findComponent,
  prepareImage,
  SD_TURBO,
  type SdTurboLayout,
  SdTurboModel,
  type SdTurboOptions,
} from './sdturbo.js';
