/**
 * `modelmath toy train | export-onnx | generate | render | eval-samples | train-classifier | sweep`
 * and `modelmath edit-bench` (the ground-truth edit benchmark). Training runs on the engine (it
 * checkpoints under --out and continues with --resume); `export-onnx` writes the trained model as a
 * diffusers-layout ONNX folder, and every command that runs the model takes such a folder
 * (`--model toy` = assets/toy/onnx) through src/pipeline.
 */
import { z } from 'zod';
import { defineCommand, RESULT_JSON_OUTPUT } from '../core/command.js';
import { FRONTIER_DEFAULTS, type FrontierConfig, frontierConfig } from './bench/frontier-config.js';
import { BENCH_METHODS } from './bench/methods.js';
import { TOY_TRAIN_PRESETS, toyModelConfigSchema, toyRunConfigSchema, toyTrainConfig } from './model/config.js';

const weights = z
  .string()
  .min(1)
  .optional()
  .describe('denoiser weights (default: the shipped assets/toy/toy-denoiser.safetensors)')
  .meta({ placeholder: 'file' });
const model = z
  .string()
  .min(1)
  .default('toy')
  .describe("'toy' (the shipped ONNX folder assets/toy/onnx) or a diffusers-layout ONNX folder of 32x32 images")
  .meta({ placeholder: 'toy|dir' });

/** Runs `work` on the toy model of `--model` through the ONNX pipeline, then releases it. */
async function withToyModel<T>(
  spec: string,
  work: (m: import('./model/index.js').ToyRuntime) => Promise<T>,
): Promise<T> {
  const { loadToyRuntime } = await import('./model/index.js');
  const runtime = await loadToyRuntime(spec);
  try {
    return await work(runtime);
  } finally {
    await runtime.dispose();
  }
}
const png = { kind: 'file', extensions: ['.png'] } as const;
const steps = z.number().int().min(1).max(1000).default(20).describe('DDIM steps');
const guidance = z.number().min(0).max(50).default(1).describe('classifier-free guidance scale (1 = none)');

const train = defineCommand({
  name: 'train',
  summary: 'train the toy text-to-image denoiser (checkpoint/ and weights in --out; resumable)',
  options: z.object({
    preset: z
      .enum(['quick', 'full'])
      .default('full')
      .describe("'quick' (seconds, for tests) or 'full' (the shipped architecture and run)"),
    ...toyModelConfigSchema.shape,
    ...toyRunConfigSchema.shape,
    stopAfter: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('end at step n of the schedule (with --resume at the checkpoint step: export its weights)'),
  }),
  presets: { option: 'preset', values: TOY_TRAIN_PRESETS },
  out: { kind: 'dir', describe: 'folder for checkpoint/, the weights and the loss curve', claims: ['checkpoint/'] },
  resumable: true,
  examples: [
    'modelmath toy train --preset quick --steps 4 --out toy-run',
    'modelmath toy train --steps 12000 --out toy-full',
  ],
  async run(o, ctx) {
    const { trainToyModel } = await import('./model/index.js');
    const { preset: _preset, stopAfter, ...settings } = o;
    const config = toyTrainConfig(settings);
    const t0 = performance.now();
    const r = await trainToyModel(config, {
      seed: ctx.seed,
      dir: ctx.out as string,
      resume: ctx.resume,
      stopAfter,
    });
    const seconds = (performance.now() - t0) / 1000;
    return {
      data: {
        steps: r.history.length,
        scheduleSteps: config.steps,
        resumedFrom: r.resumedFrom,
        finalLoss: r.finalLoss,
        seconds,
        weights: r.weightsPath,
      },
      text: `toy train: ${r.history.length} of ${config.steps} steps (resumed from ${r.resumedFrom}), final loss ${r.finalLoss.toFixed(4)}, ${seconds.toFixed(1)} s; weights ${r.weightsPath}`,
    };
  },
});

