/**
 * Exports the trained toy model as a diffusers/Optimum-layout ONNX folder (opset 17): a CLIP-format
 * tokenizer (./tokenizer.ts); text_encoder = the word + segment features of text.ts computed from
 * input_ids (segment ids from the caption grammar: phrase = count of "and" before a word, cell from
 * its top/bottom/left/right words); unet = model.ts's forward pass with x0 output (prediction_type
 * "sample"); vae_encoder/vae_decoder = the identity (the toy model denoises pixels; scaling_factor 1).
 * Equality with the engine: test/toyworld/export.test.ts.
 */
import { OnnxGraphBuilder, writeModelFiles } from '../../core/onnx-graph.js';
import { writeDirAtomic } from '../../core/outputs.js';
import { attentionOnnx, layerNormOnnx, linearOnnx, mlpOnnx, weight } from '../../nn/onnx.js';
import { CELLS, IMAGE_SIZE, MAX_TOKENS, SEGMENTS, VOCAB } from '../world/index.js';
import type { ToyModelConfig } from './config.js';
import { loadToyModel, TOY_SCHEDULER_CONFIG } from './denoiser.js';
import {
  patchGeometry,
  segmentPatchMap,
  sequenceRopeTables,
  TIME_FEATURES,
  type ToyModelParams,
  timeFeatures,
} from './model.js';
import { TOKEN_FEATURES } from './text.js';
import { clipToToyIds, TOY_TOKENIZER_LENGTH, toyTokenizerFiles } from './tokenizer.js';

export interface ToyExportOptions {
  /** Fix every batch dimension at 1 (as some exports do); default false (symbolic "batch_size"). */
  fixedBatch?: boolean;
}

const TRAIN_STEPS = TOY_SCHEDULER_CONFIG.num_train_timesteps;
const wordId = (w: string) => VOCAB.indexOf(w);

/** 1.0 where the int64 ids equal `id`, else 0.0 (float). */
function isWord(g: OnnxGraphBuilder, ids: string, word: string): string {
  return g.op('Cast', [g.op('Equal', [ids, g.int64(`id_${word}`, [wordId(word)], [])])], { to: { i: 1 } });
}

/**
 * input_ids [B, 2 + T] -> last_hidden_state [B, T, V + SEGMENTS]: one-hot word ids, then the one-hot
 * segment id of each word (text.ts, caption.ts `segmentIds`): 0 outside object phrases, else 1 + cell.
 */
