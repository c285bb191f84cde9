/**
 * The tiny LM's two runs, as the CLI and the shipped assets use them: `pretrain` (fresh model on a
 * text, saved as a model folder with its training log and model card) and `finetuneLora` (LoRA
 * or DoRA adapter on a loaded model for a second domain, saved in PEFT format with validation
 * loss / perplexity before and after, on both the new and the original domain).
 */
import { join } from 'node:path';
import { readAndDispose, tfSync } from '../core/engine.js';
import { writeDirAtomic, writeFileAtomic } from '../core/outputs.js';
import { Rng } from '../core/rng.js';
import {
  addLora,
  type LoraConfig,
  loraParamCount,
  mergeLoraLayers,
  saveLoraAdapter,
  validateLoraConfig,
} from '../lora/index.js';
import { disposeParams, paramCount } from '../nn/index.js';
import {
  LM_TRAIN_DEFAULTS,
  type LmTrainConfig,
  TINY_LM_DEFAULTS,
  type TinyLmConfig,
  validateLmTrainConfig,
  validateTinyLmConfig,
} from './config.js';
import { generateCorpus, PRETRAIN_ARITHMETIC_SHARE } from './corpus.js';
import { readTokens } from './data.js';
import { loadTinyLm, saveTinyLm } from './io.js';
import { tinyLmForward, tinyLmInit } from './model.js';
import { encodeBytes } from './tokenizer.js';
import { trainTinyLm, validationLoss } from './train.js';

export interface PretrainOptions {
  data: string;
  valid: string;
  out: string;
  model?: Partial<TinyLmConfig>;
  train?: Partial<LmTrainConfig>;
  /** Seed of the initial weights (the batch sampler uses train.seed). */
  seed: number;
  checkpointDir?: string;
  resume?: boolean;
  /** The command line that reproduces the run (recorded in the log and card). */
  command?: string;
}

export interface PretrainResult {
  parameters: number;
  steps: number;
  finalLoss: number;
  validLoss: number;
  validPerplexity: number;
  wallSeconds: number;
  /** CPU seconds of this process during training (user + system). */
  cpuSeconds: number;
  resumedFrom: number;
}

/** User + system CPU seconds since `start` (a `process.cpuUsage()` reading). */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** A short model card for a pre-trained model folder. */
function modelCard(c: TinyLmConfig, s: LmTrainConfig, r: PretrainResult, command: string): string {
  return `# modelmath tiny LM

A ${r.parameters.toLocaleString('en')}-parameter decoder-only transformer (RoPE '${c.ropeLayout}' layout, RMSNorm,
GELU MLP, no biases) over UTF-8 bytes (vocabulary ${c.vocabSize}), trained by modelmath on CPU.

| setting | value |
| --- | --- |
| layers / heads / width | ${c.nLayer} / ${c.nHead} / ${c.dim} |
| context (blockSize) | ${c.blockSize} bytes |
| steps x batch | ${s.steps} x ${s.batchSize} windows (${(s.steps * s.batchSize * c.blockSize).toLocaleString('en')} tokens) |
| optimiser | AdamW, peak lr ${s.lr}, warm-up ${s.warmupSteps}, cosine to ${s.floorRatio} x peak, clip ${s.clipNorm} |
| final train loss | ${r.finalLoss.toFixed(4)} nats/byte |
| validation loss | ${r.validLoss.toFixed(4)} nats/byte (perplexity ${r.validPerplexity.toFixed(3)}) |
| time | ${r.wallSeconds.toFixed(0)} s wall, ${r.cpuSeconds.toFixed(0)} s CPU (shared 2-core machine) |

Data: the generated corpus in assets/lm/corpus (simple English sentences from a seeded grammar, and
arithmetic lines "a+b=c" with a, b in 0..99 - so the model starts GRPO on two-digit addition with a
non-zero exact-match accuracy). Not a general language model: it knows only this synthetic text.

Reproduce: \`${command}\`
`;
}

/** Trains a fresh tiny LM and writes the model folder `out`. */
export async function pretrain(o: PretrainOptions): Promise<PretrainResult> {
  const config = validateTinyLmConfig({ ...TINY_LM_DEFAULTS, ...o.model });
  const settings = validateLmTrainConfig({ ...LM_TRAIN_DEFAULTS, ...o.train });
  const train = readTokens(o.data, config.blockSize + 1);
  const valid = readTokens(o.valid, config.blockSize + 1);
  const params = tinyLmInit(new Rng(o.seed), config);
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { history, resumedFrom } = await trainTinyLm({
      params,
      config,
      train,
      valid,
      settings,
      checkpointDir: o.checkpointDir,
      resume: o.resume,
      label: 'lm train',
    });
    const validLoss = validationLoss(params, config, valid, settings.evalWindows);
    const last = history.slice(-20);
    const result: PretrainResult = {
      parameters: paramCount(params),
      steps: settings.steps,
      finalLoss: last.reduce((a, r) => a + r.loss, 0) / Math.max(1, last.length),
      validLoss,
      validPerplexity: Math.exp(validLoss),
      wallSeconds: (performance.now() - t0) / 1000,
      cpuSeconds: cpuSecondsSince(cpu0),
      resumedFrom,
    };
    const command = o.command ?? 'modelmath lm train';
    await saveTinyLm(o.out, params, config, {
      log: { command, model: config, train: settings, seed: o.seed, result, history },
      card: modelCard(config, settings, result, command),
    });
    return result;
  } finally {
    disposeParams(params);
  }
}

