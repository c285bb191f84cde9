/**
 * Opens a model folder from any file source (core/model-files.ts: a folder on disk in Node, a
 * picked or served folder in the browser): the diffusers/Optimum ONNX layout (model_index.json,
 * scheduler/, tokenizer/, text_encoder/, unet/, vae_encoder/, vae_decoder/, each graph as
 * model.onnx with its config.json) or the onnxruntime-web demo's (graphs + tokenizer, SD-Turbo's
 * values). Sessions come from the caller's runtime (onnxruntime-node or -web): no Node API here.
 */
import { ClipTokenizer } from '../core/clip-tokenizer.js';
import { InputError } from '../core/errors.js';
import { joinPath, type ModelFiles } from '../core/model-files.js';
import type { OnnxSession } from '../core/onnx-session.js';
import { type ConfigTexts, listedComponents, resolveConfig } from './config.js';
import { DiffusersPipeline, type PipelineLayout } from './pipeline.js';

/** `<name>/model.onnx`, else the only .onnx file in `<name>/`; null when absent. */
export async function findComponent(files: ModelFiles, name: string): Promise<string | null> {
  const standard = joinPath(name, 'model.onnx');
  if (await files.exists(standard)) return standard;
  const onnx = (await files.list(name)).filter((f) => f.endsWith('.onnx'));
  return onnx.length === 1 ? joinPath(name, onnx[0]) : null;
}

/** The config files read, relative to the folder; `component` ones must exist when model_index.json lists it. */
const CONFIG_FILES = {
  scheduler: { path: 'scheduler/scheduler_config.json', component: 'scheduler' },
  vae: { path: 'vae_decoder/config.json', component: 'vae_decoder' },
  unet: { path: 'unet/config.json', component: null },
} as const;

/** Reads the config texts: with model_index.json, a config of a listed component must exist. */
async function readConfigTexts(files: ModelFiles): Promise<{ layout: PipelineLayout; texts: ConfigTexts }> {
  const index = 'model_index.json';
  if (!(await files.exists(index))) return { layout: 'ort-web', texts: {} };
  const listed = listedComponents(files.label(index), await files.text(index));
  const texts: ConfigTexts = {};
  for (const [key, { path, component }] of Object.entries(CONFIG_FILES)) {
    if (await files.exists(path))
      texts[key as keyof ConfigTexts] = { file: files.label(path), text: await files.text(path) };
    else if (component && listed.includes(component)) {
      throw new InputError(
        `${files.label(path)} not found (${files.label(index)} lists "${component}"; its config is required)`,
      );
    }
  }
  return { layout: 'diffusers', texts };
}

/**
 * Unets below this size run on one intra-op thread unless the caller says otherwise: for the toy's
 * 2 MB graph, thread hand-offs cost more than they save (docs/decisions.md, "ONNX session options").
 */
export const SMALL_GRAPH_BYTES = 64 * 2 ** 20;

/** Makes one session from a graph file of the folder, with the intra-op threads chosen for it. */
export type SessionOpener = (files: ModelFiles, path: string, threads: number) => Promise<OnnxSession>;

/** Opens a folder: configs, tokenizer and the four sessions, once (sessions made so far are released on failure). */
export async function openPipeline(
  files: ModelFiles,
  openSession: SessionOpener,
  options: { threads?: number } = {},
): Promise<DiffusersPipeline> {
  const need = async (name: string) => {
    const p = await findComponent(files, name);
    if (!p)
      throw new InputError(
        `${files.root} has no ${name}/model.onnx (expected the diffusers/Optimum ONNX layout, or the onnxruntime-web demo's)`,
      );
    return p;
  };
  const paths = { text: await need('text_encoder'), unet: await need('unet'), dec: await need('vae_decoder') };
  const { layout, texts } = await readConfigTexts(files);
  const config = resolveConfig(texts);
  // A word the vocabulary lacks is an error, not a silent unk (CLIP's byte-level vocabulary lacks none).
  // Its length (model_max_length) comes from tokenizer/tokenizer_config.json, read by the tokenizer.
  const tokenizer = await ClipTokenizer.fromFiles(files, 'tokenizer', { unknown: 'error' });
  const threads = options.threads ?? ((await files.size(paths.unet)) < SMALL_GRAPH_BYTES ? 1 : 0);
  const loaded: OnnxSession[] = [];
  const open = async (p: string) => {
    const m = await openSession(files, p, threads);
    loaded.push(m);
    return m;
  };
  try {
    const encPath = await findComponent(files, 'vae_encoder');
    const sessions = {
      textEncoder: await open(paths.text),
      unet: await open(paths.unet),
      vaeDecoder: await open(paths.dec),
      vaeEncoder: encPath ? await open(encPath) : null,
    };
    return new DiffusersPipeline(files.root, layout, config, sessions, tokenizer);
  } catch (err) {
    await Promise.all(loaded.map((m) => m.dispose()));
    throw err;
  }
}
