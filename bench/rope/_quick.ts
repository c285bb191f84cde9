import { Rng } from '../../src/core/rng.js';
import { rotateScalar, rotateInto, ropeBuffer, rotateTiled, sharedKernels } from '../../src/rope/kernels.js';
for (const layout of ['interleaved', 'half'] as const) for (const [heads, P, half] of [[3, 5, 4], [2, 300, 64], [70, 1, 8], [2, 7, 12]]) {
  const rng = new Rng(1);
  const d = 2 * half;
  const x = rng.normals(heads * P * d), cos = rng.normals(P * half), sin = rng.normals(P * half);
  const want = new Float32Array(x.length);
  rotateScalar({ x, out: want, cos, sin, half, layout });
  const a = new Float32Array(x.length);
  rotateTiled(sharedKernels()!, { x, out: a, cos, sin, half, layout });
  const b = ropeBuffer(2 * x.length); const bx = b.subarray(0, x.length); bx.set(x); const bo = b.subarray(x.length);
  rotateInto({ x: bx, out: bo, cos, sin, half, layout });
  rotateInto({ x: bx, out: bx, cos, sin, half, layout });
  let e = 0; for (let i = 0; i < x.length; i++) e = Math.max(e, Math.abs(a[i] - want[i]), Math.abs(bo[i] - want[i]), Math.abs(bx[i] - want[i]));
  console.log(layout, heads, P, half, e);
}
