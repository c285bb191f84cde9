/**
 * `modelmath lm corpus | train | finetune | merge | sample | export-onnx`: generate the corpus,
 * pre-train the tiny LM, LoRA/DoRA fine-tune it on a second domain, merge an adapter, sample, and
 * export it as an ONNX causal LM (what `eval --model DIR` reads). Every training knob
 * is a field of lm/config.ts (model shape and run) or lora/config.ts; training resumes from the
 * checkpoint under --out with --resume.
 */
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { loraConfigSchema } from '../lora/config.js';
import { lmTrainConfigSchema, TINY_LM_PRESETS, tinyLmConfigSchema } from './config.js';

const CHECKPOINT = 'checkpoint';
const model = z
  .string()
  .min(1)
  .default('lm')
  .describe("model folder, or 'lm' for the shipped model (assets/lm/model)")
  .meta({ placeholder: 'dir' });
const textFile = (what: string) => z.string().min(1).describe(what).meta({ placeholder: 'file' });

/** 'lm' names the shipped model; anything else is a model folder. */
async function resolveModelDir(name: string): Promise<string> {
  return name === 'lm' ? (await import('./io.js')).shippedModelDir() : name;
}

const run = lmTrainConfigSchema.shape;
/** The run's knobs as flags (the batch sampler's seed is the global --seed). */
const runFlags = {
  steps: run.steps,
  batchSize: run.batchSize,
  lr: run.lr,
  warmupSteps: run.warmupSteps,
  floorRatio: run.floorRatio,
  weightDecay: run.weightDecay,
  clipNorm: run.clipNorm,
  evalEvery: run.evalEvery,
  evalWindows: run.evalWindows,
  checkpointEvery: run.checkpointEvery,
};
const RUN_KEYS = Object.keys(runFlags) as (keyof typeof runFlags)[];
const MODEL_KEYS = ['blockSize', 'nLayer', 'nHead', 'dim', 'mlpRatio', 'ropeBase', 'ropeLayout'] as const;
const LORA_KEYS = ['r', 'alpha', 'dropout', 'targetModules', 'useDora', 'useRslora'] as const;

/** The named fields of the parsed options (the settings one library call takes). */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

const corpus = defineCommand({
  name: 'corpus',
  summary: 'write the generated corpus (English + arithmetic for pre-training, toy captions) as text files',
  options: z.object({}),
  out: { kind: 'dir', describe: 'folder for the text files' },
  examples: ['modelmath lm corpus --out corpus'],
  async run(_o, ctx) {
    const { writeCorpus } = await import('./pipeline.js');
    let bytes: Record<string, number> = {};
    await ctx.writeDir(async (tmp) => {
      bytes = await writeCorpus(tmp, ctx.seed);
    });
    const lines = Object.entries(bytes).map(([name, n]) => `${name}\t${n} bytes`);
    return { data: { out: ctx.out, bytes }, text: [...lines, `wrote ${lines.length} files to ${ctx.out}`].join('\n') };
  },
});

