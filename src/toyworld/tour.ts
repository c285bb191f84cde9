/**
 * Tour section: the embedded toy world. Live (seconds): samples of the shipped model (the ONNX
 * folder assets/toy/onnx through src/pipeline) for a few captions, and one edit of each kind
 * (source | true target | every method). From shipped JSON (made by the documented commands in
 * docs/parts/toyworld.md): the full edit benchmark with its intervals, the ChordEdit parameter sweep,
 * the chord-vs-naive frontier at matched accuracy with the control field's energy, and the loss curve.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChordEditor, type EditorParts } from '../chordedit/index.js';
import { assetPath } from '../core/assets.js';
import { encodePng, type Image, imageGrid } from '../core/image.js';
import { Rng } from '../core/rng.js';
import { formatInterval } from '../core/stats.js';
import type { Figure, SectionResult, Table, TourContext, TourSection } from '../core/tour-section.js';
import { generateImages } from '../pipeline/index.js';
import {
  BENCH_METHOD_SETTINGS,
  BENCH_METHODS,
  type BenchResult,
  type FrontierResult,
  type SweepResult,
} from './bench/index.js';
import { loadClassifier, readScenes, sceneMatches } from './classifier/index.js';
import { frontierFigure, frontierSummary, frontierTables, mergeFrontiers } from './figures.js';
import { loadToyRuntime } from './model/index.js';
import { EDIT_TYPES, parseCaption, renderEdit, sampleEdit } from './world/index.js';

const ASSETS = assetPath('toy');

function readJson<T>(name: string): T | null {
  const path = join(ASSETS, name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

const fmt = (v: number, d = 2) => Number(v.toFixed(d));

/** Overall benchmark table plus edit accuracy per edit type. */
function benchTables(bench: BenchResult): Table[] {
  const methods = BENCH_METHODS.filter((m) => bench.methods[m]);
  return [
    {
      caption: `Edit benchmark, ${bench.pairs} pairs (seed ${bench.seed}); background = outside the true mask, target PSNR = inside it vs the true target`,
      columns: [
        'method',
        'NFE',
        'background PSNR',
        '95% CI',
        'background SSIM',
        'target PSNR',
        'edit accuracy',
        '95% CI',
        'ms / edit',
        'CPU ms / edit',
      ],
      rows: methods.map((m) => {
        const r = bench.methods[m]!;
        return [
          m,
          r.nfe,
          fmt(r.backgroundPsnr),
          formatInterval(r.ci95?.backgroundPsnr, 2),
          fmt(r.backgroundSsim, 3),
          fmt(r.targetPsnr),
          fmt(r.editAccuracy, 3),
          formatInterval(r.ci95?.editAccuracy, 3),
          fmt(r.msPerEdit, 1),
          r.cpuMsPerEdit === undefined ? '–' : fmt(r.cpuMsPerEdit, 1),
        ];
      }),
    },
    {
      caption: 'Edit accuracy by edit type (classifier reads exactly the target scene)',
      columns: ['method', ...EDIT_TYPES],
      rows: methods.map((m) => [
        m,
        ...EDIT_TYPES.map((t) => fmt(bench.methods[m]!.byType[t]?.editAccuracy ?? Number.NaN, 3)),
      ]),
    },
    {
      caption:
        'ChordEdit − naive residual on the same pairs and noise seeds (paired bootstrap 95% CI over pairs), at the same λ = 1',
      columns: [
        'comparison',
        'Δ background PSNR (dB)',
        '95% CI',
        'Δ edit accuracy',
        '95% CI',
        'pairs correct only with a / b',
      ],
      rows: Object.values(bench.paired ?? {}).map((p) => [
        `${p.a} − ${p.b}`,
        fmt(p.deltaBackgroundPsnr, 3),
        formatInterval(p.ci95.deltaBackgroundPsnr, 3),
        fmt(p.deltaEditAccuracy, 3),
        formatInterval(p.ci95.deltaEditAccuracy, 3),
        `${p.onlyA} / ${p.onlyB}`,
      ]),
    },
  ];
}

function sweepFigure(sweep: SweepResult): Figure {
  return {
    caption: `ChordEdit sweep (${sweep.pairs} pairs per point): background PSNR vs edit accuracy, one knob at a time around t = 0.9, δ = 0.15, λ = 1, t_c = 0.3`,
    vegaLite: {
      data: { values: sweep.points.map((p) => ({ ...p, series: `${p.knob}${p.refine ? '' : ' (no refine)'}` })) },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'backgroundPsnr', type: 'quantitative', title: 'background PSNR (dB)', scale: { zero: false } },
        y: { field: 'editAccuracy', type: 'quantitative', title: 'edit accuracy' },
        color: { field: 'series', type: 'nominal' },
        order: { field: 'value' },
        tooltip: [{ field: 'series' }, { field: 'value' }, { field: 'backgroundPsnr' }, { field: 'editAccuracy' }],
      },
      width: 420,
      height: 260,
    },
  };
}

