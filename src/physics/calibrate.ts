/**
 * From latent units to physical units with a known reference (synthetic video: the true state of
 * every frame). A latent z = f(state) satisfies the block's law exactly for a whole family of maps
 * f (the law's symmetries): affine maps for constant accelerations, z - bOff = C b^p for the LED's
 * decay, sqrt(z - hOff) = r sqrt(h) + K for Torricelli's law. The rollout cannot tell them apart, so
 * the map is fitted within that family on the reference and the parameter carried through it.
 * Checked in test/physics/calibrate.test.ts on exact latents of each family.
 */

/** Least-squares line y ≈ scale x + offset, with R^2. */
export interface LineFit {
  scale: number;
  offset: number;
  r2: number;
}

/** Least-squares fit latent ≈ scale * state + offset, with R^2 (how well the latent tracks the truth). */
export function fitLatentToState(latent: ArrayLike<number>, state: ArrayLike<number>): LineFit {
  const n = latent.length;
  let [ms, mz] = [0, 0];
  for (let i = 0; i < n; i++) [ms, mz] = [ms + state[i] / n, mz + latent[i] / n];
  let [sss, ssz, szz] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [ds, dz] = [state[i] - ms, latent[i] - mz];
    [sss, ssz, szz] = [sss + ds * ds, ssz + ds * dz, szz + dz * dz];
  }
  const scale = ssz / sss;
  return { scale, offset: mz - scale * ms, r2: szz > 0 ? (ssz * ssz) / (sss * szz) : 0 };
}

/**
 * Torricelli's law h' = -c sqrt(h) keeps its form under sqrt(z - hOff) = r sqrt(h) + K (any r, K):
 * then z' = -(r c) sqrt(z - hOff). Fits r, K on the reference; the block's c' = r c.
 */
export function fitSqrtLatent(latent: ArrayLike<number>, state: ArrayLike<number>, hOff: number): LineFit {
  return fitLatentToState(
    Array.from(latent, (z) => Math.sqrt(Math.abs(z - hOff))),
    Array.from(state, (h) => Math.sqrt(h)),
  );
}

/**
 * The LED's law b' = -k b keeps its form under z - bOff = C b^p (any C, p): then
 * z' = -(p k)(z - bOff). Fits p on the reference (log-log line); the block's k' = p k.
 */
export function fitPowerLatent(latent: ArrayLike<number>, state: ArrayLike<number>, bOff: number): LineFit {
  return fitLatentToState(
    Array.from(latent, (z) => Math.log(Math.abs(z - bOff))),
    Array.from(state, (b) => Math.log(b)),
  );
}
