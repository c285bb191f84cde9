/**
 * Writes an SD-Turbo-SHAPED model folder: the four graphs with SD-Turbo's input/output names,
 * dtypes and layouts, but cheap closed-form ops, a tiny CLIP tokenizer and (by default) the
 * diffusers/Optimum configs with SD-Turbo's values (model_index.json, scheduler, vae). Closed forms:
 * text: h[b, j, d] = id_j (d + 1) / 1024; unet: eps = 0.5 z + mean(h) + 0.001 t;
 * vae_encoder: per-channel 8 x 8 patch means (channel k from RGB channel k mod 3);
 * vae_decoder: nearest 8x upsampling of latent channels 0..2.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToUnicode } from '../src/core/clip-tokenizer.js';
import { buildModel, type OnnxDType as DType, type NodeSpec } from '../src/core/onnx-graph.js';

export interface FixtureOptions {
  /** I/O dtype of the float tensors. Default 'float32'. */
  dtype?: 'float32' | 'float16';
  /** Text hidden size D. Default 8 (SD-Turbo: 1024). */
  textDim?: number;
  /** vae_encoder output: 'latent_sample' (4 channels) or 'latent_parameters' (8). Default 'latent_parameters'. */
  encoderOutput?: 'latent_sample' | 'latent_parameters';
  /** Channels of the vae_encoder output (to build a wrong one). Default 4 or 8 by encoderOutput. */
  encoderChannels?: number;
  /** Channels of the unet's sample (to build a wrong one). Default 4. */
  unetChannels?: number;
  /** Batch dimensions fixed at 1 (as the onnxruntime-web demo's graphs). Default false (symbolic). */
  fixedBatch?: boolean;
  /** input_ids dtype. Default 'int32'. */
  idsDtype?: 'int32' | 'int64';
  /** Name of the unet's text input (to build a wrong one). Default 'encoder_hidden_states'. */
  unetTextInput?: string;
  /** Write vae_encoder/ (false = the onnxruntime-web demo layout). Default true. */
  withEncoder?: boolean;
  /** Fixed latent height and width of the unet (0 = symbolic). Default 0. */
  latentSize?: number;
  /** Write model_index.json and the configs of an Optimum export (false = graphs and tokenizer only). Default true. */
  withConfigs?: boolean;
}

/** SD-Turbo's scheduler and VAE configs (the fields the pipeline reads; stabilityai/sd-turbo). */
export const SD_TURBO_SCHEDULER = {
  _class_name: 'EulerDiscreteScheduler',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  steps_offset: 1,
  timestep_spacing: 'trailing',
};
export const SD_TURBO_VAE = {
  _class_name: 'AutoencoderKL',
  block_out_channels: [128, 256, 512, 512],
  latent_channels: 4,
  scaling_factor: 0.18215,
};

function writeConfigs(dir: string, withEncoder: boolean): void {
  const onnx = ['diffusers', 'OnnxRuntimeModel'];
  const files: Record<string, unknown> = {
    'model_index.json': {
      _class_name: 'ORTStableDiffusionPipeline',
      scheduler: ['diffusers', 'EulerDiscreteScheduler'],
      text_encoder: onnx,
      tokenizer: ['transformers', 'CLIPTokenizer'],
      unet: onnx,
      vae_decoder: onnx,
      vae_encoder: withEncoder ? onnx : [null, null],
    },
    'scheduler/scheduler_config.json': SD_TURBO_SCHEDULER,
    'vae_decoder/config.json': SD_TURBO_VAE,
    ...(withEncoder ? { 'vae_encoder/config.json': SD_TURBO_VAE } : {}),
  };
  for (const [name, value] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), JSON.stringify(value, null, 2));
  }
}

const f32 = (n: number) => ({ name: `c${n}`, dtype: 'float32' as DType, dims: [] as number[], values: [n] });

/** Wraps a fp32 body with Casts so that its float inputs/outputs have `dtype`. */
function io(dtype: 'float32' | 'float16', name: string, direction: 'in' | 'out'): { node?: NodeSpec; inner: string } {
  if (dtype === 'float32') return { inner: name };
  const inner = `${name}_${direction === 'in' ? 'f32' : 'f16src'}`;
  const node: NodeSpec =
    direction === 'in'
      ? { op: 'Cast', inputs: [name], outputs: [inner], attrs: { to: { i: 1 } } }
      : { op: 'Cast', inputs: [inner], outputs: [name], attrs: { to: { i: 10 } } };
  return { node, inner };
}

