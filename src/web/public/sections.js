// The "Other parts" page: every part's tour section (the tour's registry), run on request in
// quick mode; the server answers an HTML fragment made by the report's renderers.
import { $, postJson, requestSlot, showError } from './app.js';

const slot = requestSlot();

async function run() {
  showError($('section-error'), '');
  $('section-status').textContent = 'running…';
  const signal = slot.start();
  try {
    const r = await postJson('/api/section', { id: $('section-id').value }, signal);
    if (!slot.isCurrent(signal)) return;
    // Built by our server from the section's numbers; every text in it is escaped there.
    $('section-output').innerHTML = r.html;
    $('section-status').textContent = `done (${r.title}, ${r.seconds.toFixed(1)} s)`;
  } catch (err) {
    if (!slot.isCurrent(signal)) return;
    $('section-status').textContent = 'failed';
    if (err.name !== 'AbortError') showError($('section-error'), err.message);
  } finally {
    slot.done(signal);
  }
}

export async function initSections() {
  const list = await (await fetch('/api/sections')).json();
  for (const s of list) $('section-id').append(new Option(s.title, s.id));
  $('section-form').addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
}
