/**
 * Image-edit metrics (PIE-Bench, Ju et al. 2024: background PSNR / MSE / SSIM outside the edit
 * mask). Pixels are scaled from [-1, 1] to [0, 1] (data range 1, as PIE-Bench's torchmetrics
 * calls). SSIM: Wang et al. 2004, eq. 13, Gaussian window 11 x 11, sigma 1.5, K1 = 0.01, K2 = 0.03,
 * averaged over window centres whose window fits in the image (torchmetrics' reflect-pad-then-crop).
 * `mask` = per-pixel weights [H*W] of the pixels to score (1 = scored). Convention 'exact' averages
 * over the scored pixels only; 'pie-bench' multiplies both images by the mask and averages over all
 * pixels, as PIE-Bench's evaluation/matrics_calculator.py does. Checked against a naive SSIM in tests.
 */
import { ShapeError } from '../core/errors.js';
import type { Image } from '../core/image.js';

/** How a mask enters a metric. */
export type MaskConvention = 'exact' | 'pie-bench';

export interface MetricOptions {
  /** Default 'exact'. */
  convention?: MaskConvention;
}

function checkPair(a: Image, b: Image, mask?: Float32Array): void {
  if (a.channels !== b.channels || a.height !== b.height || a.width !== b.width) {
    throw new ShapeError(
      `images differ in shape: ${a.channels}x${a.height}x${a.width} vs ${b.channels}x${b.height}x${b.width}`,
    );
  }
  if (mask && mask.length !== a.height * a.width) {
    throw new ShapeError(`mask must have height*width = ${a.height * a.width} values, got ${mask.length}`);
  }
}

/** [-1, 1] -> [0, 1]; with the 'pie-bench' convention, also multiplied by the mask. */
function unit(image: Image, mask: Float32Array | undefined, convention: MaskConvention): Float32Array {
  const hw = image.height * image.width;
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = (image.data[i] + 1) / 2;
    out[i] = mask && convention === 'pie-bench' ? v * mask[i % hw] : v;
  }
  return out;
}

/** Mean squared error in [0, 1] units over the masked pixels (all channels). */
export function mse(a: Image, b: Image, mask?: Float32Array, options: MetricOptions = {}): number {
  checkPair(a, b, mask);
  const convention = options.convention ?? 'exact';
  const x = unit(a, mask, convention);
  const y = unit(b, mask, convention);
  const hw = a.height * a.width;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    const w = mask && convention === 'exact' ? mask[i % hw] : 1;
    num += w * (x[i] - y[i]) ** 2;
    den += w;
  }
  return den > 0 ? num / den : Number.NaN;
}

/** PSNR = 10 log10(1 / MSE) in dB (data range 1); Infinity for identical images. */
export function psnr(a: Image, b: Image, mask?: Float32Array, options: MetricOptions = {}): number {
  const e = mse(a, b, mask, options);
  return e === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(1 / e);
}

/** The normalised 1-D Gaussian window (size 11, sigma 1.5). */
export function gaussianWindow(size = 11, sigma = 1.5): Float64Array {
  const w = Float64Array.from({ length: size }, (_, i) => Math.exp(-((i - (size - 1) / 2) ** 2) / (2 * sigma * sigma)));
  const s = w.reduce((p, q) => p + q, 0);
  return w.map((v) => v / s);
}

/** Valid separable filtering of one H x W plane: out is (H-k+1) x (W-k+1). */
function filterValid(plane: Float64Array, h: number, w: number, win: Float64Array): Float64Array {
  const k = win.length;
  const ow = w - k + 1;
  const oh = h - k + 1;
  const rows = new Float64Array(h * ow);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += win[j] * plane[y * w + x + j];
      rows[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += win[j] * rows[(y + j) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

/** The SSIM map of one channel (Wang et al. 2004, eq. 13) over valid window centres. */
export function ssimMap(x: Float64Array, y: Float64Array, h: number, w: number, win = gaussianWindow()): Float64Array {
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const xx = new Float64Array(x.length);
  const yy = new Float64Array(x.length);
  const xy = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const [mx, my, sxx, syy, sxy] = [x, y, xx, yy, xy].map((p) => filterValid(p, h, w, win));
  const out = new Float64Array(mx.length);
  for (let i = 0; i < out.length; i++) {
    const m1 = mx[i];
    const m2 = my[i];
    const vx = sxx[i] - m1 * m1;
    const vy = syy[i] - m2 * m2;
    const cxy = sxy[i] - m1 * m2;
    out[i] = ((2 * m1 * m2 + c1) * (2 * cxy + c2)) / ((m1 * m1 + m2 * m2 + c1) * (vx + vy + c2));
  }
  return out;
}

/** Mean SSIM over channels and window centres (centres weighted by the mask under 'exact'). */
export function ssim(a: Image, b: Image, mask?: Float32Array, options: MetricOptions = {}): number {
  checkPair(a, b, mask);
  const { height: h, width: w } = a;
  const win = gaussianWindow();
  const r = (win.length - 1) / 2;
  if (h < win.length || w < win.length) throw new ShapeError(`ssim needs images of at least 11 x 11, got ${h} x ${w}`);
  const convention = options.convention ?? 'exact';
  const x = unit(a, mask, convention);
  const y = unit(b, mask, convention);
  const hw = h * w;
  const ow = w - 2 * r;
  let num = 0;
  let den = 0;
  for (let c = 0; c < a.channels; c++) {
    const map = ssimMap(
      Float64Array.from(x.subarray(c * hw, (c + 1) * hw)),
      Float64Array.from(y.subarray(c * hw, (c + 1) * hw)),
      h,
      w,
      win,
    );
    for (let i = 0; i < map.length; i++) {
      const centre = (Math.floor(i / ow) + r) * w + (i % ow) + r;
      const weight = mask && convention === 'exact' ? mask[centre] : 1;
      num += weight * map[i];
      den += weight;
    }
  }
  return den > 0 ? num / den : Number.NaN;
}

/** 1 - mask: the background of an edit mask (PIE-Bench scores `1 - mask`). */
export function backgroundMask(editMask: Float32Array): Float32Array {
  return editMask.map((m) => 1 - m);
}

/** Background PSNR / MSE / SSIM of an edit (outside `editMask`), the PIE-Bench structure metrics. */
export function backgroundMetrics(
  source: Image,
  edited: Image,
  editMask: Float32Array,
  options: MetricOptions = {},
): { psnr: number; mse: number; ssim: number } {
  const bg = backgroundMask(editMask);
  return {
    psnr: psnr(source, edited, bg, options),
    mse: mse(source, edited, bg, options),
    ssim: ssim(source, edited, bg, options),
  };
}