function textEncoder(o: Required<FixtureOptions>): Uint8Array {
  const b = o.fixedBatch ? 1 : 'batch_size';
  const out = io(o.dtype, 'last_hidden_state', 'out');
  const w = Array.from({ length: o.textDim }, (_, d) => (d + 1) / 1024);
  return buildModel({
    inputs: [{ name: 'input_ids', dtype: o.idsDtype, shape: [b, 77] }],
    outputs: [{ name: 'last_hidden_state', dtype: o.dtype, shape: [b, 77, o.textDim] }],
    initializers: [
      { name: 'axis2', dtype: 'int64', dims: [1], values: [2] },
      { name: 'w', dtype: 'float32', dims: [1, 1, o.textDim], values: w },
    ],
    nodes: [
      { op: 'Cast', inputs: ['input_ids'], outputs: ['idsf'], attrs: { to: { i: 1 } } },
      { op: 'Unsqueeze', inputs: ['idsf', 'axis2'], outputs: ['ids3'] },
      { op: 'Mul', inputs: ['ids3', 'w'], outputs: [out.inner] },
      ...(out.node ? [out.node] : []),
    ],
  });
}

function unet(o: Required<FixtureOptions>): Uint8Array {
  const b = o.fixedBatch ? 1 : 'batch_size';
  const sample = io(o.dtype, 'sample', 'in');
  const ehs = io(o.dtype, o.unetTextInput, 'in');
  const out = io(o.dtype, 'out_sample', 'out');
  const hw = o.latentSize > 0 ? [o.latentSize, o.latentSize] : ['height', 'width'];
  return buildModel({
    inputs: [
      { name: 'sample', dtype: o.dtype, shape: [b, o.unetChannels, ...hw] },
      { name: 'timestep', dtype: 'int64', shape: o.fixedBatch ? [1] : ['steps'] },
      { name: o.unetTextInput, dtype: o.dtype, shape: [b, 77, o.textDim] },
    ],
    outputs: [{ name: 'out_sample', dtype: o.dtype, shape: [b, o.unetChannels, ...hw] }],
    initializers: [
      f32(0.5),
      f32(0.001),
      { name: 'axis3', dtype: 'int64', dims: [1], values: [3] },
      { name: 'shape4', dtype: 'int64', dims: [4], values: [-1, 1, 1, 1] },
    ],
    nodes: [
      ...[sample.node, ehs.node].filter((n): n is NodeSpec => n !== undefined),
      { op: 'ReduceMean', inputs: [ehs.inner], outputs: ['m3'], attrs: { axes: { ints: [1, 2] }, keepdims: { i: 1 } } },
      { op: 'Unsqueeze', inputs: ['m3', 'axis3'], outputs: ['m4'] },
      { op: 'Cast', inputs: ['timestep'], outputs: ['tf'], attrs: { to: { i: 1 } } },
      { op: 'Reshape', inputs: ['tf', 'shape4'], outputs: ['t4'] },
      { op: 'Mul', inputs: ['t4', 'c0.001'], outputs: ['ts'] },
      { op: 'Mul', inputs: [sample.inner, 'c0.5'], outputs: ['half'] },
      { op: 'Add', inputs: ['half', 'm4'], outputs: ['a1'] },
      { op: 'Add', inputs: ['a1', 'ts'], outputs: [out.inner] },
      ...(out.node ? [out.node] : []),
    ],
  });
}

function vaeEncoder(o: Required<FixtureOptions>): Uint8Array {
  const b = o.fixedBatch ? 1 : 'batch_size';
  const c = o.encoderChannels;
  const sample = io(o.dtype, 'sample', 'in');
  const out = io(o.dtype, o.encoderOutput, 'out');
  const w = new Float32Array(c * 3 * 64);
  for (let k = 0; k < c; k++) w.fill(k < 4 ? 1 / 64 : -1 / 64, (k * 3 + (k % 3)) * 64, (k * 3 + (k % 3) + 1) * 64);
  return buildModel({
    inputs: [{ name: 'sample', dtype: o.dtype, shape: [b, 3, 'height', 'width'] }],
    outputs: [{ name: o.encoderOutput, dtype: o.dtype, shape: [b, c, 'height_latent', 'width_latent'] }],
    initializers: [{ name: 'w', dtype: 'float32', dims: [c, 3, 8, 8], values: w }],
    nodes: [
      ...(sample.node ? [sample.node] : []),
      {
        op: 'Conv',
        inputs: [sample.inner, 'w'],
        outputs: [out.inner],
        attrs: { strides: { ints: [8, 8] }, kernel_shape: { ints: [8, 8] } },
      },
      ...(out.node ? [out.node] : []),
    ],
  });
}