export function toyTextEncoderGraph(vocab: Record<string, number>, o: ToyExportOptions = {}): Uint8Array {
  const g = new OnnxGraphBuilder();
  const b = o.fixedBatch ? 1 : 'batch_size';
  const inputIds = g.input('input_ids', 'int64', [b, TOY_TOKENIZER_LENGTH]);
  const table = g.initializer('clip_to_toy', 'int64', [Object.keys(vocab).length], clipToToyIds(vocab));
  const all = g.op('Gather', [table, inputIds], { axis: { i: 0 } }); // [B, 2 + T]
  const ids = g.op('Slice', [all, g.int64('start', [1]), g.int64('end', [1 + MAX_TOKENS]), g.int64('axis1', [1])]);
  const one = g.scalar('one', 1);
  const not = (v: string) => g.op('Sub', [one, v]);
  const axis1 = g.int64('cum_axis', [1], []);
  const [on, and, pad] = ['on', 'and', '<pad>'].map((w) => isWord(g, ids, w));
  const afterOn = g.op('Cast', [g.op('Greater', [g.op('CumSum', [on, axis1]), g.scalar('zero', 0)])], { to: { i: 1 } });
  const phrase = g.op('CumSum', [and, axis1]); // [B, T]: object phrase index (words after the k-th "and")
  const inPhrase = g.op('Mul', [g.op('Mul', [not(afterOn), not(and)]), not(pad)]);
  const col = (v: string) => g.op('Unsqueeze', [v, g.int64('ax2', [2])]); // [B, T, 1]
  const row = (v: string) => g.op('Unsqueeze', [v, g.int64('ax1', [1])]); // [B, 1, T]
  const samePhrase = g.op('Cast', [g.op('Equal', [col(phrase), row(phrase)])], { to: { i: 1 } });
  const same = g.op('Mul', [g.op('Mul', [samePhrase, col(inPhrase)]), row(inPhrase)]); // [B, T, T]
  const offset = (minus: string, plus: string) => {
    const signed = g.op('Sub', [isWord(g, ids, plus), isWord(g, ids, minus)]);
    return g.op('Squeeze', [g.op('MatMul', [same, col(signed)]), g.int64('ax2', [2])]); // [B, T]: -1, 0 or 1
  };
  // cell = 3 (1 + row offset) + (1 + column offset), CELLS row-major from the top left
  const cell = g.op('Add', [
    g.op('Mul', [g.op('Add', [offset('top', 'bottom'), one]), g.scalar('three', 3)]),
    g.op('Add', [offset('left', 'right'), one]),
  ]);
  const segment = g.op('Mul', [inPhrase, g.op('Add', [cell, one])]); // [B, T]
  const oneHot = (v: string, n: number, dtype: 'int64' | 'float32') => {
    const range =
      dtype === 'int64' ? g.int64(`range${n}`, [...Array(n).keys()]) : g.tensor(`range${n}`, [n], [...Array(n).keys()]);
    return g.op('Cast', [g.op('Equal', [col(v), range])], { to: { i: 1 } });
  };
  const features = g.op('Concat', [oneHot(ids, VOCAB.length, 'int64'), oneHot(segment, SEGMENTS, 'float32')], {
    axis: { i: 2 },
  });
  g.output('last_hidden_state', 'float32', [b, MAX_TOKENS, TOKEN_FEATURES], features);
  return g.build({
    name: 'toy_text_encoder',
    doc: `toy text encoder: one-hot word ids (${VOCAB.length}) and segment ids (${SEGMENTS}; 1 + cell of the word's object phrase, cells ${CELLS.join(' | ')})`,
  });
}