const exportOnnx = defineCommand({
  name: 'export-onnx',
  summary: 'export trained toy weights as a diffusers/Optimum-layout ONNX folder (what --model reads)',
  options: z.object({
    weights,
    fixedBatch: z.boolean().default(false).describe('fix every batch dimension at 1 (as some exports do)'),
  }),
  inputs: ['weights'],
  out: {
    kind: 'dir',
    describe: 'the model folder (model_index.json, scheduler/, tokenizer/, text_encoder/, unet/, vae_*/)',
  },
  examples: ['modelmath toy export-onnx --out toy-onnx', 'modelmath toy export-onnx --out assets/toy/onnx --overwrite'],
  async run(o, ctx) {
    const { toyOnnxFilesOf } = await import('./model/index.js');
    const { writeModelFiles } = await import('../core/onnx-graph.js');
    const files = await toyOnnxFilesOf({ weights: o.weights, fixedBatch: o.fixedBatch });
    await ctx.writeDir((tmp) => writeModelFiles(tmp, files));
    const names = Object.keys(files).sort();
    return { data: { out: ctx.out, files: names }, text: `toy export-onnx: ${names.length} files -> ${ctx.out}` };
  },
});

const generate = defineCommand({
  name: 'generate',
  summary: 'sample images for a caption with k-step DDIM (optional classifier-free guidance) and read them back',
  options: z.object({
    caption: z.string().min(1).describe('e.g. "a large red circle at top left on snow"').meta({ placeholder: 'text' }),
    count: z.number().int().min(1).max(64).default(4).describe('images to sample (a row of the output grid)'),
    steps,
    guidance,
    model,
  }),
  inputs: ['model'],
  out: { ...png, describe: 'PNG grid of the samples' },
  examples: ['modelmath toy generate --caption "a large red circle at top left on snow" --count 2 --out samples.png'],
  async run(o, ctx) {
    const { parseCaption } = await import('./world/index.js');
    const { attributeAccuracy, loadClassifier, readScenes } = await import('./classifier/index.js');
    const { generateImages } = await import('../pipeline/index.js');
    const { imageGrid, writeImage } = await import('../core/image.js');
    const { Rng } = await import('../core/rng.js');
    const truth = parseCaption(o.caption);
    const captions = new Array<string>(o.count).fill(o.caption);
    const images = await withToyModel(o.model, (m) => generateImages(m.sampler, captions, new Rng(ctx.seed), o));
    const readings = readScenes(await loadClassifier(), images);
    const accuracy = attributeAccuracy(readings.map((reading) => ({ reading, truth })));
    await writeImage(ctx.out as string, imageGrid(images, o.count));
    return {
      data: { out: ctx.out, count: o.count, steps: o.steps, guidance: o.guidance, accuracy },
      text: `toy generate: ${o.count} samples -> ${ctx.out}; classifier read-back ${JSON.stringify(accuracy)}`,
    };
  },
});

const evalSamples = defineCommand({
  name: 'eval-samples',
  summary: 'sample N random captions and report the classifier accuracy per attribute (the generation goal)',
  options: z.object({
    count: z.number().int().min(1).max(10_000).default(96).describe('random captions (one sample each)'),
    steps,
    guidance,
    model,
  }),
  inputs: ['model'],
  examples: ['modelmath toy eval-samples --count 8'],
  async run(o, ctx) {
    const { loadClassifier } = await import('./classifier/index.js');
    const { evaluateSamples } = await import('./bench/index.js');
    const classifier = await loadClassifier();
    const r = await withToyModel(o.model, (m) => evaluateSamples(m.sampler, classifier, { ...o, seed: ctx.seed }));
    return {
      data: { ...r, steps: o.steps, guidance: o.guidance },
      text: `toy eval-samples: ${r.count} samples, exact ${r.exact.toFixed(3)}, per attribute ${JSON.stringify(r.perAttribute)}`,
    };
  },
});

