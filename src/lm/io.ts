/**
 * Tiny-LM model folders: `model.safetensors` (parameters by dotted name, F32), `config.json`
 * (TinyLmConfig + tokenizer), optional `training-log.json` and a `README.md` model card. The
 * shipped model lives in assets/lm/. Loading validates the config before reading any weights.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assetPath } from '../core/assets.js';
import { InputError } from '../core/errors.js';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../core/outputs.js';
import { Rng } from '../core/rng.js';
import { attachLoraAdapter, loadLoraAdapter } from '../lora/index.js';
import { loadParams, saveParams } from '../nn/index.js';
import { TINY_LM_DEFAULTS, type TinyLmConfig, validateTinyLmConfig } from './config.js';
import { type TinyLmParams, tinyLmInit } from './model.js';

export const MODEL_WEIGHTS = 'model.safetensors';
export const MODEL_CONFIG = 'config.json';
export const TRAINING_LOG = 'training-log.json';

/** The lm assets folder (assets/lm), found from this file's location. */
export function assetsDir(): string {
  return assetPath('lm');
}

/** Folder of the shipped model (assets/lm/model). */
export function shippedModelDir(): string {
  return resolve(assetsDir(), 'model');
}

/** A loaded model: config and parameters (caller disposes with `disposeParams`). */
export interface LoadedLm {
  config: TinyLmConfig;
  params: TinyLmParams;
  dir: string;
}

/** Reads config.json and validates it (InputError naming the file otherwise). */
export function readLmConfig(dir: string): TinyLmConfig {
  const file = join(dir, MODEL_CONFIG);
  if (!existsSync(file)) throw new InputError(`${dir}: not a tiny-LM folder (missing ${MODEL_CONFIG})`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file}: invalid JSON (${(err as Error).message})`, { cause: err });
  }
  if (raw.architecture !== 'modelmath-tiny-lm') {
    throw new InputError(`${file}: architecture must be "modelmath-tiny-lm", got ${JSON.stringify(raw.architecture)}`);
  }
  const config = { ...TINY_LM_DEFAULTS };
  for (const k of Object.keys(TINY_LM_DEFAULTS) as (keyof TinyLmConfig)[]) {
    if (raw[k] !== undefined) (config as Record<string, unknown>)[k] = raw[k];
  }
  try {
    return validateTinyLmConfig(config);
  } catch (err) {
    throw new InputError(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Loads a model folder (and, if given, a PEFT adapter folder onto it). */
export function loadTinyLm(dir: string, adapterDir?: string): LoadedLm {
  const config = readLmConfig(dir);
  const params = tinyLmInit(new Rng(0), config);
  loadParams(join(dir, MODEL_WEIGHTS), params);
  if (adapterDir) attachLoraAdapter(params, loadLoraAdapter(adapterDir));
  return { config, params, dir };
}

/** Extra files of a model folder. */
export interface ModelFolderExtras {
  /** training-log.json content (metrics history, settings, timings). */
  log?: Record<string, unknown>;
  /** README.md model card. */
  card?: string;
}

/** Writes a model folder atomically. */
export async function saveTinyLm(
  dir: string,
  params: TinyLmParams,
  config: TinyLmConfig,
  extras: ModelFolderExtras = {},
): Promise<void> {
  await writeDirAtomic(dir, (tmp) => {
    saveParams(join(tmp, MODEL_WEIGHTS), params, { format: 'pt', architecture: 'modelmath-tiny-lm' });
    writeJsonAtomic(join(tmp, MODEL_CONFIG), { architecture: 'modelmath-tiny-lm', tokenizer: 'bytes', ...config });
    if (extras.log) writeJsonAtomic(join(tmp, TRAINING_LOG), extras.log);
    if (extras.card) writeFileAtomic(join(tmp, 'README.md'), extras.card);
  });
}
