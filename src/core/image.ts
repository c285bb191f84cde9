/**
 * Image I/O for modelmath: decode any common format (PNG, JPEG, WebP, GIF, TIFF...) with sharp,
 * validated by content, into planar float CHW in [-1, 1] (the convention of diffusion models),
 * and back to 8-bit PNG/JPEG. Resizing and cropping also go through sharp (libvips).
 */
import { readFileSync, statSync } from 'node:fs';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { ConfigError, checkNumber, InputError, ShapeError } from './errors.js';
import { writeFileAtomic } from './outputs.js';

/** A planar image: `data[c * height * width + y * width + x]`, values in [-1, 1]. */
export interface Image {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/** Largest image we decode (pixels), so a hostile header cannot make us allocate gigabytes. */
export const MAX_PIXELS = 8192 * 8192;

/** Checks that `image` is a well-formed CHW image and returns it. */
export function checkImage(name: string, image: Image): Image {
  const { channels, height, width, data } = image;
  for (const [k, v] of [
    ['channels', channels],
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(`${name}.${k} must be a positive integer, got ${v}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new ShapeError(`${name} must have 1, 3 or 4 channels, got ${channels}`);
  }
  if (data.length !== channels * height * width) {
    throw new ShapeError(
      `${name}.data must have channels*height*width = ${channels * height * width} elements, got ${data.length}`,
    );
  }
  return image;
}

/** Converts interleaved 8-bit HWC pixels to planar CHW floats in [-1, 1]. */
export function fromInterleavedBytes(bytes: Uint8Array, width: number, height: number, channels: number): Image {
  const hw = width * height;
  const data = new Float32Array(channels * hw);
  for (let i = 0; i < hw; i++) {
    for (let c = 0; c < channels; c++) data[c * hw + i] = bytes[i * channels + c] / 127.5 - 1;
  }
  return { data, channels, height, width };
}

/** Converts a CHW float image in [-1, 1] to interleaved 8-bit HWC (clamped, rounded). */
export function toInterleavedBytes(image: Image): Uint8Array {
  const { channels, height, width, data } = checkImage('image', image);
  const hw = width * height;
  const out = new Uint8Array(channels * hw);
  for (let i = 0; i < hw; i++) {
    for (let c = 0; c < channels; c++) {
      const v = Math.round((data[c * hw + i] + 1) * 127.5);
      out[i * channels + c] = v < 0 ? 0 : v > 255 ? 255 : Number.isNaN(v) ? 0 : v;
    }
  }
  return out;
}

/**
 * Decodes image bytes (format detected from content, not from the file name). `name` is used in
 * errors. `channels` forces 3 (RGB, alpha dropped onto black) or 1 (luminance); default 3.
 */
export async function decodeImage(bytes: Uint8Array, name: string, channels: 1 | 3 = 3): Promise<Image> {
  if (bytes.length === 0) throw new InputError(`${name} is empty (expected PNG, JPEG, WebP, GIF or TIFF)`);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch (err) {
    throw new InputError(`${name} is not an image that can be decoded (expected PNG, JPEG, WebP, GIF or TIFF)`, {
      cause: err,
    });
  }
  if (!meta.width || !meta.height) throw new InputError(`${name} has no width/height in its header`);
  try {
    let pipeline = sharp(bytes, { limitInputPixels: MAX_PIXELS }).flatten({ background: '#000000' });
    pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const img = fromInterleavedBytes(
      new Uint8Array(data.buffer, data.byteOffset, data.length),
      info.width,
      info.height,
      info.channels,
    );
    return info.channels === channels ? img : selectChannels(img, channels);
  } catch (err) {
    throw new InputError(`${name} is a damaged or truncated ${meta.format ?? 'image'} file`, { cause: err });
  }
}

function selectChannels(img: Image, channels: 1 | 3): Image {
  const hw = img.height * img.width;
  if (channels === 1) return toGray(img);
  const data = new Float32Array(3 * hw);
  for (let c = 0; c < 3; c++)
    data.set(img.data.subarray(Math.min(c, img.channels - 1) * hw, (Math.min(c, img.channels - 1) + 1) * hw), c * hw);
  return { data, channels: 3, height: img.height, width: img.width };
}

/** Reads an image file; a missing file or non-image gets an InputError naming the path. */
export async function readImage(path: string, channels: 1 | 3 = 3): Promise<Image> {
  let bytes: Buffer;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    bytes = readFileSync(path);
  } catch {
    throw new InputError(`image file ${path} does not exist or is not a readable file`);
  }
  return decodeImage(bytes, path, channels);
}

function sharpFromImage(image: Image): Sharp {
  const { channels, height, width } = checkImage('image', image);
  return sharp(Buffer.from(toInterleavedBytes(image)), { raw: { width, height, channels: channels as 1 | 3 | 4 } });
}

/** Encodes an image as PNG bytes. */
export async function encodePng(image: Image): Promise<Uint8Array> {
  return new Uint8Array(await sharpFromImage(image).png().toBuffer());
}

/** Writes an image atomically; the format follows the extension (.png, .jpg/.jpeg, .webp). */
export async function writeImage(path: string, image: Image): Promise<void> {
  const ext = path.toLowerCase().split('.').pop();
  let pipeline = sharpFromImage(image);
  if (ext === 'png') pipeline = pipeline.png();
  else if (ext === 'jpg' || ext === 'jpeg') pipeline = pipeline.jpeg({ quality: 95 });
  else if (ext === 'webp') pipeline = pipeline.webp({ lossless: true });
  else throw new ConfigError(`output image ${path} must end in .png, .jpg, .jpeg or .webp`);
  writeFileAtomic(path, new Uint8Array(await pipeline.toBuffer()));
}

export interface ResizeOptions {
  width: number;
  height: number;
  /** 'fill' stretches, 'cover' crops the centre to keep the aspect ratio, 'contain' pads with black. */
  fit?: 'fill' | 'cover' | 'contain';
  /** Resampling kernel: 'linear' (bilinear), 'cubic', 'lanczos3' (default) or 'nearest'. */
  kernel?: 'nearest' | 'linear' | 'cubic' | 'lanczos3';
}

/** Resizes (and if asked crops/pads) an image; values stay in [-1, 1] (8-bit round trip). */
export async function resizeImage(image: Image, options: ResizeOptions): Promise<Image> {
  const { width, height, fit = 'fill', kernel = 'lanczos3' } = options;
  checkNumber('resize width', width, { min: 1, max: 16384, integer: true });
  checkNumber('resize height', height, { min: 1, max: 16384, integer: true });
  const { data, info } = await sharpFromImage(image)
    .resize(width, height, { fit, kernel, background: { r: 0, g: 0, b: 0, alpha: 1 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return fromInterleavedBytes(
    new Uint8Array(data.buffer, data.byteOffset, data.length),
    info.width,
    info.height,
    info.channels,
  );
}

/** Crops the rectangle [left, left+width) x [top, top+height). */
export function cropImage(image: Image, left: number, top: number, width: number, height: number): Image {
  checkImage('image', image);
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > image.width || top + height > image.height) {
    throw new ConfigError(
      `crop ${width}x${height}+${left}+${top} must lie inside the ${image.width}x${image.height} image`,
    );
  }
  const out = new Float32Array(image.channels * width * height);
  for (let c = 0; c < image.channels; c++) {
    for (let y = 0; y < height; y++) {
      const src = c * image.height * image.width + (top + y) * image.width + left;
      out.set(image.data.subarray(src, src + width), c * width * height + y * width);
    }
  }
  return { data: out, channels: image.channels, height, width };
}

/** Luminance (ITU-R BT.601 weights) of an RGB image; a 1-channel image is returned as is. */
export function toGray(image: Image): Image {
  checkImage('image', image);
  if (image.channels === 1) return image;
  const hw = image.height * image.width;
  const out = new Float32Array(hw);
  const d = image.data;
  for (let i = 0; i < hw; i++) out[i] = 0.299 * d[i] + 0.587 * d[hw + i] + 0.114 * d[2 * hw + i];
  return { data: out, channels: 1, height: image.height, width: image.width };
}

/** Lays images (same channels) out in a grid with `pad` pixels of `background` between them. */
export function imageGrid(images: Image[], cols: number, pad = 1, background = 1): Image {
  if (images.length === 0) throw new ConfigError('imageGrid needs at least one image');
  checkNumber('cols', cols, { min: 1, integer: true });
  const channels = images[0].channels;
  const cellH = Math.max(...images.map((im) => im.height));
  const cellW = Math.max(...images.map((im) => im.width));
  const rows = Math.ceil(images.length / cols);
  const width = cols * cellW + (cols + 1) * pad;
  const height = rows * cellH + (rows + 1) * pad;
  const data = new Float32Array(channels * width * height).fill(background);
  images.forEach((im, k) => {
    checkImage(`images[${k}]`, im);
    if (im.channels !== channels)
      throw new ShapeError(`images[${k}] has ${im.channels} channels, expected ${channels}`);
    const x0 = pad + (k % cols) * (cellW + pad);
    const y0 = pad + Math.floor(k / cols) * (cellH + pad);
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < im.height; y++) {
        const src = c * im.height * im.width + y * im.width;
        data.set(im.data.subarray(src, src + im.width), c * width * height + (y0 + y) * width + x0);
      }
    }
  });
  return { data, channels, height, width };
}