const render = defineCommand({
  name: 'render',
  summary: 'render the ground-truth 32x32 picture of a caption (background phase and jitter from --seed)',
  options: z.object({
    caption: z
      .string()
      .min(1)
      .describe('e.g. "a small blue dotted star at center on night"')
      .meta({ placeholder: 'text' }),
  }),
  out: { ...png, describe: 'PNG file' },
  examples: ['modelmath toy render --caption "a small blue dotted star at center on night" --out star.png'],
  async run(o, ctx) {
    const { renderScene, sceneFromCaption } = await import('./world/index.js');
    const { writeImage } = await import('../core/image.js');
    const { Rng } = await import('../core/rng.js');
    await writeImage(ctx.out as string, renderScene(sceneFromCaption(o.caption, new Rng(ctx.seed))));
    return { data: { out: ctx.out, caption: o.caption }, text: `toy render: ${ctx.out}` };
  },
});

const trainClassifier = defineCommand({
  name: 'train-classifier',
  summary: 'train the attribute classifier and write it with its held-out accuracy',
  options: z.object({ steps: z.number().int().min(1).default(500).describe('training steps') }),
  out: { kind: 'file', describe: 'classifier weights', extensions: ['.safetensors'] },
  examples: ['modelmath toy train-classifier --steps 20 --out classifier.safetensors'],
  async run(o, ctx) {
    const { shipClassifier } = await import('./classifier/index.js');
    const r = await shipClassifier({ steps: o.steps, seed: ctx.seed, out: ctx.out });
    return { data: r, text: `toy train-classifier: held-out accuracy ${JSON.stringify(r.heldOut)} -> ${r.path}` };
  },
});

const sweep = defineCommand({
  name: 'sweep',
  summary: 'ChordEdit parameter sweep (t, delta, lambda, t_c) on the toy edit benchmark',
  options: z.object({ pairs: z.number().int().min(1).default(48).describe('edit pairs per setting'), model }),
  inputs: ['model'],
  out: RESULT_JSON_OUTPUT,
  examples: ['modelmath toy sweep --pairs 6', 'modelmath toy sweep --pairs 36 --out sweep.json'],
  async run(o, ctx) {
    const { loadClassifier } = await import('./classifier/index.js');
    const { runSweep } = await import('./bench/index.js');
    const classifier = await loadClassifier();
    const bar = ctx.progress('toy sweep', 1);
    const r = await withToyModel(o.model, (m) =>
      runSweep(m.parts, classifier, {
        pairs: o.pairs,
        seed: ctx.seed,
        onPoint: (done, total) => bar.update(done, { total }),
      }),
    );
    bar.stop();
    const lines = r.points.map(
      (p) =>
        `${p.knob}=${p.value}${p.refine ? '' : ' (no refine)'}: bgPSNR ${p.backgroundPsnr.toFixed(2)} editAcc ${p.editAccuracy.toFixed(3)}`,
    );
    return { data: r, text: lines.join('\n') };
  },
});

const numbers = (what: string) => z.array(z.coerce.number().finite()).min(1).describe(what);
const F = FRONTIER_DEFAULTS;

/** The frontier settings among the flags (`--refinement off,on` as booleans). */
function frontierSettings(o: { model: string; refinement: ('off' | 'on')[] } & Omit<FrontierConfig, 'refine'>) {
  const { model: _, refinement, ...rest } = o;
  return { ...rest, refine: refinement.map((r) => r === 'on') };
}

