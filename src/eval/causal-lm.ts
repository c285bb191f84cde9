/**
 * The one interface `modelmath eval` scores: a causal LM that maps token ids [T] to logits [T, V]
 * (row t predicts token t + 1), with its tokenizer, context length and optional beginning-of-text
 * token. Two implementations: the tiny LM of src/lm (engine), and any ONNX causal LM with inputs
 * `input_ids` [+ `attention_mask`, `position_ids`] and output `logits` [1, T, V] (ONNX Runtime
 * through core/onnx.ts; byte-level tokenization, see docs/parts/eval.md).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getTf, readAndDispose } from '../core/engine.js';
import { InputError, ShapeError } from '../core/errors.js';
import { type HostTensor, OnnxModel } from '../core/onnx.js';
import { byteTokenizer, loadTinyLm, NEWLINE_ID, type Tokenizer, tinyLmForward } from '../lm/index.js';
import { disposeParams } from '../nn/index.js';

export interface CausalLm {
  readonly name: string;
  readonly vocabSize: number;
  /** Longest input the model accepts (tokens). */
  readonly contextLength: number;
  /** Token prepended to every text so that its first token is scored too (optional). */
  readonly bos?: number;
  readonly tokenizer: Tokenizer;
  /** Logits [T, V] for ids [T] (T <= contextLength). */
  logits(ids: Int32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** The tiny LM of a model folder (plus an optional PEFT adapter) as a CausalLm; '\n' is its BOS. */
export async function tinyCausalLm(dir: string, adapterDir?: string): Promise<CausalLm> {
  const tf = await getTf();
  const { params, config } = loadTinyLm(dir, adapterDir);
  return {
    name: adapterDir ? `${dir} + ${adapterDir}` : dir,
    vocabSize: config.vocabSize,
    contextLength: config.blockSize,
    bos: NEWLINE_ID,
    tokenizer: byteTokenizer,
    async logits(ids) {
      return readAndDispose(tf.tidy(() => tinyLmForward(params, config, tf.tensor2d(ids, [1, ids.length], 'int32'))));
    },
    async dispose() {
      disposeParams(params);
    },
  };
}

/** Optional `config.json` next to `model.onnx`: { contextLength?, bos?, tokenizer?: 'bytes' }. */
interface OnnxLmConfig {
  contextLength?: number;
  bos?: number;
  tokenizer?: string;
}

function readOnnxConfig(dir: string): OnnxLmConfig {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) return {};
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as OnnxLmConfig;
    if (c.tokenizer !== undefined && c.tokenizer !== 'bytes') {
      throw new InputError(
        `${file}: only the byte-level tokenizer ("bytes") is supported, got ${JSON.stringify(c.tokenizer)}`,
      );
    }
    return c;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: invalid JSON (${(err as Error).message})`, { cause: err });
  }
}

/** An ONNX causal LM: `path` is a .onnx file or a folder holding model.onnx (+ config.json). */
export async function onnxCausalLm(path: string): Promise<CausalLm> {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  const file = isDir ? join(path, 'model.onnx') : path;
  const cfg = isDir ? readOnnxConfig(path) : {};
  const model = await OnnxModel.load(file);
  const idsInput = model.input('input_ids');
  const names = new Set(model.inputs.map((i) => i.name));
  const extra = [...names].filter((n) => !['input_ids', 'attention_mask', 'position_ids'].includes(n));
  if (extra.length) {
    await model.dispose();
    throw new InputError(
      `${file}: unsupported inputs ${extra.join(', ')} (expected input_ids [+ attention_mask, position_ids])`,
    );
  }
  const out = model.output('logits');
  const vocab = out.shape[out.shape.length - 1];
  const fixedT = idsInput.shape[1];
  const contextLength = cfg.contextLength ?? (typeof fixedT === 'number' && fixedT > 0 ? fixedT : 1024);
  let vocabSize = typeof vocab === 'number' && vocab > 0 ? vocab : 0;
  return {
    name: file,
    get vocabSize() {
      return vocabSize;
    },
    contextLength,
    bos: cfg.bos,
    tokenizer: byteTokenizer,
    async logits(ids) {
      const T = ids.length;
      const feeds: Record<string, HostTensor> = { input_ids: { data: ids, dims: [1, T] } };
      if (names.has('attention_mask')) feeds.attention_mask = { data: new Int32Array(T).fill(1), dims: [1, T] };
      if (names.has('position_ids')) feeds.position_ids = { data: Int32Array.from(ids.keys()), dims: [1, T] };
      const result = (await model.run(feeds, [out.name]))[out.name];
      const V = result.dims[result.dims.length - 1];
      if (
        result.dims.length !== 3 ||
        result.dims[0] !== 1 ||
        result.dims[1] !== T ||
        !(result.data instanceof Float32Array)
      ) {
        throw new ShapeError(`${file}: logits must be float [1, ${T}, V], got [${result.dims.join(', ')}]`);
      }
      vocabSize = V;
      return result.data;
    },
    dispose: () => model.dispose(),
  };
}
