/**
 * Small canvas charts for the live pages (drawn on every training step, where re-rendering a
 * Vega view would cost more than the step): line plots with axes and a legend, and a 2-D field
 * view (a scalar map as colour, points, arrows) in data coordinates.
 */

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

const PAD = { left: 52, right: 12, top: 22, bottom: 34 };

/** Round axis ticks between lo and hi. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / count));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= count) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Line plot of several series with a shared axis range, a title and a legend. */
export function linePlot(
  canvas: HTMLCanvasElement,
  series: Series[],
  o: { title: string; xLabel: string; yLabel: string; yMin?: number; yMax?: number },
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, 1);
  let y0 = o.yMin ?? Math.min(...ys, 0);
  let y1 = o.yMax ?? Math.max(...ys, 1e-9);
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (w - PAD.left - PAD.right);
  const py = (y: number) => h - PAD.bottom - ((y - y0) / (y1 - y0)) * (h - PAD.top - PAD.bottom);
  ctx.font = '11px sans-serif';
  ctx.strokeStyle = '#ccc';
  ctx.fillStyle = '#333';
  ctx.textAlign = 'right';
  for (const t of ticks(y0, y1)) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, py(t));
    ctx.lineTo(w - PAD.right, py(t));
    ctx.stroke();
    ctx.fillText(String(t), PAD.left - 4, py(t) + 4);
  }
  ctx.textAlign = 'center';
  for (const t of ticks(x0, x1)) ctx.fillText(String(t), px(t), h - PAD.bottom + 14);
  ctx.fillText(o.xLabel, (PAD.left + w - PAD.right) / 2, h - 4);
  ctx.fillText(o.title, w / 2, 14);
  ctx.save();
  ctx.translate(12, h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(o.yLabel, 0, 0);
  ctx.restore();
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => {
      if (i === 0) ctx.moveTo(px(x), py(y));
      else ctx.lineTo(px(x), py(y));
    });
    ctx.stroke();
    ctx.fillStyle = s.color;
    ctx.textAlign = 'left';
    ctx.fillText(s.name, PAD.left + 8, PAD.top + 12 + 13 * k);
  });
}

/** A square view of data coordinates [lo, hi]^2 onto a canvas. */
export interface FieldView {
  lo: number;
  hi: number;
}

const toPx = (v: FieldView, size: number, x: number) => ((x - v.lo) / (v.hi - v.lo)) * size;

/** A scalar field on a grid (row-major, `n` x `n`, y upwards) as a blue-to-yellow colour map. */
export function drawField(canvas: HTMLCanvasElement, values: Float32Array, n: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const img = ctx.createImageData(n, n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const u = (values[j * n + i] - lo) / (hi - lo || 1);
      const k = ((n - 1 - j) * n + i) * 4; // y upwards
      img.data[k] = 40 + 215 * u;
      img.data[k + 1] = 30 + 200 * u ** 0.7;
      img.data[k + 2] = 110 + 30 * (1 - u);
      img.data[k + 3] = 255;
    }
  }
  const tmp = document.createElement('canvas');
  tmp.width = n;
  tmp.height = n;
  tmp.getContext('2d')?.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

/** Points [N, 2] as dots. */
export function drawPoints(canvas: HTMLCanvasElement, v: FieldView, xy: Float32Array, color: string): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const s = canvas.width;
  ctx.fillStyle = color;
  for (let i = 0; i < xy.length; i += 2) {
    ctx.fillRect(toPx(v, s, xy[i]) - 1, s - toPx(v, s, xy[i + 1]) - 1, 2.5, 2.5);
  }
}

/** Arrows from `at` [N, 2] along `dir` [N, 2], scaled so the longest is `maxLen` data units. */
export function drawArrows(
  canvas: HTMLCanvasElement,
  v: FieldView,
  at: Float32Array,
  dir: Float32Array,
  maxLen: number,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const s = canvas.width;
  let longest = 1e-12;
  for (let i = 0; i < dir.length; i += 2) longest = Math.max(longest, Math.hypot(dir[i], dir[i + 1]));
  ctx.strokeStyle = 'rgba(255,255,255,0.85)';
  ctx.lineWidth = 1;
  for (let i = 0; i < at.length; i += 2) {
    const x = toPx(v, s, at[i]);
    const y = s - toPx(v, s, at[i + 1]);
    const dx = ((dir[i] / longest) * maxLen * s) / (v.hi - v.lo);
    const dy = (-(dir[i + 1] / longest) * maxLen * s) / (v.hi - v.lo);
    const a = Math.atan2(dy, dx);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + dx, y + dy);
    ctx.lineTo(x + dx - 4 * Math.cos(a - 0.5), y + dy - 4 * Math.sin(a - 0.5));
    ctx.moveTo(x + dx, y + dy);
    ctx.lineTo(x + dx - 4 * Math.cos(a + 0.5), y + dy - 4 * Math.sin(a + 0.5));
    ctx.stroke();
  }
}
