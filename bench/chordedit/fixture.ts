/**
 * Writes an SD-Turbo-SHAPED ONNX folder (real names, dtypes and layouts; cheap closed-form ops;
 * tiny CLIP tokenizer) to try `modelmath edit --model DIR` without downloading SD-Turbo.
 * Usage: npx tsx bench/chordedit/fixture.ts OUT_DIR [--fp16] [--text-dim 1024]
 */
import { writeSdTurboFixture } from '../../testkit/sd-turbo-fixture.js';

const dir = process.argv[2];
if (!dir || dir.startsWith('--')) {
  console.error('usage: npx tsx bench/chordedit/fixture.ts OUT_DIR [--fp16] [--text-dim 1024]');
  process.exit(2);
}
const i = process.argv.indexOf('--text-dim');
const textDim = i >= 0 ? Number(process.argv[i + 1]) : 8;
writeSdTurboFixture(dir, { dtype: process.argv.includes('--fp16') ? 'float16' : 'float32', textDim });
console.log(JSON.stringify({ written: dir, textDim }));
