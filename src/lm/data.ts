/**
 * Training batches for the tiny LM: random windows of T + 1 bytes of a corpus (inputs = first T,
 * targets = last T, nanoGPT's `get_batch`), drawn from a seeded Rng so a resumed run sees the same
 * batches; and fixed, non-overlapping validation windows for a deterministic validation loss.
 */
import { readFileSync } from 'node:fs';
import type { Tensor } from '../core/engine.js';
import { tfSync } from '../core/engine.js';
import { checkNumber, InputError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { encodeBytes } from './tokenizer.js';

/** A batch: inputs and next-token targets, int32 [B, T]. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

/** Reads a text file as byte tokens; throws InputError if missing, unreadable or too short. */
export function readTokens(path: string, minTokens = 2): Int32Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read text file (${(err as Error).message})`, { cause: err });
  }
  const ids = encodeBytes(text);
  if (ids.length < minTokens) {
    throw new InputError(`${path}: needs at least ${minTokens} bytes of text, got ${ids.length}`);
  }
  return ids;
}

/** Window starts for a batch: B uniform offsets in [0, n - T - 1]. */
export function randomOffsets(rng: Rng, n: number, T: number, B: number): number[] {
  if (n < T + 1) throw new InputError(`corpus of ${n} tokens is shorter than one window of ${T + 1}`);
  return Array.from({ length: B }, () => rng.int(n - T));
}

/** Builds x = tokens[o .. o+T), y = tokens[o+1 .. o+T] for each offset o. Caller disposes. */
export function batchAt(tokens: Int32Array, offsets: number[], T: number): Batch {
  const tf = tfSync();
  const B = offsets.length;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  offsets.forEach((o, b) => {
    x.set(tokens.subarray(o, o + T), b * T);
    y.set(tokens.subarray(o + 1, o + T + 1), b * T);
  });
  return { x: tf.tensor2d(x, [B, T], 'int32'), y: tf.tensor2d(y, [B, T], 'int32') };
}

/** A random training batch. */
export function randomBatch(tokens: Int32Array, rng: Rng, T: number, B: number): Batch {
  checkNumber('batchSize', B, { min: 1, integer: true });
  return batchAt(tokens, randomOffsets(rng, tokens.length, T, B), T);
}

/** The first `count` non-overlapping windows (offsets 0, T, 2T, ...), fewer if the text is short. */
export function validationOffsets(n: number, T: number, count: number): number[] {
  const out: number[] = [];
  for (let o = 0; o + T + 1 <= n && out.length < count; o += T) out.push(o);
  if (out.length === 0) throw new InputError(`validation text of ${n} tokens is shorter than one window of ${T + 1}`);
  return out;
}
