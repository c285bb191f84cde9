// The lab's shell: tab switching by URL hash, the shared request helper (one in-flight request per
// page: a new one aborts the previous), and plain-words error display.
import { initChordEdit } from './chordedit.js';
import { initScaling } from './scaling.js';
import { initSections } from './sections.js';

/** Sends JSON, returns the parsed answer or throws an Error with the server's plain-words message. */
export async function postJson(path, body, signal) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  let data;
  try {
    data = await res.json();
  } catch {
    throw new Error(`the server answered ${res.status} without a readable message`);
  }
  if (!res.ok) throw new Error(data.error ?? `the server answered ${res.status}`);
  return data;
}

/** One request at a time: `start()` aborts the previous request and returns the new signal. */
export function requestSlot() {
  let controller = null;
  return {
    start() {
      controller?.abort();
      controller = new AbortController();
      return controller.signal;
    },
    cancel() {
      controller?.abort();
      controller = null;
    },
    isCurrent(signal) {
      return controller?.signal === signal;
    },
    done(signal) {
      if (controller?.signal === signal) controller = null;
    },
  };
}

export function showError(element, message) {
  element.textContent = message ?? '';
  element.hidden = !message;
}

/** Reads a File as base64 (no data-URL prefix). */
export function fileToBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error(`could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

const PAGES = ['chordedit', 'scaling', 'sections'];

function showPage() {
  const page = PAGES.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'chordedit';
  for (const name of PAGES) {
    document.getElementById(`page-${name}`).hidden = name !== page;
    document.getElementById(`tab-${name}`).classList.toggle('active', name === page);
  }
}

async function main() {
  window.addEventListener('hashchange', showPage);
  showPage();
  const info = await (await fetch('/api/info')).json();
  document.getElementById('model-name').textContent = `edit model: ${info.model}`;
  initChordEdit(info);
  initScaling(info);
  await initSections();
}

main();

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A two-cell table row: label, numeric value. */
export function row(label, value) {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  const td = document.createElement('td');
  th.textContent = label;
  td.textContent = value;
  td.className = 'num';
  tr.append(th, td);
  return tr;
}
