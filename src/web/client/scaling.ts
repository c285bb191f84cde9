/**
 * The Scaling page, computed in the browser: a preset law or a law fitted to the user's CSV of runs
 * (in a worker, with the CLI's fit), drawn as the scaling part's lab figures (Vega-Lite specs
 * rendered to SVG by Vega in the page, with its CSP-safe expression interpreter), and the
 * compute-optimal allocation at the chosen budget.
 */
import { vegaLiteToSvg } from '../../report/vega.js';
import {
  computeOptimal,
  contourSpec,
  isoFlopSpec,
  LAW_NAMES,
  LAW_PRESETS,
  type ParametricLaw,
  type RunsWithFlops,
} from '../../scaling/index.js';
import { $, fillSelect, message, row, showError, status } from './ui.js';

interface Fitted {
  law: ParametricLaw & { objective: number; runs: number; starts: number; converged: number };
  runs: RunsWithFlops;
  name: string;
}

let fitted: Fitted | null = null;
let say: ReturnType<typeof status>;
let generation = 0;

const budget = () => 10 ** Number($<HTMLInputElement>('budget').value);
const sci = (x: number) => Number(x).toExponential(3);

async function draw(): Promise<void> {
  const mine = ++generation;
  const law: ParametricLaw = fitted
    ? fitted.law
    : LAW_PRESETS[$<HTMLSelectElement>('law').value as keyof typeof LAW_PRESETS];
  const flops = budget();
  const [contour, iso] = await Promise.all([
    vegaLiteToSvg(contourSpec(law, flops, fitted?.runs)),
    vegaLiteToSvg(isoFlopSpec(law, flops)),
  ]);
  if (mine !== generation) return;
  $('contour').innerHTML = contour; // rendered here by Vega from numbers, not from user text
  $('isoflop').innerHTML = iso;
  const a = computeOptimal(law, flops);
  const f = fitted;
  $<HTMLTableElement>('allocation').tBodies[0].replaceChildren(
    row(
      'law',
      f ? `fitted to ${f.law.runs} runs of ${f.name} (${f.law.starts} starts)` : $<HTMLSelectElement>('law').value,
    ),
    row('E, A, B', `${law.E.toFixed(4)}, ${law.A.toPrecision(5)}, ${law.B.toPrecision(5)}`),
    row('alpha, beta', `${law.alpha.toFixed(4)}, ${law.beta.toFixed(4)}`),
    ...(f ? [row('Huber objective', f.law.objective.toExponential(6))] : []),
    row('budget C (FLOPs)', sci(a.flops)),
    row('optimal parameters N', sci(a.params)),
    row('optimal tokens D', sci(a.tokens)),
    row('tokens per parameter', a.tokensPerParam.toFixed(2)),
    row('predicted loss', a.loss.toFixed(4)),
  );
  // full precision for scripts and tests (the same numbers `modelmath scaling fit --json` prints)
  $('fit-json').textContent = f
    ? JSON.stringify({ E: law.E, A: law.A, B: law.B, alpha: law.alpha, beta: law.beta, objective: f.law.objective })
    : '';
  say('done', null);
}

/** Fits the chosen CSV in a worker. */
async function fitFile(file: File): Promise<void> {
  say(`fitting ${file.name} (4500 starts)…`, null);
  const csv = await file.text();
  const worker = new Worker(new URL('./fit-worker.ts', import.meta.url), { type: 'module' });
  const answer = await new Promise<{
    fit?: Fitted['law'];
    points?: { params: number; tokens: number }[];
    error?: string;
    seconds?: number;
  }>((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => resolve({ error: e.message });
    worker.postMessage({ csv, name: file.name });
  });
  worker.terminate();
  if (answer.error || !answer.fit || !answer.points) throw new Error(answer.error ?? 'the fit failed');
  const params = Float64Array.from(answer.points, (p) => p.params);
  const tokens = Float64Array.from(answer.points, (p) => p.tokens);
  fitted = {
    law: answer.fit,
    runs: { params, tokens, loss: new Float64Array(params.length), flops: params.map((n, i) => 6 * n * tokens[i]) },
    name: file.name,
  };
}

async function update(task?: () => Promise<void>): Promise<void> {
  showError($('scaling-error'), '');
  try {
    if (task) await task();
    say('drawing…', null);
    await draw();
  } catch (err) {
    say('failed', null);
    showError($('scaling-error'), message(err));
  }
}

export async function initScaling(): Promise<void> {
  say = status('scaling-status');
  fillSelect($<HTMLSelectElement>('law'), LAW_NAMES);
  const out = document.querySelector('output[for="budget"]') as HTMLOutputElement;
  const label = () => {
    out.textContent = `${budget().toExponential(1)} FLOPs`;
  };
  label();
  $('budget').addEventListener('input', label);
  $('budget').addEventListener('change', () => void update());
  $('law').addEventListener('change', () => {
    fitted = null;
    $<HTMLInputElement>('runs-csv').value = '';
    void update();
  });
  $('runs-csv').addEventListener('change', () => {
    const file = $<HTMLInputElement>('runs-csv').files?.[0];
    if (file) void update(() => fitFile(file));
  });
  await update();
}
