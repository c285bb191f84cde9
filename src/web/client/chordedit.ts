/**
 * The ChordEdit page, computed in the browser: the shipped toy model (served with the site as a
 * diffusers-layout ONNX folder) or a folder the user picks (e.g. an SD-Turbo export) opened by the
 * pipeline's shared loader on onnxruntime-web (WebGPU when the browser has it, else wasm); toy-world
 * scenes with their ground truth, uploads, every method and knob, and the diagnostics.
 */

import ortWebGpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { CHORD_DEFAULTS, ChordEditor, EDIT_METHODS, type EditMethod } from '../../chordedit/index.js';
import type { Image } from '../../core/image-data.js';
import type { ModelFiles } from '../../core/model-files.js';
import { hasWebGpu, loadWebSession, type WebDevice } from '../../core/onnx-web.js';
import { type DiffusersPipeline, openPipeline } from '../../pipeline/index.js';
import { EDIT_TYPES, type EditType, type RenderedEdit } from '../../toyworld/world/index.js';
import { pickScene, truthMetrics } from '../lab-edit.js';
import { fetchBytes, pickedFolder, servedFolder } from './files.js';
import { decodeFile, drawImage, quantize, resize } from './images.js';
import { $, fillSelect, fmt, message, num, row, showError, slider, status } from './ui.js';

const SLIDERS = ['t', 'delta', 'lambda', 'tc', 'noiseSamples', 'steps'] as const;
const setStatus = () => status('edit-status');
let say: ReturnType<typeof status>;
let model: { name: string; pipeline: DiffusersPipeline } | null = null;
let loading: Promise<void> | null = null;
let scene: RenderedEdit | null = null;
let upload: Image | null = null;
let busy = false;
let queued = false;

/** The device this page uses: WebGPU when the browser has it and the user did not pick wasm. */
async function device(): Promise<WebDevice> {
  const choice = $<HTMLSelectElement>('edit-device').value;
  return choice === 'webgpu' || (choice === 'auto' && (await hasWebGpu())) ? 'webgpu' : 'wasm';
}

/** Opens a model folder: the runtime binary (with progress), then configs, tokenizer and graphs. */
async function openModel(name: string, files: ModelFiles): Promise<void> {
  const dev = await device();
  say(`loading the ONNX runtime (${dev})…`, 0);
  const url = dev === 'webgpu' ? ortWebGpuWasmUrl : ortWasmUrl;
  const wasm = await fetchBytes(url, (r, t) => say(`loading the ONNX runtime (${dev})…`, t ? r / t : null));
  const wasmBinary = wasm.buffer as ArrayBuffer;
  say(`loading model ${name}…`, null);
  const pipeline = await openPipeline(files, async (f, path, threads) => {
    say(`loading ${f.label(path)}…`, null);
    const data = `${path}_data`;
    const external = (await f.exists(data))
      ? [{ path: data.split('/').pop() as string, data: await f.bytes(data) }]
      : [];
    return loadWebSession(f.label(path), await f.bytes(path), { device: dev, threads, wasmBinary }, external);
  });
  await model?.pipeline.dispose();
  model = { name, pipeline };
  $('model-name').textContent = `edit model: ${name} (onnxruntime-web, ${dev})`;
  say(`model ${name} ready`, null);
}

function settings(): Record<string, number | boolean> {
  const config: Record<string, number | boolean> = Object.fromEntries(SLIDERS.map((k) => [k, num(k)]));
  config.refine = $<HTMLInputElement>('refine').checked;
  return config;
}

function show(id: string, image: Image): void {
  const canvas = document.createElement('canvas');
  drawImage(canvas, image);
  $<HTMLImageElement>(id).src = canvas.toDataURL('image/png');
}

