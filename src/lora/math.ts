/**
 * LoRA and DoRA on plain Float32Arrays, weights in the PyTorch/PEFT layout W [out, in]:
 * LoRA (Hu et al. 2021, Eq. 3): h = W0 x + s B A x, s = alpha / r (rsLoRA: alpha / sqrt(r)),
 * A [r, in], B [out, r]; merge W = W0 + s B A. DoRA (Liu et al. 2024, Eq. 5):
 * W = m * (W0 + s B A) / ||W0 + s B A||, the norm taken per output row of [out, in] as PEFT does
 * (peft/tuners/lora/dora.py, `get_weight_norm`: `linalg.norm(weight, dim=1)`); m starts at the
 * row norms of W0. Checked against the LoRA paper's worked example, PEFT outputs and a Float64 reference in test/lora.
 */
import { checkNumber, ShapeError } from '../core/errors.js';

/** Sizes of one adapted linear map. */
export interface LoraDims {
  inDim: number;
  outDim: number;
  r: number;
}

/** One adapter's factors: A [r, in], B [out, r], optional DoRA magnitude m [out]. */
export interface LoraFactors {
  a: Float32Array;
  b: Float32Array;
  magnitude?: Float32Array;
}

/** Scaling s = alpha / r (LoRA Sec. 4.1), or alpha / sqrt(r) for rank-stabilised LoRA (Kalajdzievski 2023). */
export function loraScaling(alpha: number, r: number, useRslora = false): number {
  checkNumber('lora alpha', alpha, { min: 0, minExclusive: true });
  checkNumber('lora r', r, { min: 1, integer: true });
  return useRslora ? alpha / Math.sqrt(r) : alpha / r;
}

/** Throws a ShapeError unless A is [r, in], B is [out, r] and W (if given) is [out, in]. */
export function checkLoraShapes(dims: LoraDims, f: LoraFactors, w?: Float32Array): void {
  const { inDim, outDim, r } = dims;
  if (f.a.length !== r * inDim) throw new ShapeError(`lora A must be [${r}, ${inDim}], got ${f.a.length} elements`);
  if (f.b.length !== outDim * r) throw new ShapeError(`lora B must be [${outDim}, ${r}], got ${f.b.length} elements`);
  if (f.magnitude && f.magnitude.length !== outDim) {
    throw new ShapeError(`DoRA magnitude must be [${outDim}], got ${f.magnitude.length} elements`);
  }
  if (w && w.length !== outDim * inDim)
    throw new ShapeError(`W must be [${outDim}, ${inDim}], got ${w.length} elements`);
}

/** Delta W = s B A, [out, in] (LoRA Eq. 3), accumulated in Float64. */
export function loraDeltaWeight(dims: LoraDims, f: LoraFactors, scaling: number): Float32Array {
  checkLoraShapes(dims, f);
  const { inDim, outDim, r } = dims;
  const out = new Float32Array(outDim * inDim);
  for (let o = 0; o < outDim; o++) {
    for (let i = 0; i < inDim; i++) {
      let acc = 0;
      for (let k = 0; k < r; k++) acc += f.b[o * r + k] * f.a[k * inDim + i];
      out[o * inDim + i] = scaling * acc;
    }
  }
  return out;
}

/** L2 norm of each row of W [out, in] (DoRA's ||.||, per output feature as in PEFT). */
export function rowNorms(w: Float32Array, outDim: number, inDim: number): Float32Array {
  if (w.length !== outDim * inDim) throw new ShapeError(`W must be [${outDim}, ${inDim}], got ${w.length} elements`);
  const out = new Float32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let s = 0;
    for (let i = 0; i < inDim; i++) s += w[o * inDim + i] ** 2;
    out[o] = Math.sqrt(s);
  }
  return out;
}

/** Result of a merge: the merged weight, and (DoRA) the norms needed to unmerge exactly. */
export interface MergedWeight {
  w: Float32Array;
  /** DoRA only: ||W0 + s B A|| per output row at merge time. */
  norms?: Float32Array;
}

/** Merge: W0 + s B A (LoRA), or m * (W0 + s B A) / ||W0 + s B A|| per row (DoRA Eq. 5). */
export function mergeLora(w0: Float32Array, dims: LoraDims, f: LoraFactors, scaling: number): MergedWeight {
  checkLoraShapes(dims, f, w0);
  const delta = loraDeltaWeight(dims, f, scaling);
  const w = new Float32Array(w0.length);
  for (let i = 0; i < w.length; i++) w[i] = w0[i] + delta[i];
  if (!f.magnitude) return { w };
  const norms = rowNorms(w, dims.outDim, dims.inDim);
  for (let o = 0; o < dims.outDim; o++) {
    const k = f.magnitude[o] / norms[o];
    for (let i = 0; i < dims.inDim; i++) w[o * dims.inDim + i] *= k;
  }
  return { w, norms };
}

/** Unmerge: W - s B A (LoRA); W * ||.|| / m - s B A per row (DoRA; needs the merge-time norms). */
export function unmergeLora(merged: MergedWeight, dims: LoraDims, f: LoraFactors, scaling: number): Float32Array {
  checkLoraShapes(dims, f, merged.w);
  const delta = loraDeltaWeight(dims, f, scaling);
  const w0 = new Float32Array(merged.w.length);
  for (let o = 0; o < dims.outDim; o++) {
    let k = 1;
    if (f.magnitude) {
      if (!merged.norms) throw new ShapeError('unmerging a DoRA weight needs the norms returned by mergeLora');
      k = merged.norms[o] / f.magnitude[o];
    }
    for (let i = 0; i < dims.inDim; i++) {
      const j = o * dims.inDim + i;
      w0[j] = merged.w[j] * k - delta[j];
    }
  }
  return w0;
}

/** y = W0 x + s B (A x) (+ bias) for one input x [in] (unmerged LoRA); DoRA: y = W_merged x (+ bias). */
export function loraForward(
  w0: Float32Array,
  dims: LoraDims,
  f: LoraFactors,
  scaling: number,
  x: Float32Array,
  bias?: Float32Array,
): Float32Array {
  checkLoraShapes(dims, f, w0);
  const { inDim, outDim, r } = dims;
  if (x.length !== inDim) throw new ShapeError(`x must have ${inDim} elements, got ${x.length}`);
  if (f.magnitude) {
    const { w } = mergeLora(w0, dims, f, scaling);
    return loraForward(w, dims, { a: f.a, b: new Float32Array(f.b.length) }, 0, x, bias);
  }
  const ax = new Float64Array(r);
  for (let k = 0; k < r; k++) for (let i = 0; i < inDim; i++) ax[k] += f.a[k * inDim + i] * x[i];
  const y = new Float32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let acc = bias ? bias[o] : 0;
    for (let i = 0; i < inDim; i++) acc += w0[o * inDim + i] * x[i];
    for (let k = 0; k < r; k++) acc += scaling * f.b[o * r + k] * ax[k];
    y[o] = acc;
  }
  return y;
}
