/**
 * `modelmath toy ...`: train the toy denoiser on the engine (`toy train`), export it as a
 * diffusers-layout ONNX folder (`toy export-onnx`), sample it (`toy generate`), render scenes
 * (`toy render`); and `modelmath edit-bench` (the ground-truth edit benchmark). Inference runs the
 * ONNX folder (`--model toy` = assets/toy/onnx) through src/pipeline. Options are validated by zod.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, numberFlag, parseOptions } from '../cli/context.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { ConfigError } from '../core/errors.js';
import { imageGrid, writeImage } from '../core/image.js';
import { createProgress } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { generateImages } from '../pipeline/index.js';
import { BENCH_METHODS, evaluateSamples, runEditBench, runSweep } from './bench/index.js';
import { attributeAccuracy, loadClassifier, readScenes, shipClassifier } from './classifier/index.js';
import {
  exportToyOnnx,
  loadToyRuntime,
  TOY_TRAIN_DEFAULTS,
  TOY_TRAIN_PRESETS,
  type ToyRuntime,
  type ToyTrainConfig,
  trainToyModel,
} from './model/index.js';
import { parseCaption, renderScene, sceneFromCaption } from './world/index.js';

/** Runs `work` on the toy model of `--model` (default: the shipped ONNX folder) and releases it. */
async function withToyModel<T>(spec: string, work: (model: ToyRuntime) => Promise<T>): Promise<T> {
  const model = await loadToyRuntime(spec);
  try {
    return await work(model);
  } finally {
    await model.dispose();
  }
}

const MODEL_HELP = "'toy' (the shipped ONNX folder assets/toy/onnx) or a diffusers-layout ONNX folder of 32x32 images";

const trainSchema = z.object({
  preset: z.enum(['quick', 'full']),
  steps: numberFlag.pipe(z.number().int().min(1).max(10_000_000)).optional(),
  batch: numberFlag.pipe(z.number().int().min(1).max(1024)).optional(),
  resume: z.boolean().optional(),
  stopAfter: numberFlag.pipe(z.number().int().min(1)).optional(),
});

function registerTrain(toy: Command): void {
  toy
    .command('train')
    .description('train the toy text-to-image denoiser (checkpoints in --out/checkpoint, weights in --out)')
    .option('--preset <name>', "'quick' (seconds, for tests) or 'full' (the shipped run)", 'full')
    .option('--steps <n>', 'override the preset step count')
    .option('--batch <n>', 'override the preset batch size')
    .option('--resume', 'continue from --out/checkpoint')
    .option(
      '--stop-after <n>',
      'end at step n of the schedule (with --resume at the checkpoint step: export its weights)',
    )
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(trainSchema, raw);
        if (!ctx.out) throw new ConfigError('--out <dir> is required: the folder for checkpoints and weights');
        const preset = TOY_TRAIN_PRESETS[o.preset];
        const config: ToyTrainConfig = {
          ...TOY_TRAIN_DEFAULTS,
          ...preset,
          ...(o.steps !== undefined ? { steps: o.steps } : {}),
          ...(o.batch !== undefined ? { batch: o.batch } : {}),
        };
        const t0 = performance.now();
        const r = await trainToyModel(config, {
          seed: ctx.seed,
          dir: ctx.out,
          resume: o.resume,
          stopAfter: o.stopAfter,
        });
        const seconds = (performance.now() - t0) / 1000;
        ctx.log(
          `toy train: ${r.history.length} of ${config.steps} steps (resumed from ${r.resumedFrom}), final loss ${r.finalLoss.toFixed(4)}, ` +
            `${seconds.toFixed(1)} s; weights ${r.weightsPath}`,
        );
        return {
          steps: r.history.length,
          scheduleSteps: config.steps,
          resumedFrom: r.resumedFrom,
          finalLoss: r.finalLoss,
          seconds,
          weights: r.weightsPath,
        };
      }),
    );
}

const pngOut = (out: string | undefined) => {
  if (!out || !/\.png$/i.test(out))
    throw new ConfigError(`--out must be a .png file, got ${JSON.stringify(out ?? null)}`);
  return out;
};

const generateSchema = z.object({
  caption: z.string().min(1),
  count: numberFlag.pipe(z.number().int().min(1).max(64)),
  steps: numberFlag.pipe(z.number().int().min(1).max(1000)),
  guidance: numberFlag.pipe(z.number().min(0).max(50)),
  model: z.string().min(1),
});

