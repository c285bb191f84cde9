/**
 * In-place log-softmax of one row of a flat [N, A] logits array (max subtracted for stability).
 * Kept here until core/math.ts offers an in-place row variant.
 */
export function logSoftmaxRow(x: Float64Array, offset: number, width: number): void {
  let max = -Infinity;
  for (let a = 0; a < width; a++) max = Math.max(max, x[offset + a]);
  let sum = 0;
  for (let a = 0; a < width; a++) sum += Math.exp(x[offset + a] - max);
  const lse = max + Math.log(sum);
  for (let a = 0; a < width; a++) x[offset + a] -= lse;
}
