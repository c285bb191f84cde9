/**
 * The attribute classifier (CLIP's stand-in for scoring toy edits): two small MLPs trained on
 * renders with mild Gaussian pixel noise. The object head reads the 16 x 16 window around one of
 * the 9 grid cells and predicts presence, shape, colour, size and texture; the background head
 * reads the image average-pooled to 8 x 8. Softmax cross-entropy per head (masked for empty cells).
 * Held-out accuracy is measured in test/toyworld/classifier.test.ts on renders it never saw.
 */
import { existsSync } from 'node:fs';
import { assetPath } from '../../core/assets.js';
import type { Scalar, Tensor } from '../../core/engine.js';
import { getTf, tfSync } from '../../core/engine.js';
import { checkNumber, InputError, show } from '../../core/errors.js';
import type { Image } from '../../core/image.js';
import { Rng } from '../../core/rng.js';
import { readSafetensorsFile } from '../../core/safetensors.js';
import { adamw, type LinearParams, linear, linearInit, loadParams, lrSchedule } from '../../nn/index.js';
import {
  BACKGROUNDS,
  type Background,
  CELL_CENTRES,
  COLOURS,
  type Colour,
  IMAGE_SIZE,
  renderScene,
  type Scene,
  SHAPES,
  type Shape,
  SIZES,
  type Size,
  sampleScene,
  TEXTURES,
  type Texture,
} from '../world/index.js';

/** Side of the window read around a cell (pixels). */
export const WINDOW = 16;
const POOL = 4;
/** Object-head outputs, in logit order: presence(2), shape(5), colour(6), size(2), texture(3). */
const HEADS = [
  ['presence', 2],
  ['shape', SHAPES.length],
  ['colour', COLOURS.length],
  ['size', SIZES.length],
  ['texture', TEXTURES.length],
] as const;
const OBJECT_OUT = HEADS.reduce((s, [, n]) => s + n, 0);
const OBJECT_IN = 3 * WINDOW * WINDOW;
const BACKGROUND_IN = 3 * (IMAGE_SIZE / POOL) ** 2;

export interface ClassifierConfig {
  /** Hidden width of both MLPs (default 192). */
  hidden: number;
  /** Training steps (default 500). */
  steps: number;
  /** Scenes per step (default 32; every scene gives its object cells and 2 empty cells). */
  batch: number;
  /** Peak learning rate (default 2e-3, cosine to 1e-4). */
  peakLr: number;
  /** Largest std of the Gaussian pixel noise added to training renders (default 0.1). */
  noise: number;
}

export const CLASSIFIER_DEFAULTS: ClassifierConfig = { hidden: 192, steps: 500, batch: 32, peakLr: 2e-3, noise: 0.1 };

export interface ClassifierParams {
  object: LinearParams[];
  background: LinearParams[];
}

/** What the classifier reads from a picture. */
export interface ObjectReading {
  cell: number;
  present: boolean;
  shape: Shape;
  colour: Colour;
  size: Size;
  texture: Texture;
}
export interface SceneReading {
  background: Background;
  cells: ObjectReading[];
}

export function classifierInit(rng: Rng, hidden: number): ClassifierParams {
  const mlp3 = (r: Rng, inDim: number, out: number) => [
    linearInit(r.fork(0), inDim, hidden),
    linearInit(r.fork(1), hidden, hidden),
    linearInit(r.fork(2), hidden, out),
  ];
  return {
    object: mlp3(rng.fork('object'), OBJECT_IN, OBJECT_OUT),
    background: mlp3(rng.fork('bg'), BACKGROUND_IN, BACKGROUNDS.length),
  };
}

function applyMlp(layers: LinearParams[], x: Tensor): Tensor {
  const tf = tfSync();
  let h = x;
  layers.forEach((l, i) => {
    h = linear(l, h);
    if (i < layers.length - 1) h = tf.relu(h);
  });
  return h;
}

/** The WINDOW x WINDOW crop (CHW, flat) whose centre is the centre of `cell`. */
export function cellWindow(image: Image, cell: number): Float32Array {
  const x0 = Math.round(CELL_CENTRES[cell % 3] - WINDOW / 2);
  const y0 = Math.round(CELL_CENTRES[Math.floor(cell / 3)] - WINDOW / 2);
  const out = new Float32Array(OBJECT_IN);
  const n = IMAGE_SIZE;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < WINDOW; y++) {
      for (let x = 0; x < WINDOW; x++) {
        const yy = Math.min(n - 1, Math.max(0, y0 + y));
        const xx = Math.min(n - 1, Math.max(0, x0 + x));
        out[(c * WINDOW + y) * WINDOW + x] = image.data[(c * n + yy) * n + xx];
      }
    }
  }
  return out;
}