function registerGenerate(toy: Command): void {
  toy
    .command('generate')
    .description('sample images for a caption with k-step DDIM (optional classifier-free guidance) and read them back')
    .requiredOption('--caption <text>', 'e.g. "a large red circle at top left on snow"')
    .option('--count <n>', 'images to sample (a row of the output grid)', '4')
    .option('--steps <k>', 'DDIM steps', '20')
    .option('--guidance <w>', 'classifier-free guidance scale (1 = none)', '1')
    .option('--model <toy|dir>', MODEL_HELP, 'toy')
    .action(
      action(async (raw, ctx) => {
        const o = parseOptions(generateSchema, raw);
        const out = pngOut(ctx.out);
        const truth = parseCaption(o.caption);
        const captions = new Array<string>(o.count).fill(o.caption);
        const images = await withToyModel(o.model, (m) => generateImages(m.sampler, captions, new Rng(ctx.seed), o));
        const readings = readScenes(await loadClassifier(), images);
        const accuracy = attributeAccuracy(readings.map((reading) => ({ reading, truth })));
        await writeImage(out, imageGrid(images, o.count));
        ctx.log(`toy generate: ${o.count} samples -> ${out}; classifier accuracy ${JSON.stringify(accuracy)}`);
        return { out, count: o.count, steps: o.steps, guidance: o.guidance, accuracy };
      }),
    );
}

function registerEvalSamples(toy: Command): void {
  toy
    .command('eval-samples')
    .description('sample N random captions and report the classifier accuracy per attribute (the generation goal)')
    .option('--count <n>', 'random captions (one sample each)', '96')
    .option('--steps <k>', 'DDIM steps', '20')
    .option('--guidance <w>', 'classifier-free guidance scale (1 = none)', '1')
    .option('--model <toy|dir>', MODEL_HELP, 'toy')
    .action(
      action(async (raw: Record<string, unknown>, ctx) => {
        const schema = generateSchema.omit({ caption: true, count: true }).extend({
          count: numberFlag.pipe(z.number().int().min(1).max(10_000)),
        });
        const o = parseOptions(schema, raw);
        const classifier = await loadClassifier();
        const r = await withToyModel(o.model, (m) => evaluateSamples(m.sampler, classifier, { ...o, seed: ctx.seed }));
        ctx.log(
          `toy eval-samples: ${r.count} samples, exact ${r.exact.toFixed(3)}, per attribute ${JSON.stringify(r.perAttribute)}`,
        );
        return { ...r, steps: o.steps, guidance: o.guidance };
      }),
    );
}

function registerRender(toy: Command): void {
  toy
    .command('render')
    .description('render the ground-truth 32x32 picture of a caption (background phase and jitter from --seed)')
    .requiredOption('--caption <text>', 'e.g. "a small blue dotted star at center on night"')
    .action(
      action(async (raw: { caption: string }, ctx) => {
        const out = pngOut(ctx.out);
        await writeImage(out, renderScene(sceneFromCaption(raw.caption, new Rng(ctx.seed))));
        ctx.log(`toy render: ${out}`);
        return { out, caption: raw.caption };
      }),
    );
}

function registerClassifier(toy: Command): void {
  toy
    .command('train-classifier')
    .description('train the attribute classifier and write it with its held-out accuracy (default assets/toy/)')
    .option('--steps <n>', 'training steps', '500')
    .action(
      action(async (raw: { steps: string }, ctx) => {
        const steps = parseOptions(z.object({ steps: numberFlag.pipe(z.number().int().min(1)) }), raw).steps;
        const r = await shipClassifier({ steps, seed: ctx.seed, out: ctx.out });
        ctx.log(`toy train-classifier: held-out accuracy ${JSON.stringify(r.heldOut)} -> ${r.path}`);
        return r;
      }),
    );
}

const benchSchema = z.object({
  suite: z.enum(['toy']),
  pairs: numberFlag.pipe(z.number().int().min(1).max(100_000)),
  methods: z.array(z.enum(BENCH_METHODS)).min(1),
  model: z.string().min(1),
});

