/**
 * Images in the page: canvas pixels to and from core/image-data.ts's planar [-1, 1] images (the
 * same 8-bit conversions the Node side uses), decoding a user's file with the browser's decoders,
 * and resizing with the canvas (bilinear; the CLI resizes with sharp's lanczos3).
 */
import { fromInterleavedBytes, type Image, toInterleavedBytes } from '../../core/image-data.js';

/** RGBA ImageData of an RGB (or gray) image. */
export function toImageData(image: Image): ImageData {
  const bytes = toInterleavedBytes(image);
  const { width, height, channels } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = bytes[i * channels + Math.min(c, channels - 1)];
    rgba[i * 4 + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}

/** RGB image of RGBA pixels (alpha dropped onto black, as the Node decoder flattens). */
export function fromImageData(data: ImageData): Image {
  const { width, height } = data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const a = data.data[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(data.data[i * 4 + c] * a);
  }
  return fromInterleavedBytes(rgb, width, height, 3);
}

/** The image as the 8-bit pixels a PNG of it holds (what the CLI reads back from a file). */
export function quantize(image: Image): Image {
  return fromInterleavedBytes(toInterleavedBytes(image), image.width, image.height, image.channels);
}

/** Draws an image into a canvas (resized to its pixels; CSS scales it up without smoothing). */
export function drawImage(canvas: HTMLCanvasElement, image: Image): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')?.putImageData(toImageData(image), 0, 0);
}

/** The pixels of a canvas as an image. */
export function readCanvas(canvas: HTMLCanvasElement): Image {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2-D canvas context');
  return fromImageData(ctx.getImageData(0, 0, canvas.width, canvas.height));
}

/** Decodes a user's image file with the browser (any format it knows); throws in plain words. */
export async function decodeFile(file: Blob, name: string): Promise<Image> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${name} is not an image that can be decoded (expected PNG, JPEG, WebP or GIF)`);
  }
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  return readCanvas(canvas);
}

/** Resizes (stretching) with the canvas' bilinear filter. */
export function resize(image: Image, height: number, width: number): Image {
  if (image.height === height && image.width === width) return image;
  const src = document.createElement('canvas');
  drawImage(src, image);
  const dst = document.createElement('canvas');
  dst.width = width;
  dst.height = height;
  const ctx = dst.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(src, 0, 0, width, height);
  return readCanvas(dst);
}
