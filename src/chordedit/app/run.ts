/**
 * ChordEdit as an application (the CLI's `edit` and the web lab share it): open a model by name
 * (`toy`) or folder once per run through the one model loader (src/pipeline), edit one image file
 * into an output file (atomic: no partial output), run a resumable JSONL batch that reports each bad
 * row with its line number, and run a PIE-Bench folder with background metrics.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError, InputError, ModelMathError, ShapeError } from '../../core/errors.js';
import { type Image, readImage, resizeImage, writeImage } from '../../core/image.js';
import type { OnnxOptions } from '../../core/onnx.js';
import { writeJsonAtomic } from '../../core/outputs.js';
import { loadPipeline } from '../../pipeline/index.js';
import { type ChordConfig, checkMethod, type EditMethod, validateChordConfig } from '../config.js';
import { ChordEditor, type EditDiagnostics, type EditorParts } from '../editor.js';
import { backgroundMetrics } from '../metrics.js';
import { decodePieMask, PIE_MASK_SIZE, readPieBench } from '../pie-bench.js';

/** A model ready to edit images of any size. */
export interface EditModel {
  name: string;
  /** The parts for one input image, and the image as it will be edited (resized as the model needs). */
  partsFor(image: Image): Promise<{ parts: EditorParts; image: Image }>;
  /** Milliseconds spent in model graphs so far (text encoder, denoiser, VAE), when known. */
  modelMs(): number | null;
  dispose(): Promise<void>;
}

/** Opens `toy` (the shipped ONNX folder) or a diffusers/Optimum ONNX folder; sessions are created once for the run. */
export async function loadEditModel(spec: string, options: OnnxOptions = {}): Promise<EditModel> {
  const pipeline = await loadPipeline(spec, options);
  return {
    name: spec,
    async partsFor(image) {
      // the graph's fixed size, else long side <= sample_size x VAE factor, multiples of the factor
      const size = pipeline.imageSizeFor(image.height, image.width);
      const same = size.height === image.height && size.width === image.width;
      const sized = same ? image : await resizeImage(image, { ...size, fit: 'fill' });
      return { parts: pipeline.parts(size.height, size.width), image: sized };
    },
    modelMs: () => pipeline.modelMs(),
    dispose: () => pipeline.dispose(),
  };
}

/** One edit, as given on the command line or as one JSONL row. */
export interface EditJob {
  image: string;
  source: string;
  target: string;
  out: string;
  method: EditMethod;
  seed: number;
  config: Partial<ChordConfig>;
}

/** What an edit reports (the CLI's --json line; one row of the batch report). */
export interface EditSummary {
  image: string;
  out: string;
  method: EditMethod;
  /** Size of the input image, and of the edited image (the model's size, when it differs). */
  inputHeight: number;
  inputWidth: number;
  height: number;
  width: number;
  nfe: number;
  modelCalls: number;
  energies: EditDiagnostics['steps'];
  /** Milliseconds in the denoiser's predictEps calls. */
  timeModelMs: number;
  /** Milliseconds of the edit outside predictEps. */
  timeMathMs: number;
  /** Milliseconds in all model graphs (text encoder, denoiser, VAE), when the model reports it. */
  timeAllModelsMs: number | null;
  /** Wall milliseconds of the whole job (read, edit, write). */
  timeTotalMs: number;
  adjustments: string[];
}