export interface FinetuneOptions {
  model: string;
  data: string;
  valid: string;
  /** Validation text of the original domain (to measure forgetting); optional. */
  originalValid?: string;
  out: string;
  lora: Partial<LoraConfig>;
  train?: Partial<LmTrainConfig>;
  seed: number;
  checkpointDir?: string;
  resume?: boolean;
  command?: string;
}

export interface FinetuneResult {
  adaptedModules: string[];
  trainableParameters: number;
  baseParameters: number;
  before: { validLoss: number; perplexity: number; originalValidLoss?: number };
  after: { validLoss: number; perplexity: number; originalValidLoss?: number };
  wallSeconds: number;
  cpuSeconds: number;
}

/** LoRA/DoRA fine-tuning of a model folder on a second domain; writes a PEFT adapter folder `out`. */
export async function finetuneLora(o: FinetuneOptions): Promise<FinetuneResult> {
  const loraConfig = validateLoraConfig(o.lora);
  const settings = validateLmTrainConfig({ ...LM_TRAIN_DEFAULTS, ...o.train });
  const { params, config } = loadTinyLm(o.model);
  try {
    const train = readTokens(o.data, config.blockSize + 1);
    const valid = readTokens(o.valid, config.blockSize + 1);
    const original = o.originalValid ? readTokens(o.originalValid, config.blockSize + 1) : undefined;
    const measure = () => {
      const v = validationLoss(params, config, valid, settings.evalWindows);
      const originalValidLoss = original ? validationLoss(params, config, original, settings.evalWindows) : undefined;
      return { validLoss: v, perplexity: Math.exp(v), originalValidLoss };
    };
    const baseParameters = paramCount(params);
    const before = measure();
    const adaptedModules = addLora(params, new Rng(o.seed), loraConfig);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { history } = await trainTinyLm({
      params,
      config,
      train,
      valid,
      settings,
      checkpointDir: o.checkpointDir,
      resume: o.resume,
      label: 'lm finetune',
    });
    const after = measure();
    const result: FinetuneResult = {
      adaptedModules,
      trainableParameters: loraParamCount(params),
      baseParameters,
      before,
      after,
      wallSeconds: (performance.now() - t0) / 1000,
      cpuSeconds: cpuSecondsSince(cpu0),
    };
    const log = { command: o.command ?? 'modelmath lm finetune', lora: loraConfig, train: settings, result, history };
    await saveLoraAdapter(o.out, params, loraConfig, {
      baseModel: o.model,
      extraFiles: { 'finetune-log.json': `${JSON.stringify(log, null, 2)}\n` },
    });
    return result;
  } finally {
    disposeParams(params);
  }
}

/**
 * Merges an adapter into a model folder's weights and writes a plain model folder; returns the
 * merged layers and the largest logit change on a probe text (adapted vs merged: should be ~1e-6).
 */
export async function mergeAdapter(
  modelDir: string,
  adapterDir: string,
  out: string,
): Promise<{ merged: string[]; maxLogitChange: number }> {
  const tf = tfSync();
  const { params, config } = loadTinyLm(modelDir, adapterDir);
  try {
    const ids = encodeBytes('12+34=46\na large red circle at top left on snow').slice(0, config.blockSize);
    const probeLogits = () =>
      readAndDispose(tf.tidy(() => tinyLmForward(params, config, tf.tensor2d(ids, [1, ids.length], 'int32'))));
    const before = probeLogits();
    const merged = mergeLoraLayers(params);
    const after = probeLogits();
    const maxLogitChange = before.reduce((m, v, i) => Math.max(m, Math.abs(v - after[i])), 0);
    await saveTinyLm(out, params, config, {
      card: `# merged tiny LM\n\n${modelDir} + adapter ${adapterDir} (merged with modelmath lm merge).\n`,
    });
    return { merged, maxLogitChange };
  } finally {
    disposeParams(params);
  }
}

/** Default corpus sizes in bytes (the shipped corpus: about 1.5 MB in all). */
export const CORPUS_SIZES = { pretrain: 1_200_000, captions: 200_000, valid: 40_000 } as const;

/** Writes the generated corpus (train/valid of `pretrain` and `captions`, plus a README) into `dir`. */
export async function writeCorpus(
  dir: string,
  seed: number,
  sizes: { pretrain: number; captions: number; valid: number } = CORPUS_SIZES,
): Promise<Record<string, number>> {
  const files: Record<string, string> = {};
  const root = new Rng(seed);
  for (const domain of ['pretrain', 'captions'] as const) {
    files[`${domain}.train.txt`] = generateCorpus(domain, sizes[domain], root.fork(`${domain}/train`));
    files[`${domain}.valid.txt`] = generateCorpus(domain, sizes.valid, root.fork(`${domain}/valid`));
  }
  const bytes = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.length]));
  const readme = `# Generated corpus of the tiny LM

Made by \`modelmath lm corpus --out <dir> --seed ${seed}\` (src/lm/corpus.ts); no external text.

- pretrain.*.txt: simple English sentences from a seeded grammar, mixed with arithmetic lines
  "a+b=c" (a, b uniform in 0..99; ${PRETRAIN_ARITHMETIC_SHARE * 100}% of lines).
- captions.*.txt: toy-world scene captions (src/toyworld captionOf(sampleScene)), the second
  domain used for LoRA fine-tuning.

Bytes: ${JSON.stringify(bytes)}
`;
  await writeDirAtomic(dir, (tmp) => {
    for (const [name, text] of Object.entries(files)) writeFileAtomic(join(tmp, name), text);
    writeFileAtomic(join(tmp, 'README.md'), readme);
  });
  return bytes;
}
