/**
 * The ChordEdit page's API: a seeded toy-world edit pair (source, ground-truth target, captions,
 * mask) and one edit of a toy-world pick or an uploaded image (type checked by content with
 * decodeImage), with any method and setting, answered with the images as PNG data URLs, NFE, time,
 * the chord-field energy per step and, for toy-world picks, the PSNR to the ground truth.
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { z } from 'zod';
import type { EditModel } from '../chordedit/app/index.js';
import { ChordEditor, EDIT_METHODS } from '../chordedit/index.js';
import { InputError } from '../core/errors.js';
import { decodeImage, encodePng, type Image } from '../core/image.js';
import { EDIT_TYPES, type RenderedEdit } from '../toyworld/index.js';
import { pickScene, truthMetrics } from './lab-edit.js';

/** A 32-bit seed (the Rng's range). */
const seed32 = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);

/** A toy-world pick: the edit pair drawn from `seed` for one edit type. */
const sceneRef = z.strictObject({ kind: z.literal('scene'), seed: seed32, editType: z.enum(EDIT_TYPES) });

/** An uploaded image, base64 (the body limit bounds its size). */
const upload = z.strictObject({ kind: z.literal('upload'), data: z.string().min(1) });

export const sceneSchema = sceneRef.omit({ kind: true });

export const editSchema = z.strictObject({
  image: z.discriminatedUnion('kind', [sceneRef, upload]),
  source: z.string().trim().min(1).max(300),
  target: z.string().trim().min(1).max(300),
  method: z.enum(EDIT_METHODS),
  seed: seed32.default(0),
  /** ChordEdit settings; ranges are checked by chordedit's validateChordConfig. The lab caps n and steps. */
  config: z
    .strictObject({
      t: z.number(),
      delta: z.number(),
      lambda: z.number(),
      tc: z.number(),
      noiseSamples: z.number().int().min(1).max(16),
      steps: z.number().int().min(1).max(50),
      refine: z.boolean(),
    })
    .partial()
    .default({}),
});
export type EditBody = z.infer<typeof editSchema>;

const dataUrl = async (image: Image) =>
  `data:image/png;base64,${Buffer.from(await encodePng(image)).toString('base64')}`;

/** Largest uploaded image in pixels (4096 x 4096): a small compressed file must not decode into gigabytes. */
export const MAX_UPLOAD_PIXELS = 4096 * 4096;

/** Decodes an upload (type checked by content by decodeImage) after checking its size from the header. */
async function decodeUpload(base64: string): Promise<Image> {
  const bytes = Buffer.from(base64, 'base64');
  const name = 'the uploaded file';
  if (bytes.length === 0) throw new InputError(`${name} is empty (expected a base64-encoded image)`);
  const meta = await sharp(bytes)
    .metadata()
    .catch(() => null); // not an image: decodeImage below says so in its own words
  if (meta?.width && meta.height && meta.width * meta.height > MAX_UPLOAD_PIXELS) {
    throw new InputError(`${name} is ${meta.width} x ${meta.height} pixels; the lab accepts at most 4096 x 4096`);
  }
  return decodeImage(bytes, name);
}

/** Answer of POST /api/scene. */
export async function sceneAnswer(body: z.infer<typeof sceneSchema>) {
  const pair = pickScene(body.seed, body.editType);
  return {
    type: pair.type,
    sourceCaption: pair.sourceCaption,
    targetCaption: pair.targetCaption,
    source: await dataUrl(pair.sourceImage),
    groundTruth: await dataUrl(pair.targetImage),
  };
}

/** Answer of POST /api/edit. */
export async function editAnswer(body: EditBody, getModel: () => Promise<EditModel>) {
  const t0 = performance.now();
  let pair: RenderedEdit | undefined;
  let input: Image;
  if (body.image.kind === 'scene') {
    pair = pickScene(body.image.seed, body.image.editType);
    input = pair.sourceImage;
  } else {
    input = await decodeUpload(body.image.data);
  }
  const model = await getModel();
  const { parts, image } = await model.partsFor(input);
  const result = await new ChordEditor(parts).edit({
    image,
    source: body.source,
    target: body.target,
    method: body.method,
    config: body.config,
    seed: body.seed,
  });
  const edited = result.image as Image;
  const d = result.diagnostics;
  return {
    model: model.name,
    method: d.method,
    source: await dataUrl(image),
    result: await dataUrl(edited),
    groundTruth: pair ? await dataUrl(pair.targetImage) : null,
    nfe: d.nfe,
    modelCalls: d.modelCalls,
    timeMs: performance.now() - t0,
    timeModelMs: d.timeModelMs,
    energies: d.steps,
    metrics: pair ? truthMetrics(pair, edited) : null,
  };
}