/** Reads, edits and writes one image. The output file appears only when everything succeeded. */
export async function runEditJob(model: EditModel, job: EditJob): Promise<EditSummary> {
  const t0 = performance.now();
  const m0 = model.modelMs();
  const input = await readImage(job.image);
  const { parts, image } = await model.partsFor(input);
  const result = await new ChordEditor(parts).edit({
    image,
    source: job.source,
    target: job.target,
    method: job.method,
    config: job.config,
    seed: job.seed,
  });
  if (!result.image) throw new ModelMathError(`model ${model.name} has no decoder; cannot write ${job.out}`);
  await writeImage(job.out, result.image);
  const d = result.diagnostics;
  return {
    image: job.image,
    out: job.out,
    method: d.method,
    inputHeight: input.height,
    inputWidth: input.width,
    height: result.image.height,
    width: result.image.width,
    nfe: d.nfe,
    modelCalls: d.modelCalls,
    energies: d.steps,
    timeModelMs: d.timeModelMs,
    timeMathMs: d.timeMathMs,
    timeAllModelsMs: m0 === null ? null : (model.modelMs() ?? 0) - m0,
    timeTotalMs: performance.now() - t0,
    adjustments: d.adjustments,
  };
}

const ROW_KEYS = [
  'image',
  'source',
  'target',
  'out',
  'method',
  'seed',
  't',
  'delta',
  'lambda',
  'tc',
  'refine',
  'noiseSamples',
  'steps',
];

/** Parses one JSONL row into a job (defaults from the command line); throws InputError/ConfigError. */
export function parseBatchRow(
  line: string,
  lineNo: number,
  outDir: string,
  defaults: Omit<EditJob, 'image' | 'source' | 'target' | 'out'>,
): EditJob {
  let row: Record<string, unknown>;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new InputError(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row))
    throw new InputError('each row must be a JSON object');
  for (const key of Object.keys(row))
    if (!ROW_KEYS.includes(key))
      throw new ConfigError(`unknown field ${JSON.stringify(key)}; known: ${ROW_KEYS.join(', ')}`);
  for (const key of ['image', 'source', 'target'] as const) {
    if (typeof row[key] !== 'string' || row[key] === '') throw new InputError(`"${key}" must be a non-empty string`);
  }
  const image = row.image as string;
  const name =
    typeof row.out === 'string' ? row.out : `${String(lineNo).padStart(4, '0')}-${basename(image, extname(image))}.png`;
  if (basename(name) !== name)
    throw new ConfigError(`"out" must be a file name inside the output folder, got ${JSON.stringify(name)}`);
  const { t, delta, lambda, tc, refine, noiseSamples, steps } = row as Partial<ChordConfig>;
  const overrides = Object.fromEntries(
    Object.entries({ t, delta, lambda, tc, refine, noiseSamples, steps }).filter(([, v]) => v !== undefined),
  );
  const config = { ...defaults.config, ...overrides };
  const method = row.method === undefined ? defaults.method : checkMethod(row.method);
  validateChordConfig(method === 'naive' ? { ...config, delta: 0 } : config);
  const seed = row.seed === undefined ? defaults.seed : Number(row.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new ConfigError(`"seed" must be an integer in [0, 4294967295], got ${JSON.stringify(row.seed)}`);
  return {
    image,
    source: row.source as string,
    target: row.target as string,
    out: join(outDir, name),
    method,
    seed,
    config,
  };
}

export interface BatchReport {
  rows: number;
  done: number;
  skipped: number;
  failed: { line: number; error: string }[];
  results: (EditSummary & { line: number })[];
}

/** Runs every row of a JSONL file; finished outputs are skipped, bad rows are collected with their line numbers. */
export async function runBatch(
  model: EditModel,
  file: string,
  outDir: string,
  defaults: Omit<EditJob, 'image' | 'source' | 'target' | 'out'>,
  onRow: (done: number, total: number) => void = () => {},
): Promise<BatchReport> {
  if (!existsSync(file)) throw new InputError(`batch file not found: ${file}`);
  const lines = readFileSync(file, 'utf8').split('\n');
  const rows = lines.map((text, i) => ({ text: text.trim(), line: i + 1 })).filter((r) => r.text !== '');
  if (rows.length === 0) throw new InputError(`batch file ${file} has no rows`);
  mkdirSync(outDir, { recursive: true });
  const report: BatchReport = { rows: rows.length, done: 0, skipped: 0, failed: [], results: [] };
  for (const [k, { text, line }] of rows.entries()) {
    try {
      const job = parseBatchRow(text, line, outDir, defaults);
      if (existsSync(job.out)) report.skipped++;
      else {
        report.results.push({ line, ...(await runEditJob(model, job)) });
        report.done++;
      }
    } catch (err) {
      if (!(err instanceof ModelMathError)) throw err;
      report.failed.push({ line, error: err.message });
    }
    onRow(k + 1, rows.length);
  }
  writeJsonAtomic(join(outDir, 'batch-report.json'), report);
  return report;
}