function lossFigure(curve: { history: { step: number; loss: number }[] }): Figure {
  const every = Math.max(1, Math.floor(curve.history.length / 300));
  const values = curve.history.filter((_, i) => i % every === 0);
  return {
    caption: 'Training loss of the shipped denoiser (x0-prediction MSE per step)',
    vegaLite: {
      data: { values },
      mark: 'line',
      encoding: {
        x: { field: 'step', type: 'quantitative' },
        y: { field: 'loss', type: 'quantitative', scale: { type: 'log' } },
      },
      width: 420,
      height: 200,
    },
  };
}

/** One edit of each type with every method, as rows of a grid. */
async function editGrid(ctx: TourContext, model: EditorParts) {
  const editor = new ChordEditor(model);
  const types = ctx.quick ? EDIT_TYPES.slice(0, 2) : EDIT_TYPES;
  const rows: Image[] = [];
  const captions: string[] = [];
  for (const [i, type] of types.entries()) {
    const e = renderEdit(sampleEdit(ctx.rng.fork(`edit-${type}`), type));
    rows.push(e.sourceImage, e.targetImage);
    for (const name of BENCH_METHODS) {
      const { method, config } = BENCH_METHOD_SETTINGS[name];
      const r = await editor.edit({
        image: e.sourceImage,
        source: e.sourceCaption,
        target: e.targetCaption,
        method,
        config,
        seed: ctx.seed + i,
      });
      rows.push(r.image!);
    }
    captions.push(`${type}: "${e.sourceCaption}" → "${e.targetCaption}"`);
  }
  return { grid: imageGrid(rows, 2 + BENCH_METHODS.length, 1), captions };
}

async function run(ctx: TourContext): Promise<SectionResult> {
  const model = await loadToyRuntime();
  try {
    return await runOn(ctx, model);
  } finally {
    await model.dispose();
  }
}

async function runOn(ctx: TourContext, model: Awaited<ReturnType<typeof loadToyRuntime>>): Promise<SectionResult> {
  const classifier = await loadClassifier();
  const bench = readJson<BenchResult>('edit-bench.json');
  const sweep = readJson<SweepResult>('sweep.json');
  const frontiers = ['frontier.json', 'frontier-small-t.json'].flatMap((f) => readJson<FrontierResult>(f) ?? []);
  const frontier = frontiers.length ? mergeFrontiers(frontiers) : null;
  const curve = readJson<{ history: { step: number; loss: number }[] }>('loss.json');
  const m = (readJson<{ _modelmath?: Record<string, string> }>('onnx/model_index.json')?._modelmath ?? {}) as Record<
    string,
    string
  >;

  const prompts = [
    'a large red circle at top left on snow',
    'a large blue square at center on grass',
    'a small yellow striped star at right on night',
    'a large purple dotted triangle at bottom on sand',
  ].slice(0, ctx.quick ? 2 : 4);
  const samples = await generateImages(model.sampler, prompts, new Rng(ctx.seed).fork('samples'), {
    steps: ctx.quick ? 8 : 20,
  });
  const readings = readScenes(classifier, samples);
  const matched = readings.filter((r, i) => sceneMatches(r, parseCaption(prompts[i]))).length;
  const { grid, captions } = await editGrid(ctx, model.parts);

  const tables = [...(bench ? benchTables(bench) : []), ...(frontier ? frontierTables(frontier) : [])];
  const figures = [
    ...(frontier ? [frontierFigure(frontier)] : []),
    ...(sweep ? [sweepFigure(sweep)] : []),
    ...(curve ? [lossFigure(curve)] : []),
  ];
  return {
    summary:
      `A ${m.params}-parameter patch transformer with 2-D RoPE, trained here for ${m.steps} steps on seeded toy scenes (final loss ${m.final_loss}) and shipped as a diffusers-layout ONNX folder, serves ChordEdit through the same pipeline as an SD-Turbo export. ` +
      `Because every toy edit has a ground-truth target and an exact mask, background preservation and edit success are measured, not eyeballed.` +
      `\n\nLive: ${matched}/${prompts.length} samples are read back by the classifier exactly as captioned. ` +
      (bench
        ? `Full benchmark (${bench.pairs} pairs), frontier and sweep below were produced by \`modelmath edit-bench\`, \`modelmath toy frontier\` and \`modelmath toy sweep\` (docs/parts/toyworld.md).`
        : 'The benchmark JSON is not shipped yet.') +
      (frontier ? `\n\n${frontierSummary(frontier)}` : ''),
    tables,
    figures,
    images: [
      {
        caption: `Samples (20-step DDIM): ${prompts.join(' | ')}`,
        png: await encodePng(imageGrid(samples, samples.length, 1)),
        displayWidth: 512,
      },
      {
        caption: `Edits, one row per kind: source | true target | ${BENCH_METHODS.join(' | ')}. ${captions.join('; ')}`,
        png: await encodePng(grid),
        displayWidth: 700,
      },
    ],
    data: {
      samplesMatched: matched,
      samples: prompts.length,
      bench: bench ?? null,
      sweepPoints: sweep?.points.length ?? 0,
    },
  };
}

export const section: TourSection = {
  id: 'toyworld',
  title: 'Toy world: a tiny text-to-image model and a ground-truth edit benchmark',
  run,
};
