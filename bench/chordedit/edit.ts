/**
 * bench/chordedit/edit.ts — per-edit wall time, NFE, peak RSS and the share of time outside model
 * calls at 512 x 512, with SD-Turbo-SHAPED generated graphs (real tensor sizes: latents [4,4,64,64],
 * text [2,77,1024], images [1,3,512,512]; cheap ops, so the "model" time here is ONNX Runtime's
 * overhead for those tensors, not SD-Turbo's compute). Also the edit math alone vs the PyTorch peer
 * (bench/chordedit/chord_math.py: the same noising / x0 / chord / transport / refinement math).
 * Usage: npx tsx bench/chordedit/edit.ts [--repeats 5] [--model DIR]   (prints one JSON object)
 * With --model DIR (a real SD-Turbo ONNX export) the same measurement runs on the real graphs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ChordEditor, type Denoiser, type EditMethod } from '../../src/chordedit/index.js';
import type { Image } from '../../src/core/image.js';
import { Rng } from '../../src/core/rng.js';
import { loadPipeline } from '../../src/pipeline/index.js';
import { writeSdTurboFixture } from '../../testkit/sd-turbo-fixture.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const repeats = arg('repeats', 5);
const modelArg = process.argv.indexOf('--model');
const realModel = modelArg >= 0 ? process.argv[modelArg + 1] : null;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const min = (a: number[]) => Math.min(...a);

function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

const dir = mkdtempSync(join(tmpdir(), 'chord-bench-'));
const rng = new Rng(0);
const image: Image = {
  channels: 3,
  height: 512,
  width: 512,
  data: Float32Array.from({ length: 3 * 512 * 512 }, () => rng.uniform() * 2 - 1),
};
const results: Record<string, unknown>[] = [];
try {
  if (!realModel) writeSdTurboFixture(dir, { textDim: 1024 });
  const t0 = performance.now();
  const model = await loadPipeline(realModel ?? dir, { threads: realModel ? 0 : 1 });
  const loadMs = performance.now() - t0;
  const parts = model.parts(512, 512);
  const editor = new ChordEditor(parts);
  const runs: [string, EditMethod, Record<string, unknown>][] = [
    ['chord (paper default, NFE 2)', 'chord', {}],
    ['chord no refinement (NFE 1)', 'chord', { refine: false }],
    ['naive (delta = 0)', 'naive', {}],
    ['sdedit k = 1', 'sdedit', {}],
    ['ddim-inversion k = 4', 'ddim-inversion', { steps: 4 }],
  ];
  for (const [name, method, config] of runs) {
    const wall: number[] = [];
    const outside: number[] = [];
    const outsideMs: number[] = [];
    const math: number[] = [];
    let nfe = 0;
    let calls = 0;
    for (let r = 0; r < repeats + 1; r++) {
      const m0 = model.modelMs();
      const s = performance.now();
      const out = await editor.edit({
        image,
        source: 'a photo of a cat',
        target: 'a photo of a dog',
        method,
        config,
        seed: r,
      });
      const total = performance.now() - s;
      if (r === 0) continue; // warm-up
      const inModel = model.modelMs() - m0;
      wall.push(total);
      outside.push((total - inModel) / total);
      outsideMs.push(total - inModel);
      math.push(out.diagnostics.timeMathMs);
      nfe = out.diagnostics.nfe;
      calls = out.diagnostics.modelCalls;
    }
    results.push({
      name,
      nfe,
      modelCalls: calls,
      wallMsMedian: median(wall),
      wallMsMin: min(wall),
      editMathMsMedian: median(math),
      outsideModelMsMin: min(outsideMs),
      shareOutsideModelMedian: median(outside),
      shareOutsideModelMin: min(outside),
    });
  }
  await model.dispose();

  // The edit math alone (model = precomputed eps, no ONNX): ours vs PyTorch.
  const eps = rng.normals(4 * 4 * 64 * 64); // both times x both prompts in one call
  const instant: Denoiser = {
    latentShape: [4, 64, 64],
    alphasCumprod: model.alphasCumprod,
    predictEps: async (z) => eps.subarray(0, z.length),
  };
  const emb = { data: new Float32Array(77 * 1024), shape: [77, 1024] };
  const latent = rng.normals(4 * 64 * 64);
  const mathMs: number[] = [];
  for (let r = 0; r < 21; r++) {
    const s = performance.now();
    await new ChordEditor({ denoiser: instant }).edit({ latent, source: emb, target: emb, seed: r });
    if (r > 0) mathMs.push(performance.now() - s);
  }
  const py = findTorchPython();
  let torch: Record<string, unknown> = { skipped: 'no Python interpreter with torch found' };
  if (py) {
    const script = fileURLToPath(new URL('./chord_math.py', import.meta.url));
    const r = spawnSync(py, [script], { encoding: 'utf8' });
    torch = r.status === 0 ? JSON.parse(r.stdout) : { error: r.stderr.trim().split('\n').pop() };
  }
  const oursMs = min(mathMs);
  const torchMs = typeof torch.msMin === 'number' ? torch.msMin : null;
  console.log(
    JSON.stringify(
      {
        bench: 'chordedit',
        size: '512x512 image, latents [4,4,64,64] (both times, both prompts), text [2,77,1024]',
        graphs: realModel ?? 'SD-Turbo-shaped, cheap ops (model time = ONNX Runtime overhead for real tensor sizes)',
        threads: realModel ? 'default' : 1,
        sessionLoadMs: loadMs,
        edits: results,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
        loadAverage1m: loadavg()[0],
        editMath: { oursMsMin: oursMs, torch, torchOverOurs: torchMs ? torchMs / oursMs : null },
      },
      null,
      1,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
