/**
 * Half-precision conversions: IEEE 754 binary16 (IEEE 754-2008, sec. 3.6) and bfloat16 bit patterns
 * to and from numbers, rounding to nearest even. Used by the safetensors reader/writer and by the
 * ONNX sessions (float16 graphs); no Node API, so the browser build uses it too. Bit patterns are
 * checked by hand in test/core/safetensors.test.ts.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** binary16 bits → number: sign·2^(e-15)·(1 + m/1024), subnormal sign·2^-14·m/1024. */
export function f16BitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? Number.NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** number → binary16 bits, rounding to nearest even (overflow → ±Inf, NaN → 0x7e00). */
export function floatToF16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant ? 0x7e00 : sign | 0x7c00;
  const e = exp - 127 + 15; // re-biased exponent
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    const m = mant | 0x800000; // implicit leading 1
    const shift = 14 - e; // 24-bit significand → 10-bit subnormal field
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half += 1; // carry may roll into the exponent: still correct
  return sign | half;
}

/** bfloat16 bits → number: the upper 16 bits of a float32. */
export function bf16BitsToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** number → bfloat16 bits: float32 rounded to nearest even on the upper 16 bits (NaN → 0x7fc0). */
export function floatToBf16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Numbers -> binary16 bits per element (`floatToF16Bits`). */
export function toFloat16Bits(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = floatToF16Bits(src[i]);
  return out;
}

/** binary16 bits -> float32 per element (`f16BitsToFloat`). */
export function fromFloat16Bits(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f16BitsToFloat(src[i]);
  return out;
}