const m = tinyLmConfigSchema.shape;
const train = defineCommand({
  name: 'train',
  summary: 'pre-train a fresh tiny LM on a text file; writes a model folder (resumable)',
  options: z.object({
    data: textFile('training text'),
    valid: textFile('validation text'),
    preset: z
      .enum(['default', 'test'])
      .default('default')
      .describe("model size: 'default' (4 layers, width 64) or 'test' (1 block, width 16)"),
    blockSize: m.blockSize,
    nLayer: m.nLayer,
    nHead: m.nHead,
    dim: m.dim,
    mlpRatio: m.mlpRatio,
    ropeBase: m.ropeBase,
    ropeLayout: m.ropeLayout,
    ...runFlags,
  }),
  presets: { option: 'preset', values: TINY_LM_PRESETS },
  inputs: ['data', 'valid'],
  out: {
    kind: 'dir',
    describe: 'model folder (config.json, model.safetensors, log, card; checkpoint/)',
    claims: [`${CHECKPOINT}/`],
  },
  resumable: true,
  examples: [
    'modelmath lm train --data assets/lm/corpus/pretrain.train.txt --valid assets/lm/corpus/pretrain.valid.txt --preset test --steps 20 --out lm-test',
    'modelmath lm train --data assets/lm/corpus/pretrain.train.txt --valid assets/lm/corpus/pretrain.valid.txt --out lm-model',
  ],
  async run(o, ctx) {
    const { join } = await import('node:path');
    await (await import('../core/engine.js')).getTf();
    const { pretrain } = await import('./pipeline.js');
    const out = ctx.out as string;
    const r = await pretrain({
      data: o.data,
      valid: o.valid,
      out,
      model: pick(o, MODEL_KEYS),
      train: { ...pick(o, RUN_KEYS), seed: ctx.seed },
      seed: ctx.seed,
      checkpointDir: join(out, CHECKPOINT),
      resume: ctx.resume,
      command: `modelmath lm train ${process.argv.slice(4).join(' ')}`.trim(),
    });
    return {
      data: { out, ...r },
      text: `trained ${r.parameters} parameters for ${r.steps} steps (resumed from ${r.resumedFrom}): valid loss ${r.validLoss.toFixed(4)} nats/byte, perplexity ${r.validPerplexity.toFixed(3)} -> ${out}`,
    };
  },
});

const lora = loraConfigSchema.shape;
const finetune = defineCommand({
  name: 'finetune',
  summary: 'LoRA/DoRA fine-tuning of a model folder on a second text; writes a PEFT adapter folder (resumable)',
  options: z.object({
    data: textFile('training text of the new domain'),
    valid: textFile('validation text of the new domain'),
    model,
    originalValid: textFile('validation text of the original domain (measures forgetting)').optional(),
    r: lora.r,
    alpha: lora.alpha,
    dropout: lora.dropout,
    targetModules: z.array(z.string().min(1)).min(1).default(['wq', 'wk', 'wv', 'wo']).describe('modules to adapt'),
    useDora: lora.useDora,
    useRslora: lora.useRslora,
    ...runFlags,
  }),
  defaults: { steps: 300, lr: 1e-2 },
  inputs: ['data', 'valid', 'model', 'originalValid'],
  out: {
    kind: 'dir',
    describe: 'adapter folder (adapter_config.json, adapter_model.safetensors; checkpoint/)',
    claims: [`${CHECKPOINT}/`],
  },
  resumable: true,
  examples: [
    'modelmath lm finetune --data assets/lm/corpus/captions.train.txt --valid assets/lm/corpus/captions.valid.txt --steps 10 --out captions-adapter',
  ],
  async run(o, ctx) {
    const { join } = await import('node:path');
    await (await import('../core/engine.js')).getTf();
    const { finetuneLora } = await import('./pipeline.js');
    const out = ctx.out as string;
    const r = await finetuneLora({
      model: await resolveModelDir(o.model),
      data: o.data,
      valid: o.valid,
      originalValid: o.originalValid,
      out,
      lora: pick(o, LORA_KEYS),
      train: { ...pick(o, RUN_KEYS), seed: ctx.seed },
      seed: ctx.seed,
      checkpointDir: join(out, CHECKPOINT),
      resume: ctx.resume,
      command: `modelmath lm finetune ${process.argv.slice(4).join(' ')}`.trim(),
    });
    return {
      data: { out, ...r },
      text:
        `perplexity on the new domain ${r.before.perplexity.toFixed(3)} -> ${r.after.perplexity.toFixed(3)} ` +
        `with ${r.trainableParameters} trainable parameters -> ${out}`,
    };
  },
});

