/**
 * modelmath/pipeline — one model format: a diffusers/Optimum ONNX folder (SD-Turbo, or the shipped
 * toy model at assets/toy/onnx) run through ONNX Runtime behind the diffusion model contract
 * (Denoiser, TextEncoder, LatentCodec), every constant read from the folder's configs; and
 * text-to-image sampling on that contract.
 */

// Folder configs (SD-Turbo's values as defaults)
export {
  alphasCumprodOf,
  BETA_SCHEDULES,
  type ConfigTexts,
  type PipelineConfig,
  parseConfigFile,
  resolveConfig,
  SD_TURBO_CONFIG,
} from './config.js';
// Loading a folder: from any file source with any runtime (open.ts), and from disk in Node (folder.ts)
export { loadPipeline, resolveModelDir, SHIPPED_MODELS } from './folder.js';
export { findComponent, openPipeline, type SessionOpener, SMALL_GRAPH_BYTES } from './open.js';
// Text-to-image sampling
export {
  GENERATE_DEFAULTS,
  type GenerateOptions,
  generateImages,
  guidedEps,
  type SamplerParts,
  type SamplingConfig,
} from './generate.js';
// The pipeline
export {
  DEFAULT_MAX_SIDE,
  DiffusersPipeline,
  editSize,
  type PipelineLayout,
  type PipelineParts,
  type PipelineSessions,
} from './pipeline.js';
