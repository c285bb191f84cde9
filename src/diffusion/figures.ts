/**
 * Vega-Lite specs of the diffusion part (plain data in, spec out; the report renders them):
 * schedule curves, the energy landscape with score arrows, samples next to data, and the score
 * error against the noise level.
 */
import { LAB_DIM } from './lab/data.js';
import { makeSchedule, SCHEDULE_TYPES, snr } from './schedules.js';

type Spec = Record<string, unknown>;

/** abar and log SNR against t = index / (T - 1) for every schedule family (every 10th index). */
export function scheduleCurvesSpec(): Spec {
  const values: { schedule: string; t: number; quantity: string; value: number }[] = [];
  for (const type of SCHEDULE_TYPES) {
    const { alphasCumprod } = makeSchedule(type);
    for (let i = 0; i < alphasCumprod.length; i += 10) {
      const t = i / (alphasCumprod.length - 1);
      values.push({ schedule: type, t, quantity: 'alpha bar', value: alphasCumprod[i] });
      values.push({ schedule: type, t, quantity: 'log SNR', value: Math.log(snr(alphasCumprod[i])) });
    }
  }
  return {
    data: { values },
    facet: { column: { field: 'quantity', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 200,
      mark: 'line',
      encoding: {
        x: { field: 't', type: 'quantitative', title: 't = index / 999' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'schedule', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Rows {x, y, source} of a point cloud [N, 2]. */
function pointRows(points: Float32Array, source: string): { x: number; y: number; source: string }[] {
  return Array.from({ length: points.length / LAB_DIM }, (_, i) => ({
    x: points[2 * i],
    y: points[2 * i + 1],
    source,
  }));
}

/**
 * Heatmap of E on a grid (cells [G*G] row-major over [lo, hi]^2), score arrows from `arrows`
 * (x, y, sx, sy per row, drawn with length `arrowScale` * score) and the data on top.
 */
export function energyLandscapeSpec(options: {
  grid: { size: number; lo: number; hi: number; energy: Float32Array };
  arrows: { x: number; y: number; sx: number; sy: number }[];
  arrowScale: number;
  data: Float32Array;
}): Spec {
  const { size, lo, hi, energy } = options.grid;
  const step = (hi - lo) / size;
  const cells = [];
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const x = lo + c * step;
      const y = lo + r * step;
      cells.push({ x, x2: x + step, y, y2: y + step, energy: energy[r * size + c] });
    }
  }
  // colour range clipped at the 60th percentile of E: the far corners would otherwise hide the data region
  const sorted = Float32Array.from(energy).sort();
  const colourMax = sorted[Math.floor(0.6 * (sorted.length - 1))];
  const arrows = options.arrows.map((a) => ({
    x: a.x,
    y: a.y,
    x2: a.x + options.arrowScale * a.sx,
    y2: a.y + options.arrowScale * a.sy,
  }));
  const scale = { domain: [lo, hi], nice: false };
  return {
    width: 360,
    height: 360,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale, title: 'x1' },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', scale, title: 'x2' },
          y2: { field: 'y2' },
          color: {
            field: 'energy',
            type: 'quantitative',
            scale: { scheme: 'viridis', domain: [0, colourMax], clamp: true },
            title: 'E - min E',
          },
        },
      },
      {
        data: { values: pointRows(options.data, 'data') },
        mark: { type: 'circle', size: 6, color: 'white', opacity: 0.6 },
        encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } },
      },
      {
        data: { values: arrows },
        mark: { type: 'rule', color: '#ff5a36', strokeWidth: 1.2 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale },
          y: { field: 'y', type: 'quantitative', scale },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
        },
      },
      {
        data: { values: arrows },
        mark: { type: 'point', shape: 'circle', size: 4, color: '#ff5a36', filled: true },
        encoding: { x: { field: 'x2', type: 'quantitative', scale }, y: { field: 'y2', type: 'quantitative', scale } },
      },
    ],
  };
}

/** Scatter panels: data, then each named sample set, one column per set. */
export function samplesSpec(sets: Record<string, Float32Array>, title: string): Spec {
  const values = Object.entries(sets).flatMap(([name, pts]) => pointRows(pts, name));
  const scale = { domain: [-2.8, 2.8], nice: false, clamp: true };
  return {
    title,
    data: { values },
    facet: { column: { field: 'source', type: 'nominal', title: null, sort: Object.keys(sets) } },
    spec: {
      width: 170,
      height: 170,
      mark: { type: 'circle', size: 5, opacity: 0.5 },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale, title: null },
        y: { field: 'y', type: 'quantitative', scale, title: null },
        color: { field: 'source', type: 'nominal', legend: null },
      },
    },
  };
}

/** Relative score error against sigma (log-log), one line per model. */
export function scoreErrorSpec(rows: { model: string; sigma: number; relativeError: number }[]): Spec {
  return {
    width: 360,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'sigma', type: 'quantitative', scale: { type: 'log' }, title: 'noise level sigma_t' },
      y: { field: 'relativeError', type: 'quantitative', scale: { type: 'log' }, title: '|s_theta - s*|^2 / |s*|^2' },
      color: { field: 'model', type: 'nominal' },
    },
  };
}
