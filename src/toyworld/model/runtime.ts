/**
 * The toy model for inference: the shipped ONNX folder (assets/toy/onnx, or another folder with the
 * toy's 32 x 32 image size) through the generic diffusers-layout pipeline, with the parts for
 * editing and sampling 32 x 32 toy scenes.
 */
import { ConfigError } from '../../core/errors.js';
import type { OnnxOptions } from '../../core/onnx.js';
import { type DiffusersPipeline, loadPipeline, type PipelineParts, type SamplerParts } from '../../pipeline/index.js';
import { IMAGE_SIZE } from '../world/index.js';

export interface ToyRuntime {
  pipeline: DiffusersPipeline;
  /** Denoiser, text encoder and codec for 32 x 32 images. */
  parts: PipelineParts;
  /** The same parts with the folder's sampling settings. */
  sampler: SamplerParts;
  dispose(): Promise<void>;
}

/** Loads `toy` (default) or a folder; throws a ConfigError when the model does not edit 32 x 32 images. */
export async function loadToyRuntime(spec = 'toy', options: OnnxOptions = {}): Promise<ToyRuntime> {
  const pipeline = await loadPipeline(spec, options);
  const size = pipeline.imageSizeFor(IMAGE_SIZE, IMAGE_SIZE);
  if (size.height !== IMAGE_SIZE || size.width !== IMAGE_SIZE) {
    await pipeline.dispose();
    throw new ConfigError(
      `the toy world needs a model of ${IMAGE_SIZE} x ${IMAGE_SIZE} images; ${pipeline.dir} works at ${size.width} x ${size.height}`,
    );
  }
  const parts = pipeline.parts(IMAGE_SIZE, IMAGE_SIZE);
  return { pipeline, parts, sampler: { ...parts, sampling: pipeline.sampling }, dispose: () => pipeline.dispose() };
}
