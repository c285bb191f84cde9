/**
 * modelmath/chordedit — ChordEdit (Lu et al., CVPR 2026): one-step, training-free, inversion-free
 * text-guided image editing, its baselines and the edit metrics, on any model that implements the
 * diffusion model contract (the ONNX pipeline of src/pipeline, or the closed-form Gaussian model).
 * Running edits on files (CLI, web lab) is ./app/index.ts.
 */

// The model interface every backend implements (defined in src/diffusion: ONNX pipeline, toy engine twin, analytic Gaussian)
export type { Denoiser, LatentCodec, TextEmbedding, TextEncoder, Timesteps } from '../diffusion/index.js';
// Closed-form Gaussian model (exact tests, tour)
export { ClassTextEncoder, GaussianDenoiser, type GaussianModelSpec, gaussianPosteriorMean } from './analytic.js';
// Baselines (SDEdit stochastic and DDIM, DDIM inversion + regeneration)
export {
  ddimDenoise,
  ddimInversionEdit,
  ddimInvert,
  ddpmDenoise,
  editTimesteps,
  type SdeditSampler,
  sdedit,
} from './baselines.js';
// The five steps, as pure functions
export {
  chordControlField,
  meanSquare,
  proximalRefinement,
  queryNoise,
  queryTime,
  residualField,
  residualFields,
  residualFieldsPerNoise,
  transport,
  transportTimes,
  x0Estimate,
} from './chord.js';
// The control field across noise draws: energy = mean-field energy + variance
export { controlFieldDraws, type FieldStats, fieldStats } from './field-stats.js';
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
