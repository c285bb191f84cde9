import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/core/errors.js';
import { OnnxModel } from '../../src/core/onnx.js';
import { buildModel, OnnxGraphBuilder } from '../../src/core/onnx-graph.js';
import { checkOnnxFiles } from '../support/onnx-checker.js';

const dir = mkdtempSync(join(tmpdir(), 'onnx-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** y = relu(x W + b) with W [3, 2], as a graph written by the builder. */
function denseGraph(w: number[], b: number[]): Uint8Array {
  const g = new OnnxGraphBuilder();
  const x = g.input('x', 'float32', ['batch', 3]);
  const h = g.op('Add', [g.op('MatMul', [x, g.tensor('w', [3, 2], w)]), g.tensor('b', [2], b)]);
  const r = g.op('Relu', [h]);
  const shape = g.int64('shape', [-1, 2]);
  g.output('y', 'float32', ['batch', 2], g.op('Reshape', [r, shape]));
  return g.build({ doc: 'dense layer', metadata: { made_by: 'test' } });
}

describe('ONNX writer', () => {
  it('builds a graph ONNX Runtime runs to the naive result, for any weights', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 8, maxLength: 8 }),
        async (v) => {
          const [w, b, x] = [v.slice(0, 6), v.slice(6, 8), [0.5, -1, 2, 1, 1, -0.25]];
          const path = join(dir, 'dense.onnx');
          writeFileSync(path, denseGraph(w, b));
          const m = await OnnxModel.load(path, { threads: 1 });
          const y = (await m.run({ x: { data: Float32Array.from(x), dims: [2, 3] } })).y;
          await m.dispose();
          expect(y.dims).toEqual([2, 2]);
          for (let r = 0; r < 2; r++) {
            for (let c = 0; c < 2; c++) {
              let s = Math.fround(b[c]);
              for (let k = 0; k < 3; k++) s += Math.fround(x[r * 3 + k]) * Math.fround(w[k * 2 + c]);
              expect(y.data[r * 2 + c]).toBeCloseTo(Math.max(0, s), 5);
            }
          }
        },
      ),
      { numRuns: 8 },
    );
  });
  it('passes the reference onnx checker (opset 17, IR 8)', () => {
    const path = join(dir, 'checked.onnx');
    writeFileSync(path, denseGraph([1, 2, 3, 4, 5, 6], [0, 1]));
    const r = checkOnnxFiles([path]);
    if (r.available) expect(r.ok, r.output).toBe(true);
  });
  it('names values uniquely and refuses a reused name, an opset above 17 and a wrong initializer size', () => {
    const g = new OnnxGraphBuilder();
    expect([g.fresh('a'), g.fresh('a'), g.fresh('a')]).toEqual(['a', 'a_1', 'a_2']);
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(ConfigError);
    expect(() => new OnnxGraphBuilder().build()).toThrow(/at least one output/);
    const spec = { inputs: [], outputs: [{ name: 'c', dtype: 'float32' as const, shape: [1] }], nodes: [] };
    expect(() => buildModel({ ...spec, opset: 18 })).toThrow(/opset must be an integer in \[7, 17\]/);
    const bad = { name: 'c', dtype: 'float32' as const, dims: [2, 2], values: [1, 2, 3] };
    expect(() => buildModel({ ...spec, initializers: [bad] })).toThrow(ShapeError);
  });
});
