/**
 * The RoPE page (RoFormer; lecture 17 eq. 8-21), computed with the rope part: each pair
 * (x_2j, x_2j+1) of a vector rotating by m theta_j as the position m moves; the relative-position
 * property (the score of R_m q and R_n k depends only on m - n: the same curve at every absolute
 * shift); and the wavelengths 2 pi / theta_j under each context-extension scaling.
 */
import { Rng } from '../../core/rng.js';
import { applyRope, ROPE_SCALING_TYPES, type RopeScaling, ropeInverseFrequencies } from '../../rope/index.js';
import { linePlot } from './plot.js';
import { $, message, num, showError, slider } from './ui.js';

const COLORS = ['#1f77b4', '#e4572e', '#2ca02c', '#9467bd', '#8c564b', '#17becf'];

/** Pairs of a unit vector (1, 0 in every pair) rotated to position m, drawn as clock hands. */
function drawPairs(headDim: number, base: number, m: number): void {
  const canvas = $<HTMLCanvasElement>('rope-pairs');
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const half = headDim / 2;
  const x = new Float32Array(headDim);
  for (let j = 0; j < half; j++) x[2 * j] = 1;
  const y = applyRope(x, { headDim, positions: [m], base }); // interleaved pairs (eq. 13/14)
  const theta = ropeInverseFrequencies(headDim, { base });
  const cols = Math.min(half, 8);
  const cell = canvas.width / cols;
  canvas.height = Math.ceil(half / cols) * (cell + 14);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = '10px sans-serif';
  ctx.textAlign = 'center';
  for (let j = 0; j < half; j++) {
    const cx = (j % cols) * cell + cell / 2;
    const cy = Math.floor(j / cols) * (cell + 14) + cell / 2;
    const r = cell * 0.38;
    ctx.strokeStyle = '#bbb';
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.strokeStyle = COLORS[0];
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(cx, cy);
    ctx.lineTo(cx + r * y[2 * j], cy - r * y[2 * j + 1]);
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = '#333';
    ctx.fillText(`j=${j}  λ=${((2 * Math.PI) / theta[j]).toPrecision(3)}`, cx, cy + cell / 2 + 8);
  }
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/** q.k after RoPE at (n + offset, n) for offsets 0..maxOffset, at three absolute positions n. */
function drawRelative(headDim: number, base: number): number {
  const rng = new Rng(7).fork('rope-page');
  const q = rng.normals(headDim);
  const k = rng.normals(headDim);
  const offsets = Array.from({ length: 65 }, (_, i) => i);
  const shifts = [0, 100, 1000];
  const curves = shifts.map((n) => {
    const kn = applyRope(k, { headDim, positions: [n], base });
    return offsets.map((o) => dot(applyRope(q, { headDim, positions: [n + o], base }), kn));
  });
  let gap = 0;
  for (const c of curves) for (let i = 0; i < c.length; i++) gap = Math.max(gap, Math.abs(c[i] - curves[0][i]));
  linePlot(
    $<HTMLCanvasElement>('rope-relative'),
    curves.map((c, s) => ({ name: `n = ${shifts[s]}`, color: COLORS[s], points: c.map((v, i) => [offsets[i], v]) })),
    { title: '(R_m q) · (R_n k) against m - n, at three n', xLabel: 'offset m - n', yLabel: 'score' },
  );
  return gap;
}

/** log10 wavelength of every pair under no scaling and each scaling type, factor s. */
function drawWavelengths(headDim: number, base: number, factor: number): void {
  const variants: { name: string; scaling?: RopeScaling; seqLen?: number }[] = [
    { name: 'none' },
    ...ROPE_SCALING_TYPES.map((type) => ({
      name: type === 'dynamic' ? 'dynamic (NTK)' : type,
      scaling: { type, factor },
      seqLen: type === 'dynamic' ? factor * 4096 : undefined,
    })),
  ];
  linePlot(
    $<HTMLCanvasElement>('rope-waves'),
    variants.map((v, s) => {
      const theta = ropeInverseFrequencies(headDim, { base, scaling: v.scaling, seqLen: v.seqLen });
      return {
        name: v.name,
        color: COLORS[s],
        points: Array.from(theta, (t, j) => [j, Math.log10((2 * Math.PI) / t)]),
      };
    }),
    { title: `wavelength 2π/θ_j per pair, factor s = ${factor}`, xLabel: 'pair j', yLabel: 'log10 wavelength' },
  );
}

function draw(): void {
  showError($('rope-error'), '');
  try {
    const headDim = num('rope-dim');
    const base = num('rope-base');
    drawPairs(headDim, base, num('rope-pos'));
    const gap = drawRelative(headDim, base);
    $('rope-gap').textContent = gap.toExponential(2);
    drawWavelengths(headDim, base, num('rope-factor'));
  } catch (err) {
    showError($('rope-error'), message(err));
  }
}

export function initRope(): void {
  for (const id of ['rope-dim', 'rope-pos', 'rope-factor']) slider(id, draw);
  $('rope-pos').addEventListener('input', draw);
  $('rope-base').addEventListener('change', draw);
  draw();
}
