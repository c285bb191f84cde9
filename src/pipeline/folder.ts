/**
 * The Node side of model loading: a model name (`toy` = assets/toy/onnx) or a folder on disk,
 * opened by the shared ./open.ts with onnxruntime-node sessions (core/onnx.ts). The one place
 * where Node code loads model folders; the browser build opens folders with the same ./open.ts
 * and onnxruntime-web (core/onnx-web.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { assetPath } from '../core/assets.js';
import { InputError } from '../core/errors.js';
import { folderFiles } from '../core/model-files-node.js';
import { OnnxModel, type OnnxOptions } from '../core/onnx.js';
import { openPipeline } from './open.js';
import type { DiffusersPipeline } from './pipeline.js';

/** Models shipped in assets/, by the name `--model` accepts. */
export const SHIPPED_MODELS: Readonly<Record<string, string>> = Object.freeze({
  /** The toy text-to-image model (made by `modelmath toy export-onnx`). */
  toy: assetPath('toy', 'onnx'),
});

/** A model name (`toy`) or a folder path -> the folder. */
export function resolveModelDir(spec: string): string {
  return SHIPPED_MODELS[spec] ?? resolve(spec);
}

/** Loads a model folder (or a shipped model by name): configs, tokenizer and the four sessions, once. */
export async function loadPipeline(spec: string, options: OnnxOptions = {}): Promise<DiffusersPipeline> {
  const dir = resolveModelDir(spec);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`model folder not found: ${dir}`);
  return openPipeline(
    folderFiles(dir),
    (files, path, threads) => OnnxModel.load(files.label(path), { ...options, threads }),
    { threads: options.threads },
  );
}
