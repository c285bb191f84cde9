// The ChordEdit page: pick a toy-world scene or upload an image, set prompts, method and sliders;
// every change sends a new edit that replaces the one in flight (Cancel aborts it).
import { $, fileToBase64, postJson, requestSlot, row, showError } from './app.js';

const SLIDERS = ['t', 'delta', 'lambda', 'tc', 'noiseSamples', 'steps'];
const slot = requestSlot();
let upload = null; // { name, data } of the chosen file
let debounce = 0;

function fillSelect(select, values) {
  for (const v of values) select.append(new Option(v, v));
}

function imageKind() {
  return document.querySelector('input[name="image-kind"]:checked').value;
}

function settings() {
  const config = Object.fromEntries(SLIDERS.map((k) => [k, Number($(k).value)]));
  config.refine = $('refine').checked;
  return config;
}

function setBusy(busy, text) {
  $('edit-cancel').disabled = !busy;
  $('edit-status').textContent = text;
}

const fmt = (x, digits = 4) =>
  x === null || x === undefined ? 'n/a' : Number.isFinite(x) ? Number(x).toPrecision(digits) : String(x);

function showDiagnostics(r) {
  const energy = r.energies.length
    ? r.energies.map((s) => `${fmt(s.energyU)} (s=${fmt(s.t, 3)})`).join(', ')
    : 'n/a (no chord step)';
  $('edit-diagnostics').tBodies[0].replaceChildren(
    row('method', r.method),
    row('NFE', String(r.nfe)),
    row('model calls', String(r.modelCalls)),
    row('time (ms)', fmt(r.timeMs, 3)),
    row('time in the model (ms)', fmt(r.timeModelMs, 3)),
    row('chord-field energy mean(u²)', energy),
    row('PSNR to ground truth (dB)', fmt(r.metrics?.psnrToTruth)),
    row('background PSNR (dB)', fmt(r.metrics?.backgroundPsnr)),
  );
}

async function runEdit() {
  clearTimeout(debounce);
  showError($('edit-error'), '');
  let image;
  if (imageKind() === 'upload') {
    if (!upload) return showError($('edit-error'), 'Choose an image file to upload first.');
    image = { kind: 'upload', data: upload.data };
  } else {
    image = { kind: 'scene', seed: Number($('scene-seed').value), editType: $('scene-type').value };
  }
  const body = {
    image,
    source: $('source').value,
    target: $('target').value,
    method: $('method').value,
    config: settings(),
  };
  const signal = slot.start();
  setBusy(true, 'editing…');
  try {
    const r = await postJson('/api/edit', body, signal);
    if (!slot.isCurrent(signal)) return;
    $('img-source').src = r.source;
    $('img-result').src = r.result;
    $('fig-truth').hidden = !r.groundTruth;
    if (r.groundTruth) $('img-truth').src = r.groundTruth;
    showDiagnostics(r);
    setBusy(false, `done (${r.method}, ${fmt(r.timeMs, 3)} ms)`);
  } catch (err) {
    if (!slot.isCurrent(signal)) return; // replaced by a newer request
    setBusy(false, err.name === 'AbortError' ? 'cancelled' : 'failed');
    if (err.name !== 'AbortError') showError($('edit-error'), err.message);
  } finally {
    slot.done(signal);
  }
}

function scheduleEdit() {
  clearTimeout(debounce);
  debounce = setTimeout(runEdit, 250);
}

async function loadScene() {
  showError($('edit-error'), '');
  document.querySelector('input[name="image-kind"][value="scene"]').checked = true;
  try {
    const s = await postJson('/api/scene', { seed: Number($('scene-seed').value), editType: $('scene-type').value });
    $('source').value = s.sourceCaption;
    $('target').value = s.targetCaption;
    $('img-source').src = s.source;
    $('img-truth').src = s.groundTruth;
    $('fig-truth').hidden = false;
    $('img-result').removeAttribute('src');
    await runEdit();
  } catch (err) {
    showError($('edit-error'), err.message);
  }
}

async function chooseUpload() {
  const file = $('upload').files[0];
  if (!file) return;
  document.querySelector('input[name="image-kind"][value="upload"]').checked = true;
  upload = { name: file.name, data: await fileToBase64(file) };
  $('fig-truth').hidden = true;
  await runEdit();
}

export function initChordEdit(info) {
  fillSelect($('scene-type'), info.editTypes);
  fillSelect($('method'), info.methods);
  for (const k of SLIDERS) {
    const input = $(k);
    input.value = String(info.defaults[k]);
    const out = document.querySelector(`output[for="${k}"]`);
    out.textContent = input.value;
    input.addEventListener('input', () => {
      out.textContent = input.value;
    });
    input.addEventListener('change', scheduleEdit);
  }
  $('refine').checked = info.defaults.refine;
  $('refine').addEventListener('change', scheduleEdit);
  $('method').addEventListener('change', scheduleEdit);
  $('scene-type').addEventListener('change', loadScene);
  $('scene-seed').addEventListener('change', loadScene);
  $('scene-new').addEventListener('click', () => {
    $('scene-seed').value = String(Number($('scene-seed').value) + 1);
    loadScene();
  });
  $('upload').addEventListener('change', chooseUpload);
  $('edit-cancel').addEventListener('click', () => {
    slot.cancel();
    setBusy(false, 'cancelled');
  });
  $('edit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    runEdit();
  });
  loadScene();
}