function registerBench(program: Command): void {
  program
    .command('edit-bench')
    .description('ground-truth edit benchmark: ChordEdit vs baselines on fixed toy edit pairs (all six edit types)')
    .option('--suite <name>', "benchmark suite ('toy')", 'toy')
    .option('--pairs <n>', 'edit pairs (pair i has type i mod 6)', '240')
    .option('--methods <list>', `comma-separated: ${BENCH_METHODS.join(',')}`, BENCH_METHODS.join(','))
    .option('--model <toy|dir>', MODEL_HELP, 'toy')
    .addHelpText('after', '\nWith --out FILE the result JSON is also written to FILE (atomically).')
    .action(
      action(async (raw: Record<string, unknown>, ctx) => {
        const o = parseOptions(benchSchema, {
          ...raw,
          methods: String(raw.methods)
            .split(',')
            .map((m) => m.trim()),
        });
        const classifier = await loadClassifier();
        const bar = createProgress('edit-bench', o.pairs * o.methods.length);
        const r = await withToyModel(o.model, (m) =>
          runEditBench(m.parts, classifier, {
            pairs: o.pairs,
            methods: o.methods,
            seed: ctx.seed,
            onEdit: (done) => bar.update(done),
          }),
        );
        bar.stop();
        if (ctx.out) writeJsonAtomic(ctx.out, r);
        for (const [name, m] of Object.entries(r.methods)) {
          ctx.log(
            `${name.padEnd(15)} bgPSNR ${m.backgroundPsnr.toFixed(2)}  targetPSNR ${m.targetPsnr.toFixed(2)}  ` +
              `editAcc ${m.editAccuracy.toFixed(3)}  NFE ${m.nfe}  ${m.msPerEdit.toFixed(1)} ms (CPU ${m.cpuMsPerEdit.toFixed(1)} ms)`,
          );
        }
        return r;
      }),
    );
}

function registerSweep(toy: Command): void {
  toy
    .command('sweep')
    .description('ChordEdit parameter sweep (t, delta, lambda, t_c) on the toy edit benchmark; --out writes the JSON')
    .option('--pairs <n>', 'edit pairs per setting', '48')
    .option('--model <toy|dir>', MODEL_HELP, 'toy')
    .action(
      action(async (raw: Record<string, unknown>, ctx) => {
        const o = parseOptions(
          z.object({ pairs: numberFlag.pipe(z.number().int().min(1)), model: z.string().min(1) }),
          raw,
        );
        const classifier = await loadClassifier();
        const bar = createProgress('toy sweep', 1);
        const r = await withToyModel(o.model, (m) =>
          runSweep(m.parts, classifier, {
            pairs: o.pairs,
            seed: ctx.seed,
            onPoint: (done, total) => bar.update(done, { total }),
          }),
        );
        bar.stop();
        if (ctx.out) writeJsonAtomic(ctx.out, r);
        for (const p of r.points) {
          ctx.log(
            `${p.knob}=${p.value}${p.refine ? '' : ' (no refine)'}: bgPSNR ${p.backgroundPsnr.toFixed(2)} editAcc ${p.editAccuracy.toFixed(3)}`,
          );
        }
        return r;
      }),
    );
}

function registerExport(toy: Command): void {
  toy
    .command('export-onnx')
    .description('export trained toy weights as a diffusers/Optimum-layout ONNX folder (the format --model reads)')
    .option('--weights <file>', 'denoiser weights (default: the shipped assets/toy/toy-denoiser.safetensors)')
    .option('--fixed-batch', 'fix every batch dimension at 1 (as some exports do)')
    .addHelpText(
      'after',
      '\nExample: modelmath --out assets/toy/onnx toy export-onnx   (regenerates the shipped folder)',
    )
    .action(
      action(async (raw: Record<string, unknown>, ctx) => {
        const o = parseOptions(
          z.object({ weights: z.string().min(1).optional(), fixedBatch: z.boolean().optional() }),
          raw,
        );
        if (!ctx.out) throw new ConfigError('--out <dir> is required: the folder to write');
        const files = await exportToyOnnx(ctx.out, { weights: o.weights, fixedBatch: o.fixedBatch });
        ctx.log(`toy export-onnx: ${files.length} files -> ${ctx.out}`);
        return { out: ctx.out, files };
      }),
    );
}

/** Registers `toy` and `edit-bench`. */
export function register(program: Command): void {
  const toy = program.command('toy').description('the embedded toy world: train, sample and render the tiny model');
  registerTrain(toy);
  registerExport(toy);
  registerGenerate(toy);
  registerRender(toy);
  registerEvalSamples(toy);
  registerClassifier(toy);
  registerSweep(toy);
  registerBench(program);
}