/** Runs one edit with the current settings (a change during an edit runs once more afterwards). */
async function runEdit(): Promise<void> {
  if (busy) {
    queued = true;
    return;
  }
  busy = true;
  showError($('edit-error'), '');
  try {
    await loading;
    if (!model) throw new Error('no model is loaded');
    const input = $<HTMLInputElement>('kind-upload').checked ? upload : scene ? quantize(scene.sourceImage) : null;
    if (!input) throw new Error('Choose an image file to upload first.');
    const { pipeline } = model;
    const size = pipeline.imageSizeFor(input.height, input.width);
    const image = resize(input, size.height, size.width);
    const method = $<HTMLSelectElement>('method').value as EditMethod;
    say(`editing (${method})…`, null);
    const m0 = pipeline.modelMs();
    const t0 = performance.now();
    const result = await new ChordEditor(pipeline.parts(size.height, size.width)).edit({
      image,
      source: $<HTMLInputElement>('source').value,
      target: $<HTMLInputElement>('target').value,
      method,
      config: settings(),
      seed: num('edit-seed'),
    });
    const timeMs = performance.now() - t0;
    const edited = result.image as Image;
    show('img-source', image);
    show('img-result', edited);
    const d = result.diagnostics;
    const metrics = scene && !$<HTMLInputElement>('kind-upload').checked ? truthMetrics(scene, edited) : null;
    const energy = d.steps.length
      ? d.steps.map((s) => `${fmt(s.energyU)} (s=${fmt(s.t, 3)})`).join(', ')
      : 'n/a (no chord step)';
    $<HTMLTableElement>('edit-diagnostics').tBodies[0].replaceChildren(
      row('method', d.method),
      row('NFE', String(d.nfe)),
      row('model calls', String(d.modelCalls)),
      row('time (ms)', fmt(timeMs, 3)),
      row('time in the model graphs (ms)', fmt(pipeline.modelMs() - m0, 3)),
      row('chord-field energy mean(u²)', energy),
      row('PSNR to ground truth (dB)', fmt(metrics?.psnrToTruth)),
      row('background PSNR (dB)', fmt(metrics?.backgroundPsnr)),
      row(
        'edited at (pixels)',
        `${size.width} x ${size.height}${input.width !== size.width || input.height !== size.height ? ` (resized from ${input.width} x ${input.height})` : ''}`,
      ),
      ...d.adjustments.map((a) => row('note', a)),
    );
    say(`done (${d.method}, ${fmt(timeMs, 3)} ms)`, null);
  } catch (err) {
    say('failed', null);
    showError($('edit-error'), message(err));
  } finally {
    busy = false;
  }
  if (queued) {
    queued = false;
    await runEdit();
  }
}

/** Shows the toy-world pick of (seed, edit type) with its ground truth, then edits it. */
async function loadScene(): Promise<void> {
  $<HTMLInputElement>('kind-scene').checked = true;
  scene = pickScene(num('scene-seed'), $<HTMLSelectElement>('scene-type').value as EditType);
  $<HTMLInputElement>('source').value = scene.sourceCaption;
  $<HTMLInputElement>('target').value = scene.targetCaption;
  show('img-source', quantize(scene.sourceImage));
  show('img-truth', quantize(scene.targetImage));
  $('fig-truth').hidden = false;
  $('img-result').removeAttribute('src');
  await runEdit();
}

async function chooseUpload(): Promise<void> {
  const file = $<HTMLInputElement>('upload').files?.[0];
  if (!file) return;
  $<HTMLInputElement>('kind-upload').checked = true;
  $('fig-truth').hidden = true;
  try {
    upload = await decodeFile(file, 'the uploaded file');
  } catch (err) {
    upload = null;
    say('failed', null);
    showError($('edit-error'), message(err));
    return;
  }
  await runEdit();
}

/** Opens the folder the user picked, then edits with it. */
async function chooseFolder(): Promise<void> {
  const list = $<HTMLInputElement>('model-folder').files;
  if (!list?.length) return;
  showError($('edit-error'), '');
  loading = openModel(list[0].webkitRelativePath.split('/')[0] || 'your folder', pickedFolder(list)).catch((err) => {
    say('failed', null);
    showError($('edit-error'), `the model folder could not be opened: ${message(err)}`);
  });
  await loading;
  if (model) await runEdit();
}

function loadToy(): Promise<void> {
  const base = new URL('./models/toy/', document.baseURI).href;
  loading = servedFolder(base, 'toy', (path, r, t) => say(`loading toy/${path}…`, t ? r / t : null))
    .then((files) => openModel('toy', files))
    .catch((err) => {
      say('failed', null);
      showError($('edit-error'), `the toy model could not be loaded: ${message(err)}`);
    });
  return loading;
}

export async function initChordEdit(): Promise<void> {
  say = setStatus();
  fillSelect($<HTMLSelectElement>('scene-type'), EDIT_TYPES);
  fillSelect($<HTMLSelectElement>('method'), EDIT_METHODS);
  $('webgpu-state').textContent = (await hasWebGpu())
    ? 'this browser has WebGPU'
    : 'this browser has no WebGPU adapter: models run on wasm (CPU)';
  const defaults = CHORD_DEFAULTS as unknown as Record<string, number | boolean>;
  for (const k of SLIDERS) {
    $<HTMLInputElement>(k).value = String(defaults[k]);
    slider(k, () => void runEdit());
  }
  $<HTMLInputElement>('refine').checked = Boolean(defaults.refine);
  for (const id of ['refine', 'method', 'edit-seed']) $(id).addEventListener('change', () => void runEdit());
  $('scene-type').addEventListener('change', () => void loadScene());
  $('scene-seed').addEventListener('change', () => void loadScene());
  $('scene-new').addEventListener('click', () => {
    $<HTMLInputElement>('scene-seed').value = String(num('scene-seed') + 1);
    void loadScene();
  });
  $('upload').addEventListener('change', () => void chooseUpload());
  $('model-folder').addEventListener('change', () => void chooseFolder());
  $('model-toy').addEventListener('click', () => void loadToy().then(() => runEdit()));
  $('edit-device').addEventListener('change', () => void loadToy().then(() => runEdit()));
  $('edit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void runEdit();
  });
  void loadToy();
  await loadScene();
}
