/**
 * "This machine": what the numbers in the rest of the tour were measured on — CPU, cores,
 * memory, Node, the training engine and its measured matmul speed, and whether ONNX Runtime loads.
 */
import { cpus, totalmem } from 'node:os';
import { engineBackend, getTf } from '../core/engine.js';
import { onnxRuntimeInfo } from '../core/onnx.js';
import type { TourSection } from '../core/tour-section.js';

/** Measures fp32 matmul GFLOPS of the training engine at n x n (best of `reps`). */
export async function measureMatmulGflops(n: number, reps: number): Promise<number> {
  const tf = await getTf();
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  // No tf.tidy around dataSync(): tidy walks a returned TypedArray element by element (engine rule 4).
  const timeOne = () => {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    return (performance.now() - t0) / 1000;
  };
  timeOne(); // warm-up
  let best = Infinity;
  for (let r = 0; r < reps; r++) best = Math.min(best, timeOne());
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / best / 1e9;
}

export const section: TourSection = {
  id: 'machine',
  title: 'This machine',
  async run(ctx) {
    const n = ctx.quick ? 256 : 512;
    const gflops = await measureMatmulGflops(n, ctx.quick ? 2 : 4);
    const ort = onnxRuntimeInfo();
    const cpu = cpus();
    const rows: [string, string | number][] = [
      ['Node.js', process.version],
      ['platform', `${process.platform} ${process.arch}`],
      ['CPU', cpu[0]?.model ?? 'unknown'],
      ['logical cores', cpu.length],
      ['memory (GiB)', Number((totalmem() / 2 ** 30).toFixed(1))],
      ['training engine', `TensorFlow.js ${engineBackend()} backend`],
      [`engine fp32 matmul ${n}x${n} (GFLOPS)`, Number(gflops.toFixed(1))],
      ['ONNX Runtime loads', ort.loads ? 'yes' : 'no'],
      ['ONNX Runtime version', ort.version],
      ['ONNX Runtime bundled execution providers', ort.backends || '–'],
    ];
    return {
      summary:
        'Every number in this report was measured on the machine described here. The training engine runs on the CPU through WebAssembly; pretrained ONNX models (SD-Turbo, exported LMs) run through ONNX Runtime.',
      tables: [{ caption: 'Machine and engines', columns: ['property', 'value'], rows }],
      data: {
        node: process.version,
        cores: cpu.length,
        engine: engineBackend(),
        matmulGflops: gflops,
        matmulSize: n,
        onnxRuntime: ort,
      },
    };
  },
};