const merge = defineCommand({
  name: 'merge',
  summary: 'merge a LoRA/DoRA adapter into the weights; writes a plain model folder',
  options: z.object({
    adapter: z.string().min(1).describe('PEFT adapter folder').meta({ placeholder: 'dir' }),
    model,
  }),
  inputs: ['adapter', 'model'],
  out: { kind: 'dir', describe: 'merged model folder' },
  examples: ['modelmath lm merge --adapter assets/lm/lora-captions --out lm-merged'],
  async run(o, ctx) {
    await (await import('../core/engine.js')).getTf();
    const { mergeAdapter } = await import('./pipeline.js');
    const modelDir = await resolveModelDir(o.model);
    let r = { merged: [] as string[], maxLogitChange: 0 };
    await ctx.writeDir(async (tmp) => {
      r = await mergeAdapter(modelDir, o.adapter, tmp);
    });
    return {
      data: { out: ctx.out, ...r },
      text: `merged ${r.merged.length} layers into ${ctx.out}; max |logit change| on a probe text ${r.maxLogitChange.toExponential(2)}`,
    };
  },
});

const sample = defineCommand({
  name: 'sample',
  summary: 'continue a prompt with the tiny LM (stops at the end of the line unless --multiline)',
  options: z.object({
    prompt: z.string().describe('text to continue, e.g. "12+34="').meta({ placeholder: 'text' }),
    model,
    adapter: z.string().optional().describe('PEFT adapter folder to apply').meta({ placeholder: 'dir' }),
    maxTokens: z.number().int().min(1).max(10_000).default(80).describe('bytes to generate at most'),
    temperature: z.number().min(0).max(100).default(0.8).describe('softmax temperature (0 = greedy)'),
    topK: z.number().int().min(0).max(100_000).default(40).describe('sample among the k most likely bytes (0 = all)'),
    multiline: z.boolean().default(false).describe('keep generating past a newline'),
  }),
  examples: ['modelmath lm sample --prompt "12+34=" --temperature 0'],
  async run(o, ctx) {
    await (await import('../core/engine.js')).getTf();
    const { loadTinyLm } = await import('./io.js');
    const { sampleTokens } = await import('./sample.js');
    const { byteTokenizer } = await import('./tokenizer.js');
    const { Rng } = await import('../core/rng.js');
    const { disposeParams } = await import('../nn/index.js');
    const { params, config } = loadTinyLm(await resolveModelDir(o.model), o.adapter);
    try {
      const ids = sampleTokens(params, config, byteTokenizer.encode(o.prompt), new Rng(ctx.seed), {
        maxNewTokens: o.maxTokens,
        temperature: o.temperature,
        topK: o.topK,
        stopAtNewline: !o.multiline,
      });
      const completion = byteTokenizer.decode(ids);
      return { data: { prompt: o.prompt, completion }, text: `${o.prompt}${completion.replace(/\n$/, '')}` };
    } finally {
      disposeParams(params);
    }
  },
});

const exportOnnx = defineCommand({
  name: 'export-onnx',
  summary: 'export the tiny LM (an adapter merged in) as an ONNX causal LM folder that `eval --model DIR` reads',
  options: z.object({
    model,
    adapter: z.string().min(1).optional().describe('PEFT adapter folder to merge in').meta({ placeholder: 'dir' }),
  }),
  inputs: ['model', 'adapter'],
  out: { kind: 'dir', describe: 'ONNX model folder (model.onnx, config.json, README.md)' },
  examples: ['modelmath lm export-onnx --out lm-onnx', 'modelmath lm export-onnx --out assets/lm/onnx --overwrite'],
  async run(o, ctx) {
    const { tinyLmOnnxFiles } = await import('./export.js');
    const { writeModelFiles } = await import('../core/onnx-graph.js');
    const files = await tinyLmOnnxFiles({ model: await resolveModelDir(o.model), adapter: o.adapter, label: o.model });
    await ctx.writeDir((tmp) => writeModelFiles(tmp, files));
    const names = Object.keys(files).sort();
    return { data: { out: ctx.out, files: names }, text: `lm export-onnx: ${names.join(', ')} -> ${ctx.out}` };
  },
});

export const commands = [
  {
    name: 'lm',
    summary: 'tiny byte-level transformer LM with RoPE: corpus, train, finetune, merge, sample, export-onnx',
    commands: [corpus, train, finetune, merge, sample, exportOnnx],
  },
];