function vaeDecoder(o: Required<FixtureOptions>): Uint8Array {
  const b = o.fixedBatch ? 1 : 'batch_size';
  const latent = io(o.dtype, 'latent_sample', 'in');
  const out = io(o.dtype, 'sample', 'out');
  const w = new Float32Array(4 * 3 * 64);
  for (let c = 0; c < 3; c++) w.fill(1, (c * 3 + c) * 64, (c * 3 + c + 1) * 64);
  return buildModel({
    inputs: [{ name: 'latent_sample', dtype: o.dtype, shape: [b, 4, 'height_latent', 'width_latent'] }],
    outputs: [{ name: 'sample', dtype: o.dtype, shape: [b, 3, 'height', 'width'] }],
    initializers: [{ name: 'w', dtype: 'float32', dims: [4, 3, 8, 8], values: w }],
    nodes: [
      ...(latent.node ? [latent.node] : []),
      {
        op: 'ConvTranspose',
        inputs: [latent.inner, 'w'],
        outputs: [out.inner],
        attrs: { strides: { ints: [8, 8] }, kernel_shape: { ints: [8, 8] } },
      },
      ...(out.node ? [out.node] : []),
    ],
  });
}

/** Tiny CLIP tokenizer files: the 512 byte symbols, a few merges, BOS 49406 / EOS 49407, pad "!" (id 0). */
export const TINY_MERGES: [string, string][] = [
  ['c', 'a'],
  ['ca', 't</w>'],
  ['d', 'o'],
  ['do', 'g</w>'],
  ['o', 'n</w>'],
];

export function tinyVocab(): Record<string, number> {
  // CLIP's order: the byte symbols sorted by code point ("!" = 0), then the same with </w>
  const chars = bytesToUnicode().sort((a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0));
  const vocab: Record<string, number> = {};
  chars.forEach((ch, i) => {
    vocab[ch] = i;
    vocab[`${ch}</w>`] = 256 + i;
  });
  TINY_MERGES.forEach(([a, b], i) => {
    vocab[a + b] = 512 + i;
  });
  vocab['<|startoftext|>'] = 49406;
  vocab['<|endoftext|>'] = 49407;
  return vocab;
}

export function writeTokenizer(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(tinyVocab()));
  writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${TINY_MERGES.map((m) => m.join(' ')).join('\n')}\n`);
  writeFileSync(join(dir, 'special_tokens_map.json'), JSON.stringify({ pad_token: '!' }));
}

/** Writes the folder and returns its path. */
export function writeSdTurboFixture(dir: string, options: FixtureOptions = {}): string {
  const encoderOutput = options.encoderOutput ?? 'latent_parameters';
  const o: Required<FixtureOptions> = {
    dtype: 'float32',
    textDim: 8,
    encoderOutput,
    encoderChannels: encoderOutput === 'latent_parameters' ? 8 : 4,
    unetChannels: 4,
    fixedBatch: false,
    idsDtype: 'int32',
    unetTextInput: 'encoder_hidden_states',
    withEncoder: true,
    latentSize: 0,
    withConfigs: true,
    ...options,
  };
  const graphs: [string, Uint8Array][] = [
    ['text_encoder', textEncoder(o)],
    ['unet', unet(o)],
    ['vae_decoder', vaeDecoder(o)],
  ];
  if (o.withEncoder) graphs.push(['vae_encoder', vaeEncoder(o)]);
  for (const [name, bytes] of graphs) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'model.onnx'), bytes);
  }
  writeTokenizer(join(dir, 'tokenizer'));
  if (o.withConfigs) writeConfigs(dir, o.withEncoder);
  return dir;
}
