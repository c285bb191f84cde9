/**
 * The 2-D diffusion / EBM page: the diffusion part's lab network (an energy E(x, t) trained by
 * denoising score matching, or an eps-network) trains live in the page on the engine (TensorFlow.js,
 * wasm back-end served with the site), with the same createLabRun / labTrainStep as `modelmath
 * diffusion lab`; the view shows exp(-E) (energy model) or the data, arrows of the score -grad_x E
 * = -eps / sigma at a chosen noise level, and DDIM samples.
 */
import { getTf, setEngineWasmPath } from '../../core/engine.js';
import { Rng } from '../../core/rng.js';
import { alphaSigma, DdimScheduler } from '../../diffusion/index.js';
import {
  createLabRun,
  DATASETS,
  type DatasetName,
  LAB_MODELS,
  type LabModelKind,
  type LabRun,
  labConfig,
  labEnergy,
  labEpsFn,
  labTrainStep,
  sampleDataset,
  sampleWithScheduler,
} from '../../diffusion/lab/index.js';
import { drawArrows, drawField, drawPoints, type FieldView, linePlot } from './plot.js';
import { $, fillSelect, message, nextFrame, num, showError, status } from './ui.js';

const VIEW: FieldView = { lo: -2.5, hi: 2.5 };
const GRID = 48;
const ARROWS = 17;

let say: ReturnType<typeof status>;
let run: LabRun | null = null;
let losses: [number, number][] = [];
let stepsDone = 0;
let training = false;
let samples: Float32Array | null = null;

/** Grid points [n*n, 2] covering the view, row-major with y upwards. */
function grid(n: number): Float32Array {
  const out = new Float32Array(n * n * 2);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      out[(j * n + i) * 2] = VIEW.lo + ((i + 0.5) * (VIEW.hi - VIEW.lo)) / n;
      out[(j * n + i) * 2 + 1] = VIEW.lo + ((j + 0.5) * (VIEW.hi - VIEW.lo)) / n;
    }
  }
  return out;
}

/** The DDPM index of the noise level slider t in (0, 1]. */
const levelIndex = (r: LabRun) => Math.max(0, Math.round(num('dl-level') * r.config.scheduleSteps) - 1);

function newRun(): LabRun {
  const config = labConfig({
    data: $<HTMLSelectElement>('dl-data').value as DatasetName,
    model: $<HTMLSelectElement>('dl-model').value as LabModelKind,
    hidden: 64,
    depth: 3,
    steps: num('dl-steps'),
    batch: 256,
  });
  losses = [];
  stepsDone = 0;
  samples = null;
  return createLabRun(config, num('dl-seed'));
}

const densities = new Map<DatasetName, Float32Array>();

/** log(1 + count) of 4000 fixed draws of a dataset on the view grid (the same at every redraw: computed once). */
function dataDensity(name: DatasetName): Float32Array {
  let field = densities.get(name);
  if (!field) {
    const counts = new Float32Array(GRID * GRID);
    const data = sampleDataset(name, 4000, new Rng(1).fork('view'));
    for (let i = 0; i < data.length; i += 2) {
      const gx = Math.floor(((data[i] - VIEW.lo) / (VIEW.hi - VIEW.lo)) * GRID);
      const gy = Math.floor(((data[i + 1] - VIEW.lo) / (VIEW.hi - VIEW.lo)) * GRID);
      if (gx >= 0 && gx < GRID && gy >= 0 && gy < GRID) counts[gy * GRID + gx] += 1;
    }
    field = counts.map((v) => Math.log1p(v));
    densities.set(name, field);
  }
  return field;
}

/** Density (energy model: -E as log density; eps model: a histogram of the data), score arrows, samples. */
function drawView(): void {
  if (!run) return;
  const canvas = $<HTMLCanvasElement>('dl-field');
  const index = levelIndex(run);
  const c = run.config;
  if (c.model === 'energy') {
    const e = labEnergy(run.params, c, grid(GRID), index, run.alphasCumprod);
    drawField(
      canvas,
      e.map((v) => -v),
      GRID,
    );
  } else {
    drawField(canvas, dataDensity(c.data), GRID);
  }
  const at = grid(ARROWS);
  const eps = labEpsFn(run.params, c, run.alphasCumprod)(at, index);
  const { sigma } = alphaSigma(run.alphasCumprod, index);
  const score = eps.map((v) => -v / sigma); // -grad_x E = score = -eps / sigma
  drawArrows(canvas, VIEW, at, score, (VIEW.hi - VIEW.lo) / ARROWS);
  if (samples) drawPoints(canvas, VIEW, samples, '#e4572e');
  linePlot($<HTMLCanvasElement>('dl-loss'), [{ name: 'denoising loss', color: '#1f77b4', points: losses }], {
    title: 'training loss (mean |eps_theta - eps|^2)',
    xLabel: 'step',
    yLabel: 'loss',
  });
}

/** Trains until the run's step count (or Stop), drawing every 25 steps. */
async function train(): Promise<void> {
  if (training) return;
  showError($('dl-error'), '');
  training = true;
  try {
    await getTf();
    run ??= newRun();
    const total = run.config.steps;
    while (training && stepsDone < total) {
      const m = labTrainStep(run);
      stepsDone++;
      losses.push([stepsDone, m.loss]);
      if (stepsDone % 25 === 0 || stepsDone === total) {
        drawView();
        $('dl-step').textContent = String(stepsDone);
        say(`training: step ${stepsDone} of ${total}, loss ${m.loss.toFixed(4)}`, stepsDone / total);
        await nextFrame();
      }
    }
    say(`trained ${stepsDone} steps`, null);
    $('dl-step').textContent = String(stepsDone);
  } catch (err) {
    say('failed', null);
    showError($('dl-error'), message(err));
  } finally {
    training = false;
  }
}

/** DDIM samples from the current network. */
async function sample(): Promise<void> {
  if (!run) return;
  await getTf();
  const eps = labEpsFn(run.params, run.config, run.alphasCumprod);
  samples = sampleWithScheduler(new DdimScheduler(run.alphasCumprod), eps, {
    n: 600,
    dim: 2,
    steps: 50,
    rng: new Rng(num('dl-seed')).fork('page-samples'),
  });
  drawView();
  say(`600 DDIM samples (50 steps) after ${stepsDone} training steps`, null);
}

function reset(): void {
  training = false;
  run?.optimizer.dispose();
  run = null;
  $('dl-step').textContent = '0';
}

export async function initDiffusion(): Promise<void> {
  say = status('dl-status');
  fillSelect($<HTMLSelectElement>('dl-data'), DATASETS);
  fillSelect($<HTMLSelectElement>('dl-model'), LAB_MODELS);
  setEngineWasmPath(new URL('./tfjs/', document.baseURI).href);
  say('loading the engine (TensorFlow.js, wasm)…', null);
  await getTf();
  say('ready: press Train', null);
  $('dl-train').addEventListener('click', () => void train());
  $('dl-stop').addEventListener('click', () => {
    training = false;
  });
  $('dl-sample').addEventListener('click', () => void sample().catch((err) => showError($('dl-error'), message(err))));
  for (const id of ['dl-data', 'dl-model', 'dl-seed', 'dl-steps']) $(id).addEventListener('change', reset);
  $('dl-level').addEventListener('change', drawView);
}
