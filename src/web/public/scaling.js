// The Scaling page: a preset law or a fit of uploaded runs, drawn as loss contours with iso-FLOP
// lines (SVG rendered by the server), and the compute-optimal allocation at the chosen budget.
import { $, postJson, requestSlot, row, showError } from './app.js';

const slot = requestSlot();
let csv = null; // text of the uploaded runs, when the user chose a file

const budget = () => 10 ** Number($('budget').value);

const sci = (x) => Number(x).toExponential(3);

function show(r) {
  // The SVGs are rendered by our own server from numbers (vega View.toSVG), not from user text.
  $('contour').innerHTML = r.contourSvg;
  $('isoflop').innerHTML = r.isoFlopSvg;
  const a = r.allocation;
  const l = r.law;
  const rows = [
    row('law', r.source === 'fit' ? `fitted to ${r.fit.runs} runs (${r.fit.starts} starts)` : r.source),
    row('E, A, B', `${l.E.toFixed(4)}, ${l.A.toPrecision(5)}, ${l.B.toPrecision(5)}`),
    row('alpha, beta', `${l.alpha.toFixed(4)}, ${l.beta.toFixed(4)}`),
    row('budget C (FLOPs)', sci(a.flops)),
    row('optimal parameters N', sci(a.params)),
    row('optimal tokens D', sci(a.tokens)),
    row('tokens per parameter', a.tokensPerParam.toFixed(2)),
    row('predicted loss', a.loss.toFixed(4)),
  ];
  $('allocation').tBodies[0].replaceChildren(...rows);
}

async function update() {
  showError($('scaling-error'), '');
  $('scaling-status').textContent = csv ? 'fitting…' : 'drawing…';
  const signal = slot.start();
  try {
    const r = csv
      ? await postJson('/api/scaling/fit', { csv, budget: budget() }, signal)
      : await postJson('/api/scaling/law', { law: $('law').value, budget: budget() }, signal);
    if (!slot.isCurrent(signal)) return;
    show(r);
    $('scaling-status').textContent = 'done';
  } catch (err) {
    if (!slot.isCurrent(signal)) return;
    $('scaling-status').textContent = 'failed';
    if (err.name !== 'AbortError') showError($('scaling-error'), err.message);
  } finally {
    slot.done(signal);
  }
}

export function initScaling(info) {
  for (const law of info.laws) $('law').append(new Option(law, law));
  const out = document.querySelector('output[for="budget"]');
  const label = () => {
    out.textContent = `${budget().toExponential(1)} FLOPs`;
  };
  label();
  $('budget').addEventListener('input', label);
  $('budget').addEventListener('change', update);
  $('law').addEventListener('change', () => {
    csv = null;
    $('runs-csv').value = '';
    update();
  });
  $('runs-csv').addEventListener('change', async () => {
    const file = $('runs-csv').files[0];
    if (!file) return;
    csv = await file.text();
    update();
  });
  update();
}
