/**
 * Opens a model folder on disk: the diffusers/Optimum ONNX layout (model_index.json, scheduler/,
 * tokenizer/, text_encoder/, unet/, vae_encoder/, vae_decoder/, each graph as model.onnx with its
 * config.json) or the onnxruntime-web demo's (graphs + tokenizer, SD-Turbo's values). Names the
 * shipped models (`toy` = assets/toy/onnx). The one place where model folders are loaded; the
 * Node side of ./pipeline.ts (a browser build would swap this file for one that fetches).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClipTokenizer } from '../core/clip-tokenizer.js';
import { InputError } from '../core/errors.js';
import { OnnxModel, type OnnxOptions } from '../core/onnx.js';
import { type ConfigTexts, listedComponents, resolveConfig } from './config.js';
import { DiffusersPipeline, type PipelineLayout } from './pipeline.js';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets');

/** Models shipped in assets/, by the name `--model` accepts. */
export const SHIPPED_MODELS: Readonly<Record<string, string>> = Object.freeze({
  /** The toy text-to-image model (made by `modelmath toy export-onnx`). */
  toy: join(ASSETS, 'toy', 'onnx'),
});

/** A model name (`toy`) or a folder path -> the folder. */
export function resolveModelDir(spec: string): string {
  return SHIPPED_MODELS[spec] ?? resolve(spec);
}

/** `dir/<name>/model.onnx`, else the only .onnx file in `dir/<name>`; null when absent. */
export function findComponent(dir: string, name: string): string | null {
  const folder = join(dir, name);
  const standard = join(folder, 'model.onnx');
  if (existsSync(standard)) return standard;
  if (!existsSync(folder)) return null;
  const onnx = readdirSync(folder).filter((f) => f.endsWith('.onnx'));
  return onnx.length === 1 ? join(folder, onnx[0]) : null;
}

/** The config files read, relative to the folder; `required` ones must exist when model_index.json does. */
const CONFIG_FILES = {
  scheduler: { path: 'scheduler/scheduler_config.json', component: 'scheduler' },
  vae: { path: 'vae_decoder/config.json', component: 'vae_decoder' },
  unet: { path: 'unet/config.json', component: null },
  tokenizer: { path: 'tokenizer/tokenizer_config.json', component: null },
} as const;

/** Reads the config texts: with model_index.json, a config of a listed component must exist. */
function readConfigTexts(dir: string): { layout: PipelineLayout; texts: ConfigTexts } {
  const indexPath = join(dir, 'model_index.json');
  if (!existsSync(indexPath)) return { layout: 'ort-web', texts: {} };
  const listed = listedComponents(indexPath, readFileSync(indexPath, 'utf8'));
  const texts: ConfigTexts = {};
  for (const [key, { path, component }] of Object.entries(CONFIG_FILES)) {
    const file = join(dir, path);
    if (existsSync(file)) texts[key as keyof ConfigTexts] = { file, text: readFileSync(file, 'utf8') };
    else if (component && listed.includes(component)) {
      throw new InputError(`${file} not found (${indexPath} lists "${component}"; its config is required)`);
    }
  }
  return { layout: 'diffusers', texts };
}

/**
 * Unets below this size run on one intra-op thread unless the caller says otherwise: for the toy's
 * 2 MB graph, thread hand-offs cost more than they save (docs/decisions.md, "ONNX session options").
 */
export const SMALL_GRAPH_BYTES = 64 * 2 ** 20;

/** Loads a model folder (or a shipped model by name): configs, tokenizer and the four sessions, once. */
export async function loadPipeline(spec: string, options: OnnxOptions = {}): Promise<DiffusersPipeline> {
  const dir = resolveModelDir(spec);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`model folder not found: ${dir}`);
  const need = (name: string) => {
    const p = findComponent(dir, name);
    if (!p)
      throw new InputError(
        `${dir} has no ${name}/model.onnx (expected the diffusers/Optimum ONNX layout, or the onnxruntime-web demo's)`,
      );
    return p;
  };
  const paths = { text: need('text_encoder'), unet: need('unet'), dec: need('vae_decoder') };
  const { layout, texts } = readConfigTexts(dir);
  const config = resolveConfig(texts);
  // A word the vocabulary lacks is an error, not a silent unk (CLIP's byte-level vocabulary lacks none).
  const tokenizer = ClipTokenizer.fromDirectory(join(dir, 'tokenizer'), {
    maxLength: config.tokenizer.maxLength,
    unknown: 'error',
  });
  const threads = options.threads ?? (statSync(paths.unet).size < SMALL_GRAPH_BYTES ? 1 : 0);
  const loaded: OnnxModel[] = [];
  const open = async (p: string) => {
    const m = await OnnxModel.load(p, { ...options, threads });
    loaded.push(m);
    return m;
  };
  try {
    const encPath = findComponent(dir, 'vae_encoder');
    const sessions = {
      textEncoder: await open(paths.text),
      unet: await open(paths.unet),
      vaeDecoder: await open(paths.dec),
      vaeEncoder: encPath ? await open(encPath) : null,
    };
    return new DiffusersPipeline(dir, layout, config, sessions, tokenizer);
  } catch (err) {
    await Promise.all(loaded.map((m) => m.dispose()));
    throw err;
  }
}
