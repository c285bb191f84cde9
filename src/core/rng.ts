/**
 * The one seeded random number generator of modelmath: xoshiro128** (Blackman & Vigna, 2018)
 * seeded through splitmix32, with Box-Muller normals. Every random choice in the project goes
 * through an Rng so the same seed gives the same numbers on every run and machine.
 * Independent streams come from `fork(id)`, which hashes (seed, id) into a fresh state.
 */
import { ConfigError, checkNumber } from './errors.js';

/** Serializable RNG state: the four xoshiro words plus a cached normal, for checkpoints. */
export interface RngState {
  s: [number, number, number, number];
  spareNormal: number | null;
  seed: number;
}

function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

export class Rng {
  seed: number;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  /** `seed` is any integer in [0, 2^32); the same seed gives the same sequence. */
  constructor(seed = 0) {
    checkNumber('seed', seed, { min: 0, max: 2 ** 32 - 1, integer: true });
    this.seed = seed;
    const sm = { x: seed | 0 };
    this.s0 = splitmix32(sm);
    this.s1 = splitmix32(sm);
    this.s2 = splitmix32(sm);
    this.s3 = splitmix32(sm);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent stream for `id` (a name or a number), reproducible from this Rng's seed alone. */
  fork(id: string | number): Rng {
    const key = typeof id === 'number' ? id >>> 0 : hashString(id);
    const sm = { x: (this.seed ^ Math.imul(key, 0x9e3779b1)) | 0 };
    return new Rng(splitmix32(sm));
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    checkNumber('n', n, { min: 1, max: 2 ** 32, integer: true });
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal N(0, 1) by Box-Muller (both values of a pair are used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with N(mean, std^2) samples and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** A new Float32Array of `n` standard normals. */
  normals(n: number): Float32Array {
    return this.fillNormal(new Float32Array(n));
  }

  /** Fills `out` with uniforms in [low, high). */
  fillUniform<T extends Float32Array | Float64Array>(out: T, low = 0, high = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new ConfigError(`categorical weights must be finite and >= 0, got ${w} at index ${i}`);
      }
      total += w;
    }
    if (!(total > 0)) throw new ConfigError('categorical weights must not all be zero');
    let r = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new ConfigError('pick needs a non-empty list');
    return items[this.int(items.length)];
  }

  /** Fisher-Yates shuffle in place; returns `items`. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The full state, for checkpoints. */
  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spareNormal, seed: this.seed };
  }

  /** Puts this generator back into a state from `getState()` (in place, for resuming). */
  setState(state: RngState): void {
    this.seed = state.seed;
    [this.s0, this.s1, this.s2, this.s3] = state.s;
    this.spareNormal = state.spareNormal;
  }

  /** A new generator in a state from `getState()`. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(state.seed);
    rng.setState(state);
    return rng;
  }
}