/** The toy denoiser as a unet: sample [B, 3, 32, 32], timestep [B] (DDPM index), encoder_hidden_states -> x0. */
export function toyUnetGraph(p: ToyModelParams, c: ToyModelConfig, o: ToyExportOptions = {}): Uint8Array {
  const g = new OnnxGraphBuilder();
  const b = o.fixedBatch ? 1 : 'batch_size';
  const { grid, patches, values } = patchGeometry(c);
  const n = IMAGE_SIZE;
  const sample = g.input('sample', 'float32', [b, 3, n, n]);
  const timestep = g.input('timestep', 'int64', [b]);
  const ehs = g.input('encoder_hidden_states', 'float32', [b, MAX_TOKENS, TOKEN_FEATURES]);
  // patchify: [B, 3, G, p, G, p] -> [B, G, G, 3, p, p] -> [B, P, Q] (model.ts `patchify` order)
  const split = g.op('Reshape', [sample, g.int64('split', [0, 3, grid, c.patch, grid, c.patch])]);
  const tokens = g.op('Transpose', [split], { perm: { ints: [0, 2, 4, 1, 3, 5] } });
  const patchesIn = g.op('Reshape', [tokens, g.int64('patches', [0, patches, values])]);
  // time token: sinusoidal features of t = index / 999 (a table over the 1000 indices), MLP
  const batch = g.op('Slice', [g.op('Shape', [sample]), g.int64('s0', [0]), g.int64('s1', [1])]);
  const ts = g.op('Expand', [timestep, batch]);
  const t = Float32Array.from({ length: TRAIN_STEPS }, (_, i) => i / (TRAIN_STEPS - 1));
  const table = g.tensor('time_features', [TRAIN_STEPS, 2 * TIME_FEATURES], timeFeatures(t));
  const temb = mlpOnnx(g, p.time, g.op('Gather', [table, ts], { axis: { i: 0 } }), {
    activation: 'silu',
    hint: 'time',
  });
  const tok = g.op('Unsqueeze', [temb, g.int64('ax1', [1])]); // [B, 1, D]
  // words and the grounding path
  const wordEmb = linearOnnx(g, p.word, ehs, 'word'); // [B, T, D]
  const vocabEnd = VOCAB.length + SEGMENTS;
  const segments = g.op('Slice', [ehs, g.int64('v0', [VOCAB.length]), g.int64('v1', [vocabEnd]), g.int64('ax2', [2])]);
  const perSegment = g.op('MatMul', [g.op('Transpose', [segments], { perm: { ints: [0, 2, 1] } }), wordEmb]);
  const map = segmentPatchMap(c); // [SEGMENTS, P] -> transposed [P, SEGMENTS]
  const mapT = Float32Array.from(
    { length: map.length },
    (_, i) => map[(i % SEGMENTS) * patches + Math.floor(i / SEGMENTS)],
  );
  const spread = g.op('MatMul', [g.tensor('segment_patch_map_t', [patches, SEGMENTS], mapT), perSegment]);
  const ground = linearOnnx(g, p.ground, spread, 'ground'); // [B, P, D]
  const words = g.op('Add', [wordEmb, weight(g, 'word_pos', p.wordPos)]);
  const patchEmb = g.op('Add', [linearOnnx(g, p.patchIn, patchesIn, 'patch_in'), weight(g, 'patch_pos', p.patchPos)]);
  const img = g.op('Add', [g.op('Add', [patchEmb, tok]), ground]);
  let x = g.op('Concat', [tok, words, img], { axis: { i: 1 } }); // [B, S, D]
  // transformer blocks with 2-D RoPE on the patches
  const rope = sequenceRopeTables(c);
  const half = c.dim / c.heads / 2;
  const s = rope.cos.length / half;
  const tables = { cos: g.tensor('rope_cos', [s, half], rope.cos), sin: g.tensor('rope_sin', [s, half], rope.sin) };
  p.blocks.forEach((blk, i) => {
    const a = attentionOnnx(g, blk.attn, layerNormOnnx(g, blk.ln1, x, `b${i}.ln1`), {
      rope: { tables, layout: 'half' },
      hint: `b${i}.attn`,
    });
    const h = g.op('Add', [x, a]);
    x = g.op('Add', [h, mlpOnnx(g, blk.mlp, layerNormOnnx(g, blk.ln2, h, `b${i}.ln2`), { hint: `b${i}.mlp` })]);
  });
  const first = 1 + MAX_TOKENS;
  const out = g.op('Slice', [x, g.int64('o0', [first]), g.int64('o1', [first + patches]), g.int64('ax1', [1])]);
  const pred = linearOnnx(g, p.patchOut, layerNormOnnx(g, p.lnOut, out, 'ln_out'), 'patch_out'); // [B, P, Q]
  // unpatchify: [B, G, G, 3, p, p] -> [B, 3, G, p, G, p] -> [B, 3, 32, 32]
  const cells = g.op('Reshape', [pred, g.int64('cells', [0, grid, grid, 3, c.patch, c.patch])]);
  const image = g.op('Transpose', [cells], { perm: { ints: [0, 3, 1, 4, 2, 5] } });
  g.output('out_sample', 'float32', [b, 3, n, n], g.op('Reshape', [image, g.int64('image', [0, 3, n, n])]));
  return g.build({ name: 'toy_unet', doc: `toy denoiser (${JSON.stringify(c)}): x0-prediction from a noisy image` });
}

