/**
 * The lab's edit models, loaded once on first use: `toy` (the shipped toy model's ONNX folder) or a
 * diffusers/Optimum ONNX folder such as an SD-Turbo export (`--model DIR`), both through chordedit's
 * loadEditModel, the one model loader the CLI uses too; or `analytic`, a TEST/DEMO
 * model: chordedit's closed-form GaussianDenoiser whose class means are the toy world's plain
 * backgrounds, with a prompt's class = the first background word in it (so "... on grass" ->
 * "... on snow" is an edit it can do). It needs no weights; it is not a trained image model.
 */

import { type EditModel, loadEditModel } from '../chordedit/app/index.js';
import { ClassTextEncoder, GaussianDenoiser, type TextEmbedding } from '../chordedit/index.js';
import { ConfigError } from '../core/errors.js';
import { type Image, resizeImage } from '../core/image.js';
import { BACKGROUNDS, backgroundColour, IMAGE_SIZE } from '../toyworld/index.js';

/** Per-element variance of the analytic model's classes (how far an image may sit from its class mean). */
const ANALYTIC_VARIANCE = 0.05;

/** One plain background image [3, 32, 32] in [-1, 1] (phase 0), the analytic model's class mean. */
function backgroundMean(bg: (typeof BACKGROUNDS)[number]): Float32Array {
  const hw = IMAGE_SIZE * IMAGE_SIZE;
  const out = new Float32Array(3 * hw);
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const rgb = backgroundColour(bg, 0, (x + 0.5) / IMAGE_SIZE, (y + 0.5) / IMAGE_SIZE);
      for (let c = 0; c < 3; c++) out[c * hw + y * IMAGE_SIZE + x] = 2 * rgb[c] - 1;
    }
  }
  return out;
}

/** Maps a prompt to the class of the first background word it names. */
class BackgroundWordEncoder extends ClassTextEncoder {
  override async encode(prompts: string[]): Promise<TextEmbedding[]> {
    const classes = prompts.map((p) => {
      const word = p
        .toLowerCase()
        .match(/[a-z]+/g)
        ?.find((w) => (BACKGROUNDS as readonly string[]).includes(w));
      if (!word) {
        throw new ConfigError(
          `the analytic demo model only understands prompts that name a background (${BACKGROUNDS.join(', ')}); got ${JSON.stringify(p)}`,
        );
      }
      return word;
    });
    return super.encode(classes);
  }
}

/** The analytic demo model as an EditModel (inputs resized to 32 x 32). */
export function analyticModel(): EditModel {
  const denoiser = new GaussianDenoiser({
    latentShape: [3, IMAGE_SIZE, IMAGE_SIZE],
    means: BACKGROUNDS.map(backgroundMean),
    variance: ANALYTIC_VARIANCE,
  });
  const codec = {
    encode: async (image: Image) => Float32Array.from(image.data),
    decode: async (latent: Float32Array): Promise<Image> => ({
      data: Float32Array.from(latent),
      channels: 3,
      height: IMAGE_SIZE,
      width: IMAGE_SIZE,
    }),
  };
  const parts = { denoiser, textEncoder: new BackgroundWordEncoder(BACKGROUNDS), codec };
  return {
    name: 'analytic',
    async partsFor(image: Image) {
      const same = image.height === IMAGE_SIZE && image.width === IMAGE_SIZE;
      const sized = same ? image : await resizeImage(image, { height: IMAGE_SIZE, width: IMAGE_SIZE, fit: 'fill' });
      return { parts, image: sized };
    },
    modelMs: () => null,
    dispose: async () => {},
  };
}

/**
 * Loads the model once on first use and keeps it; a failed load (e.g. a folder not there yet) is
 * not kept, so the next edit tries again and reports the error in plain words.
 */
export class ModelSlot {
  private loading?: Promise<EditModel>;
  constructor(readonly spec: string) {}

  get(): Promise<EditModel> {
    if (!this.loading) {
      const loading = this.spec === 'analytic' ? Promise.resolve(analyticModel()) : loadEditModel(this.spec);
      this.loading = loading;
      loading.catch(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    }
    return this.loading;
  }

  async dispose(): Promise<void> {
    const model = await this.loading?.catch(() => undefined);
    await model?.dispose();
  }
}