/** The image average-pooled by POOL x POOL (CHW, flat). */
export function pooledImage(image: Image): Float32Array {
  const m = IMAGE_SIZE / POOL;
  const out = new Float32Array(BACKGROUND_IN);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < IMAGE_SIZE; x++) {
        out[(c * m + Math.floor(y / POOL)) * m + Math.floor(x / POOL)] +=
          image.data[(c * IMAGE_SIZE + y) * IMAGE_SIZE + x] / (POOL * POOL);
      }
    }
  }
  return out;
}

/** Label vector for one cell: class index per head, -1 where undefined (attributes of an empty cell). */
function cellLabels(scene: Scene, cell: number): number[] {
  const o = scene.objects.find((q) => q.cell === cell);
  if (!o) return [0, -1, -1, -1, -1];
  return [1, SHAPES.indexOf(o.shape), COLOURS.indexOf(o.colour), SIZES.indexOf(o.size), TEXTURES.indexOf(o.texture)];
}

/** Softmax cross-entropy of one head over the rows whose label is >= 0. */
function headLoss(logits: Tensor, labels: Int32Array, classes: number): Tensor {
  const tf = tfSync();
  const keep = Float32Array.from(labels, (l) => (l >= 0 ? 1 : 0));
  const count = Math.max(
    1,
    keep.reduce((s, v) => s + v, 0),
  );
  const oneHot = tf.oneHot(
    tf.tensor1d(
      Int32Array.from(labels, (l) => Math.max(0, l)),
      'int32',
    ),
    classes,
  );
  const nll = tf.neg(tf.sum(oneHot.mul(tf.logSoftmax(logits)), -1)); // [N]
  return nll.mul(tf.tensor1d(keep)).sum().div(count);
}

/** A render of `scene` with N(0, s^2) pixel noise, s ~ U(0, maxNoise) (robustness to model outputs). */
function noisyRender(scene: Scene, rng: Rng, maxNoise: number): Image {
  const img = renderScene(scene);
  const s = rng.uniform() * maxNoise;
  for (let i = 0; i < img.data.length; i++) img.data[i] += s * rng.normal();
  return img;
}

interface ClassifierBatch {
  windows: Float32Array;
  labels: Int32Array[];
  pooled: Float32Array;
  backgrounds: Int32Array;
  rows: number;
  images: number;
}

/** One batch: per scene, every object cell plus two empty cells, and the pooled image. */
function classifierBatch(rng: Rng, c: ClassifierConfig): ClassifierBatch {
  const windows: Float32Array[] = [];
  const labels: number[][] = HEADS.map(() => []);
  const pooled = new Float32Array(c.batch * BACKGROUND_IN);
  const backgrounds = new Int32Array(c.batch);
  for (let b = 0; b < c.batch; b++) {
    const scene = sampleScene(rng);
    const img = noisyRender(scene, rng, c.noise);
    pooled.set(pooledImage(img), b * BACKGROUND_IN);
    backgrounds[b] = BACKGROUNDS.indexOf(scene.background);
    const empty = rng.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8].filter((q) => !scene.objects.some((o) => o.cell === q)));
    for (const cell of [...scene.objects.map((o) => o.cell), ...empty.slice(0, 2)]) {
      windows.push(cellWindow(img, cell));
      cellLabels(scene, cell).forEach((l, h) => {
        labels[h].push(l);
      });
    }
  }
  const flat = new Float32Array(windows.length * OBJECT_IN);
  windows.forEach((w, i) => {
    flat.set(w, i * OBJECT_IN);
  });
  return {
    windows: flat,
    labels: labels.map((l) => Int32Array.from(l)),
    pooled,
    backgrounds,
    rows: windows.length,
    images: c.batch,
  };
}

