/**
 * Opening a causal LM for evaluation by name: 'lm' (the shipped tiny LM), a tiny-LM folder
 * (config.json), or an ONNX causal LM (a .onnx file or a folder with model.onnx); and reading the
 * text to score. Both fail with one InputError line naming the flag and the path.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, InputError } from '../core/errors.js';
import { MODEL_CONFIG, shippedModelDir } from '../lm/index.js';
import { type CausalLm, onnxCausalLm, tinyCausalLm } from './causal-lm.js';

/** Opens `model`: 'lm' (shipped), a tiny-LM folder, an ONNX file or a folder with model.onnx. */
export async function openCausalLm(model: string, adapter?: string): Promise<CausalLm> {
  const path = model === 'lm' ? shippedModelDir() : model;
  if (!existsSync(path)) throw new InputError(`--model ${model}: no such file or folder`);
  const isDir = statSync(path).isDirectory();
  if (isDir && existsSync(join(path, MODEL_CONFIG)) && !existsSync(join(path, 'model.onnx'))) {
    return tinyCausalLm(path, adapter);
  }
  if (adapter) throw new ConfigError('--adapter applies to tiny-LM folders only, not to ONNX models');
  if (isDir && !existsSync(join(path, 'model.onnx'))) {
    throw new InputError(`--model ${model}: expected a tiny-LM folder (config.json) or an ONNX folder (model.onnx)`);
  }
  return onnxCausalLm(path);
}

export function readText(path: string): string {
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`--text ${path}: cannot read text file (${(err as Error).message})`, { cause: err });
  }
}