/** The identity VAE graph: encoder sample -> latent_sample, decoder latent_sample -> sample. */
export function identityVaeGraph(kind: 'encoder' | 'decoder', o: ToyExportOptions = {}): Uint8Array {
  const g = new OnnxGraphBuilder();
  const shape = [o.fixedBatch ? 1 : 'batch_size', 3, IMAGE_SIZE, IMAGE_SIZE];
  const [from, to] = kind === 'encoder' ? ['sample', 'latent_sample'] : ['latent_sample', 'sample'];
  g.output(to, 'float32', shape, g.input(from, 'float32', shape));
  return g.build({
    name: `toy_vae_${kind}`,
    doc: 'identity codec: the toy model works in pixel space (latent = image in [-1, 1])',
  });
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** Every file of the folder (relative path -> contents) for a trained model. */
export function toyOnnxFiles(
  p: ToyModelParams,
  c: ToyModelConfig,
  provenance: Record<string, string>,
  o: ToyExportOptions = {},
): Record<string, string | Uint8Array> {
  const tokenizer = toyTokenizerFiles();
  const onnx = ['diffusers', 'OnnxRuntimeModel'];
  const vae = {
    _class_name: 'ModelmathIdentityVae',
    _note: 'identity codec: the toy model denoises 32x32 RGB pixels, so latent = image in [-1, 1] (no VAE)',
    in_channels: 3,
    out_channels: 3,
    latent_channels: 3,
    block_out_channels: [3],
    sample_size: IMAGE_SIZE,
    scaling_factor: 1,
  };
  const files: Record<string, string | Uint8Array> = {
    'model_index.json': json({
      _class_name: 'ModelmathToyPipeline',
      _modelmath: {
        made_by: 'modelmath toy export-onnx',
        opset: 17,
        fixed_batch: Boolean(o.fixedBatch),
        ...provenance,
      },
      scheduler: ['diffusers', 'DDIMScheduler'],
      text_encoder: onnx,
      tokenizer: ['transformers', 'CLIPTokenizer'],
      unet: onnx,
      vae_decoder: onnx,
      vae_encoder: onnx,
    }),
    'scheduler/scheduler_config.json': json(TOY_SCHEDULER_CONFIG),
    'text_encoder/config.json': json({
      _class_name: 'ModelmathToyTextEncoder',
      _note: "no weights: one-hot word ids and segment ids (1 + cell of the word's object phrase) from input_ids",
      vocab_size: Object.keys(tokenizer.vocab).length,
      max_position_embeddings: TOY_TOKENIZER_LENGTH,
      hidden_size: TOKEN_FEATURES,
      words: VOCAB.length,
      segments: SEGMENTS,
    }),
    'text_encoder/model.onnx': toyTextEncoderGraph(tokenizer.vocab, o),
    'unet/config.json': json({
      _class_name: 'ModelmathToyDenoiser',
      _note: 'patch transformer with 2-D RoPE and a grounding path (src/toyworld/model/model.ts); outputs x0',
      in_channels: 3,
      out_channels: 3,
      sample_size: IMAGE_SIZE,
      cross_attention_dim: TOKEN_FEATURES,
      ...c,
    }),
    'unet/model.onnx': toyUnetGraph(p, c, o),
    'vae_encoder/config.json': json(vae),
    'vae_encoder/model.onnx': identityVaeGraph('encoder', o),
    'vae_decoder/config.json': json(vae),
    'vae_decoder/model.onnx': identityVaeGraph('decoder', o),
  };
  for (const [name, text] of Object.entries(tokenizer.files)) files[`tokenizer/${name}`] = text;
  return files;
}

/** The folder's files for a weights file (default: the shipped one), with its training record as provenance. */
export async function toyOnnxFilesOf(
  options: ToyExportOptions & { weights?: string } = {},
): Promise<Record<string, string | Uint8Array>> {
  const model = await loadToyModel(options.weights);
  const m = model.metadata;
  const provenance = {
    weights: options.weights ?? 'assets/toy/toy-denoiser.safetensors',
    steps: m.steps,
    final_loss: m.finalLoss,
    params: m.params,
    seed: m.seed,
  };
  return toyOnnxFiles(model.denoiser.params, model.denoiser.config, provenance, options);
}

/** Writes the folder of a weights file to `dir` (library use; the CLI goes through its output contract). */
export async function exportToyOnnx(
  dir: string,
  options: ToyExportOptions & { weights?: string } = {},
): Promise<string[]> {
  const files = await toyOnnxFilesOf(options);
  await writeDirAtomic(dir, (tmp) => writeModelFiles(tmp, files));
  return Object.keys(files).sort();
}
