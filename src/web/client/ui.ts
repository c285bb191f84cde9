/**
 * The lab page's small DOM helpers, shared by every page module (no page imports another): element
 * lookup, plain-words errors, status with a progress bar, table rows, and number formatting.
 */

/** The element with this id (throws when the page lacks it: a programming error). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no element #${id}`);
  return el as T;
}

/** The value of an <input> as a number. */
export const num = (id: string): number => Number($<HTMLInputElement>(id).value);

export function showError(element: HTMLElement, message: string | null | undefined): void {
  element.textContent = message ?? '';
  element.hidden = !message;
}

/** A status line with an optional progress bar: `set(text, fraction)`; fraction null hides the bar. */
export function status(id: string): (text: string, fraction?: number | null) => void {
  const el = $(id);
  const text = document.createElement('span');
  const bar = document.createElement('progress');
  bar.max = 1;
  bar.hidden = true;
  el.replaceChildren(text, ' ', bar);
  return (t, fraction = null) => {
    text.textContent = t;
    bar.hidden = fraction === null;
    if (fraction !== null) bar.value = fraction;
  };
}

/** A two-cell table row: label, value. */
export function row(label: string, value: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  const td = document.createElement('td');
  th.textContent = label;
  td.textContent = value;
  td.className = 'num';
  tr.append(th, td);
  return tr;
}

/** A number with `digits` significant digits ('n/a' for null/undefined). */
export const fmt = (x: number | null | undefined, digits = 4): string =>
  x === null || x === undefined ? 'n/a' : Number.isFinite(x) ? Number(x).toPrecision(digits) : String(x);

/** Fills a <select> with values (shown as their text). */
export function fillSelect(select: HTMLSelectElement, values: readonly string[]): void {
  select.replaceChildren(...values.map((v) => new Option(v, v)));
}

/** Binds a range input to its <output>, calling `onChange` when the user lets go. */
export function slider(id: string, onChange: () => void): void {
  const input = $<HTMLInputElement>(id);
  const out = document.querySelector(`output[for="${id}"]`);
  const show = () => {
    if (out) out.textContent = input.value;
  };
  show();
  input.addEventListener('input', show);
  input.addEventListener('change', onChange);
}

/** Yields to the browser so the page repaints during long loops. */
export const nextFrame = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** An error as one line of plain words. */
export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
