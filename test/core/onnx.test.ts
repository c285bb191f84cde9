import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { executionProviders, fromFloat16Bits, OnnxModel, toFloat16Bits } from '../../src/core/onnx.js';
import { writeSdTurboFixture } from '../../testkit/sd-turbo-fixture.js';

// The ONNX Runtime backend on tiny generated graphs (test/support/sd-turbo-fixture.ts).
const dirs: string[] = [];
const models: { dispose(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(models.map((m) => m.dispose()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fixture(options: Parameters<typeof writeSdTurboFixture>[1] = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ort-'));
  dirs.push(dir);
  return writeSdTurboFixture(dir, options);
}

describe('float16 conversion', () => {
  it('encodes known values with round-to-nearest-even', () => {
    const bits = toFloat16Bits(
      Float32Array.of(1, -2, 65504, 65520, 2 ** -24, 0.1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0, -0),
    );
    expect(Array.from(bits)).toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x2e66, 0x3c00, 0x3c02, 0, 0x8000]);
    expect(toFloat16Bits(Float32Array.of(Number.NaN))[0] & 0x7e00).toBe(0x7e00);
  });
  it('round-trips every finite half exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    expect(Array.from(toFloat16Bits(fromFloat16Bits(all)))).toEqual(Array.from(all));
  });
});

describe('sessions', () => {
  it('maps devices to execution providers and lists the supported ones otherwise', () => {
    expect(executionProviders('cpu')).toEqual(['cpu']);
    expect(() => executionProviders('tpu')).toThrow(ConfigError);
    expect(() => executionProviders('tpu')).toThrow(/supported devices: cpu/);
  });
  it('reads names, dtypes and shapes from the session', async () => {
    const dir = fixture({ dtype: 'float16', idsDtype: 'int64' });
    const unet = await OnnxModel.load(join(dir, 'unet', 'model.onnx'), { threads: 1, graphOptimization: 'basic' });
    models.push(unet);
    expect(unet.inputs).toEqual([
      { name: 'sample', dtype: 'float16', shape: ['batch_size', 4, 'height', 'width'] },
      { name: 'timestep', dtype: 'int64', shape: ['steps'] },
      { name: 'encoder_hidden_states', dtype: 'float16', shape: ['batch_size', 77, 8] },
    ]);
    expect(unet.outputs[0]).toMatchObject({ name: 'out_sample', dtype: 'float16' });
    await expect(
      unet.run({
        sample: { data: new Float32Array(4 * 4), dims: [1, 4, 2, 2] },
        timestep: { data: Float32Array.of(1), dims: [1] },
        encoder_hidden_states: { data: new Float32Array(77 * 7), dims: [1, 77, 7] },
      }),
    ).rejects.toThrow(/expects shape \[batch_size, 77, 8\], got \[1, 77, 7\]/);
  });
  it('rejects a missing file and a corrupt one with the path in the message', async () => {
    await expect(OnnxModel.load('/no/such/model.onnx')).rejects.toThrow(/ONNX model not found: \/no\/such\/model.onnx/);
    const dir = mkdtempSync(join(tmpdir(), 'bad-'));
    dirs.push(dir);
    const bad = join(dir, 'model.onnx');
    writeFileSync(bad, 'this is not a protobuf');
    await expect(OnnxModel.load(bad)).rejects.toThrow(InputError);
    await expect(OnnxModel.load(bad)).rejects.toThrow(/cannot load ONNX model .*model.onnx/);
  });
});
