/** An untrained tiny toy model on the engine (shared by the benchmark harness tests: bookkeeping, not edit quality). */
import type { EditorParts } from '../../src/chordedit/index.js';
import { getTf } from '../../src/core/engine.js';
import { Rng } from '../../src/core/rng.js';
import { TOY_MODEL_DEFAULTS } from '../../src/toyworld/model/config.js';
import { ToyCodec, ToyDenoiser } from '../../src/toyworld/model/denoiser.js';
import { toyModelInit } from '../../src/toyworld/model/model.js';
import { ToyTextEncoder } from '../../src/toyworld/model/text.js';

/** Width 32, one block, two heads, seeded weights; with its text encoder and identity codec. */
export async function tinyToyModel(): Promise<EditorParts> {
  await getTf();
  const config = { ...TOY_MODEL_DEFAULTS, dim: 32, depth: 1, heads: 2 };
  return {
    denoiser: new ToyDenoiser(toyModelInit(new Rng(0), config), config),
    textEncoder: new ToyTextEncoder(),
    codec: new ToyCodec(),
  };
}