/** Sum of the head losses on one batch (object heads + background head). */
function classifierLoss(p: ClassifierParams, b: ClassifierBatch): Scalar {
  const tf = tfSync();
  return tf.tidy(() => {
    const logits = applyMlp(p.object, tf.tensor2d(b.windows, [b.rows, OBJECT_IN])); // [N, OUT]
    let offset = 0;
    let loss = headLoss(
      applyMlp(p.background, tf.tensor2d(b.pooled, [b.images, BACKGROUND_IN])),
      b.backgrounds,
      BACKGROUNDS.length,
    );
    HEADS.forEach(([, n], h) => {
      loss = loss.add(headLoss(logits.slice([0, offset], [b.rows, n]), b.labels[h], n));
      offset += n;
    });
    return loss as Scalar;
  });
}

/** Trains the classifier from `seed` (fresh scenes each step); returns params and the loss history. */
export async function trainClassifier(
  config: ClassifierConfig,
  seed: number,
  onStep?: (i: number, loss: number) => void,
): Promise<{ params: ClassifierParams; losses: number[] }> {
  checkNumber('hidden', config.hidden, { min: 8, max: 4096, integer: true });
  checkNumber('steps', config.steps, { min: 1, integer: true });
  checkNumber('batch', config.batch, { min: 1, max: 4096, integer: true });
  checkNumber('noise', config.noise, { min: 0, max: 1 });
  await getTf();
  const rng = new Rng(seed);
  const params = classifierInit(rng.fork('init'), config.hidden);
  const warmupSteps = 50;
  const lr = lrSchedule({ warmupSteps, totalSteps: config.steps, peak: config.peakLr, floor: 1e-4 });
  const opt = adamw({ lr, weightDecay: 0.01 });
  const data = rng.fork('data');
  const losses: number[] = [];
  for (let i = 0; i < config.steps; i++) {
    const b = classifierBatch(data.fork(i), config);
    losses.push(opt.step(() => classifierLoss(params, b), params));
    onStep?.(i, losses[i]);
  }
  opt.dispose();
  return { params, losses };
}

const argmax = (a: ArrayLike<number>, from: number, n: number) => {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[from + j] > a[from + best]) best = j;
  return best;
};

/** Reads background and all 9 cells of each image. */
export function readScenes(p: ClassifierParams, images: Image[]): SceneReading[] {
  const tf = tfSync();
  const windows = new Float32Array(images.length * 9 * OBJECT_IN);
  const pooled = new Float32Array(images.length * BACKGROUND_IN);
  images.forEach((img, i) => {
    for (let cell = 0; cell < 9; cell++) windows.set(cellWindow(img, cell), (i * 9 + cell) * OBJECT_IN);
    pooled.set(pooledImage(img), i * BACKGROUND_IN);
  });
  const [obj, bg] = tf.tidy(() => [
    applyMlp(p.object, tf.tensor2d(windows, [images.length * 9, OBJECT_IN])),
    applyMlp(p.background, tf.tensor2d(pooled, [images.length, BACKGROUND_IN])),
  ]);
  const o = obj.dataSync();
  const g = bg.dataSync();
  obj.dispose();
  bg.dispose();
  return images.map((_, i) => ({
    background: BACKGROUNDS[argmax(g, i * BACKGROUNDS.length, BACKGROUNDS.length)],
    cells: Array.from({ length: 9 }, (_, cell) => {
      const row = (i * 9 + cell) * OBJECT_OUT;
      return {
        cell,
        present: argmax(o, row, 2) === 1,
        shape: SHAPES[argmax(o, row + 2, SHAPES.length)],
        colour: COLOURS[argmax(o, row + 7, COLOURS.length)],
        size: SIZES[argmax(o, row + 13, SIZES.length)],
        texture: TEXTURES[argmax(o, row + 15, TEXTURES.length)],
      };
    }),
  }));
}

/** The shipped classifier weights (assets/toy/). */
export const SHIPPED_CLASSIFIER = assetPath('toy', 'toy-classifier.safetensors');
export const CLASSIFIER_FORMAT = 'modelmath-toy-classifier-1';

/** Loads classifier weights (default: the shipped file); the hidden width comes from the metadata. */
export async function loadClassifier(path: string = SHIPPED_CLASSIFIER): Promise<ClassifierParams> {
  if (!existsSync(path)) throw new InputError(`toy classifier weights not found: ${path}`);
  await getTf();
  const { metadata } = readSafetensorsFile(path);
  if (metadata.format !== CLASSIFIER_FORMAT) {
    throw new InputError(`${path} is not a toy classifier (metadata format ${show(metadata.format)})`);
  }
  const params = classifierInit(new Rng(0), Number(metadata.hidden));
  loadParams(path, params);
  return params;
}
