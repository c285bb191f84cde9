/**
 * bench/chordedit/toy.ts — the toy edit benchmark's edits timed on the training engine and through
 * the ONNX pipeline (the shipped folder), side by side and PAIRED: for every pair and method the
 * variants run back to back in a rotating order, so machine load hits them alike. Reports per
 * method the median wall ms and mean CPU ms per edit (process CPU, ONNX Runtime's threads included),
 * the engine / ONNX ratios, and the largest pixel difference between the engine's and ONNX's edits.
 * Usage: npx tsx bench/chordedit/toy.ts [--pairs 60] [--methods chord,ddim-inversion] [--variants engine,onnx]
 * Variants: engine | onnx (default session options) | onnx-t<N> (N intra-op threads) | onnx-<level> (graph optimisation).
 */
import { loadavg } from 'node:os';
import { ChordEditor, type EditorParts } from '../../src/chordedit/index.js';
import type { GraphOptimization } from '../../src/core/onnx.js';
import { Rng } from '../../src/core/rng.js';
import { loadPipeline } from '../../src/pipeline/index.js';
import {
  BENCH_METHOD_SETTINGS,
  BENCH_METHODS,
  type BenchMethod,
  benchmarkEdits,
  loadToyModel,
  renderEdit,
} from '../../src/toyworld/index.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const pairs = Number(arg('pairs', '60'));
const methods = arg('methods', BENCH_METHODS.join(',')).split(',') as BenchMethod[];
const variantNames = arg('variants', 'engine,onnx').split(',');

/** The parts of a variant: the engine twin, or the shipped folder with session options. */
async function openVariant(name: string): Promise<{ parts: EditorParts; dispose: () => Promise<void> }> {
  if (name === 'engine') {
    const m = await loadToyModel();
    return { parts: m, dispose: async () => {} };
  }
  const opt = name.replace(/^onnx-?/, '');
  const threads = /^t\d+$/.test(opt) ? Number(opt.slice(1)) : undefined;
  const graphOptimization = ['disabled', 'basic', 'extended', 'all'].includes(opt)
    ? (opt as GraphOptimization)
    : undefined;
  const p = await loadPipeline('toy', { threads, graphOptimization });
  return { parts: p.parts(32, 32), dispose: () => p.dispose() };
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const variants = await Promise.all(variantNames.map(async (name) => ({ name, ...(await openVariant(name)) })));
  const edits = benchmarkEdits(pairs + 1, new Rng(0)).map(renderEdit); // pair 0 warms up
  const result: Record<string, unknown> = {};
  for (const method of methods) {
    const { method: m, config } = BENCH_METHOD_SETTINGS[method];
    const wall: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
    let maxDiff = 0;
    for (const [i, e] of edits.entries()) {
      const images: Float32Array[] = [];
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(i + k) % variants.length]; // rotate the order pair by pair
        const editor = new ChordEditor(v.parts);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await editor.edit({
          image: e.sourceImage,
          source: e.sourceCaption,
          target: e.targetCaption,
          method: m,
          config,
          seed: i,
        });
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        images.push(r.image!.data);
        if (i === 0) continue;
        wall[v.name].push(ms);
        cpu[v.name].push((c.user + c.system) / 1000);
      }
      for (const img of images.slice(1)) {
        maxDiff = Math.max(maxDiff, ...img.map((x, j) => Math.abs(x - images[0][j])));
      }
    }
    const per = Object.fromEntries(
      variants.map((v) => [v.name, { wallMsMedian: median(wall[v.name]), cpuMsMean: mean(cpu[v.name]) }]),
    );
    const base = per[variants[0].name];
    const ratios = Object.fromEntries(
      variants
        .slice(1)
        .map((v) => [
          `${variants[0].name}/${v.name}`,
          { wall: base.wallMsMedian / per[v.name].wallMsMedian, cpu: base.cpuMsMean / per[v.name].cpuMsMean },
        ]),
    );
    result[method] = { ...per, ratios, maxPixelDiffBetweenVariants: maxDiff };
    process.stderr.write(`${method}: ${JSON.stringify(result[method])}\n`);
  }
  await Promise.all(variants.map((v) => v.dispose()));
  console.log(
    JSON.stringify(
      {
        bench: 'chordedit-toy',
        pairs,
        variants: variantNames,
        loadAverage: { before: loadBefore, after: loadavg() },
        methods: result,
      },
      null,
      1,
    ),
  );
}

main();
