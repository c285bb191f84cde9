/**
 * Model-card numbers for the shipped toy denoiser: a sample grid (6 captions x 4 seeds, 20-step
 * DDIM) and the classifier accuracy of samples for random captions (with and without guidance).
 * Run: npx tsx bench/toyworld/card.ts  ->  assets/toy/samples.png, assets/toy/generation-eval.json
 */
import { join } from 'node:path';
import { imageGrid, writeImage } from '../../src/core/image.js';
import { writeJsonAtomic } from '../../src/core/outputs.js';
import { Rng } from '../../src/core/rng.js';
import { generateImages } from '../../src/pipeline/index.js';
import { evaluateSamples, loadClassifier, loadToyRuntime } from '../../src/toyworld/index.js';

const ASSETS = join(import.meta.dirname, '..', '..', 'assets', 'toy');
const CAPTIONS = [
  'a large red circle at top left on snow',
  'a large blue square at center on grass',
  'a small yellow striped star at right on night',
  'a large purple dotted triangle at bottom on sand',
  'a large green cross at top and a small cyan circle at bottom right on water',
  'a large yellow square at left and a large red dotted circle at right on sunset',
];

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 96);
  const model = await loadToyRuntime();
  const classifier = await loadClassifier();
  const rows = [];
  for (const [i, caption] of CAPTIONS.entries()) {
    rows.push(...(await generateImages(model.sampler, new Array(4).fill(caption), new Rng(100 + i), { steps: 20 })));
  }
  await writeImage(join(ASSETS, 'samples.png'), imageGrid(rows, 4, 1));
  const results: Record<string, unknown> = { captions: CAPTIONS, count, model: model.pipeline.dir };
  for (const guidance of [1, 3]) {
    const t0 = performance.now();
    const r = await evaluateSamples(model.sampler, classifier, { count, seed: 0, steps: 20, guidance });
    results[`guidance${guidance}`] = { ...r, seconds: (performance.now() - t0) / 1000 };
    process.stderr.write(`guidance ${guidance}: ${JSON.stringify(r)}\n`);
  }
  await model.dispose();
  writeJsonAtomic(join(ASSETS, 'generation-eval.json'), results);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main();