/** Background metrics of one PIE-Bench edit, both mask conventions. */
export interface PieRow {
  id: string;
  out: string;
  psnr: number;
  mse: number;
  ssim: number;
  exact: { psnr: number; mse: number; ssim: number };
  nfe: number;
  timeTotalMs: number;
}

export interface PieReport {
  records: number;
  done: number;
  skipped: number;
  failed: { id: string; error: string }[];
  /** Means over the edited records (PIE-Bench convention: masked images, mean over all pixels). */
  mean: { psnr: number; mse: number; ssim: number } | null;
  rows: PieRow[];
}

/**
 * Edits every PIE-Bench record (output under outDir/annotation_images/<image_path>, PNG) and scores
 * the background (outside the decoded mask) against the source. Resumable: existing outputs are scored, not re-edited.
 */
export async function runPieBench(
  model: EditModel,
  root: string,
  outDir: string,
  defaults: Omit<EditJob, 'image' | 'source' | 'target' | 'out'>,
  options: { limit?: number; onRecord?: (done: number, total: number) => void } = {},
): Promise<PieReport> {
  const records = readPieBench(root).slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  const report: PieReport = { records: records.length, done: 0, skipped: 0, failed: [], mean: null, rows: [] };
  for (const [k, r] of records.entries()) {
    try {
      const rel = relative(resolve(root, 'annotation_images'), r.imagePath).replace(/\.[^.]+$/, '.png');
      const out = join(outDir, 'annotation_images', rel);
      mkdirSync(dirname(out), { recursive: true });
      let nfe = 0;
      let timeTotalMs = 0;
      if (existsSync(out)) report.skipped++;
      else {
        const s = await runEditJob(model, {
          ...defaults,
          image: r.imagePath,
          source: r.sourcePrompt,
          target: r.targetPrompt,
          out,
        });
        nfe = s.nfe;
        timeTotalMs = s.timeTotalMs;
        report.done++;
      }
      const source = (await model.partsFor(await readImage(r.imagePath))).image;
      const edited = await readImage(out);
      const size = PIE_MASK_SIZE;
      for (const [what, im] of [
        ['source', source],
        ['edited', edited],
      ] as const) {
        if (im.height !== size || im.width !== size) {
          throw new ShapeError(`${what} image is ${im.width}x${im.height}; PIE-Bench masks are ${size}x${size}`);
        }
      }
      const mask = decodePieMask(r.maskRle, size, size);
      const pie = backgroundMetrics(source, edited, mask, { convention: 'pie-bench' });
      const exact = backgroundMetrics(source, edited, mask);
      report.rows.push({ id: r.id, out, ...pie, exact, nfe, timeTotalMs });
    } catch (err) {
      if (!(err instanceof ModelMathError)) throw err;
      report.failed.push({ id: r.id, error: err.message });
    }
    options.onRecord?.(k + 1, records.length);
  }
  const n = report.rows.length;
  if (n > 0) {
    const avg = (key: 'psnr' | 'mse' | 'ssim') => report.rows.reduce((s, row) => s + row[key], 0) / n;
    report.mean = { psnr: avg('psnr'), mse: avg('mse'), ssim: avg('ssim') };
  }
  writeJsonAtomic(join(outDir, 'pie-bench-report.json'), report);
  return report;
}