const frontier = defineCommand({
  name: 'frontier',
  summary: 'ChordEdit vs the naive residual at matched edit accuracy (lambda grid), and the control field energy',
  options: z.object({
    pairs: z.number().int().min(1).max(100_000).default(F.pairs).describe('edit pairs per point'),
    lambdas: numbers('step scales lambda, ascending').default(F.lambdas),
    ts: numbers('query times t (one family each)').default(F.ts),
    delta: z.number().gt(0).lt(1).default(F.delta).describe('the chord window compared with delta = 0'),
    noiseSamples: z
      .array(z.coerce.number().int().min(1).max(64))
      .min(1)
      .default(F.noiseSamples)
      .describe('noise draws n per residual field (one family each)'),
    refinement: z
      .array(z.enum(['off', 'on']))
      .min(1)
      .default(F.refine.map((r) => (r ? 'on' : 'off')))
      .describe('proximal refinement off / on (one family each)'),
    levels: numbers('edit-accuracy levels of the matched comparison').default(F.levels),
    resamples: z.number().int().min(2).max(1_000_000).default(F.resamples).describe('bootstrap resamples of the pairs'),
    energyDraws: z
      .number()
      .int()
      .min(0)
      .max(256)
      .default(F.energyDraws)
      .describe('noise draws per pair for the field energy (0 = skip)'),
    energyTs: numbers('query times of the field energy measurement').default(F.energyTs),
    model,
  }),
  check: (o) => {
    frontierConfig(frontierSettings(o));
  },
  inputs: ['model'],
  out: RESULT_JSON_OUTPUT,
  examples: [
    'modelmath toy frontier --pairs 2 --lambdas 0.5,1 --ts 0.9 --noise-samples 1 --energy-draws 2 --resamples 50',
    'modelmath toy frontier --pairs 240 --out assets/toy/frontier.json --overwrite',
  ],
  async run(o, ctx) {
    const { loadClassifier } = await import('./classifier/index.js');
    const { runFrontier, frontierTextLines } = await import('./bench/index.js');
    const classifier = await loadClassifier();
    const bar = ctx.progress('toy frontier', 1);
    const r = await withToyModel(o.model, (m) =>
      runFrontier(m.parts, classifier, {
        seed: ctx.seed,
        config: frontierSettings(o),
        onPoint: (done, total) => bar.update(done, { total }),
      }),
    );
    bar.stop();
    return { data: r, text: frontierTextLines(r).join('\n') };
  },
});

const editBench = defineCommand({
  name: 'edit-bench',
  summary: 'ground-truth edit benchmark: ChordEdit vs baselines on fixed toy edit pairs, with bootstrap intervals',
  options: z.object({
    suite: z.enum(['toy']).default('toy').describe('benchmark suite'),
    pairs: z.number().int().min(1).max(100_000).default(240).describe('edit pairs (pair i has type i mod 6)'),
    methods: z
      .array(z.enum(BENCH_METHODS))
      .min(1)
      .default([...BENCH_METHODS])
      .describe('methods to run'),
    resamples: z
      .number()
      .int()
      .min(2)
      .max(1_000_000)
      .default(2000)
      .describe('bootstrap resamples of the pairs for the 95% intervals'),
    model,
  }),
  inputs: ['model'],
  out: RESULT_JSON_OUTPUT,
  examples: ['modelmath edit-bench --pairs 6', 'modelmath edit-bench --pairs 240 --out edit-bench.json'],
  async run(o, ctx) {
    const { loadClassifier } = await import('./classifier/index.js');
    const { runEditBench, benchTextLines } = await import('./bench/index.js');
    const classifier = await loadClassifier();
    const bar = ctx.progress('edit-bench', o.pairs * o.methods.length);
    const r = await withToyModel(o.model, (m) =>
      runEditBench(m.parts, classifier, {
        pairs: o.pairs,
        methods: o.methods,
        seed: ctx.seed,
        resamples: o.resamples,
        onEdit: (done) => bar.update(done),
      }),
    );
    bar.stop();
    return { data: r, text: benchTextLines(r).join('\n') };
  },
});

export const commands = [
  {
    name: 'toy',
    summary: 'the embedded toy world: train, export, sample and render the tiny model',
    commands: [train, exportOnnx, generate, render, evalSamples, trainClassifier, sweep, frontier],
  },
  editBench,
];
