/**
 * Turns section results into one self-contained HTML page: tables as HTML, Vega-Lite figures
 * compiled to Vega and rendered to inline SVG on the server (no canvas, no browser), images as
 * PNG data URIs. Nothing in the page is fetched from the network.
 */
import type { Figure, ImageAsset, SectionResult, Table } from '../core/tour-section.js';
import { vegaLiteToSvg } from './vega.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function formatCell(v: string | number | null): string {
  if (v === null) return '–';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : v.toPrecision(4).replace(/\.?0+$/, '');
  }
  return escapeHtml(v);
}

export function renderTable(table: Table): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${row.map((v) => `<td${typeof v === 'number' ? ' class="num"' : ''}>${formatCell(v)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><caption>${escapeHtml(table.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export async function renderFigure(figure: Figure): Promise<string> {
  const svg = await vegaLiteToSvg(figure.vegaLite);
  return `<figure>${svg}<figcaption>${escapeHtml(figure.caption)}</figcaption></figure>`;
}

export function renderImage(image: ImageAsset): string {
  const b64 = Buffer.from(image.png).toString('base64');
  const width = image.displayWidth ? ` width="${image.displayWidth}"` : '';
  return `<figure><img src="data:image/png;base64,${b64}"${width} alt="${escapeHtml(image.caption)}"><figcaption>${escapeHtml(image.caption)}</figcaption></figure>`;
}

export interface RenderedSection {
  id: string;
  title: string;
  seconds: number;
  result?: SectionResult;
  error?: string;
}

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
    .join('\n');
}

async function renderSection(s: RenderedSection): Promise<string> {
  const parts = [`<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>`];
  if (s.error) {
    parts.push(`<p class="error">This section failed: ${escapeHtml(s.error)}</p>`);
  } else if (s.result) {
    const r = s.result;
    if (r.summary) parts.push(paragraphs(r.summary));
    for (const t of r.tables ?? []) parts.push(renderTable(t));
    for (const f of r.figures ?? []) {
      try {
        parts.push(await renderFigure(f));
      } catch (err) {
        parts.push(
          `<p class="error">Figure "${escapeHtml(f.caption)}" could not be rendered: ${escapeHtml(String((err as Error).message ?? err))}</p>`,
        );
      }
    }
    if (r.images?.length) parts.push(`<div class="images">${r.images.map(renderImage).join('\n')}</div>`);
  }
  parts.push(`<p class="timing">Section time: ${s.seconds.toFixed(1)} s</p></section>`);
  return parts.join('\n');
}

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{margin-bottom:.2em} nav a{margin-right:1em}
section{border-top:1px solid #ddd;padding-top:1em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;font-size:.92em} caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .6em} th{background:#f4f4f4} td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top} figcaption{font-size:.85em;color:#555;max-width:640px}
img{image-rendering:pixelated} .error{color:#b00020;font-weight:600} .timing{color:#888;font-size:.8em}
`;

/** The whole report page. */
export async function renderReport(
  title: string,
  sections: RenderedSection[],
  meta: { generatedAt: string; seed: number; quick: boolean },
): Promise<string> {
  const nav = sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join(' ');
  const body: string[] = [];
  for (const s of sections) body.push(await renderSection(s));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>Generated ${escapeHtml(meta.generatedAt)} · seed ${meta.seed}${meta.quick ? ' · quick mode' : ''} · every number below was computed on this machine by this run, except where a section says it loads a shipped result.</p>
<nav>${nav}</nav>
${body.join('\n')}
</body></html>
`;
}
