/**
 * Image I/O for modelmath: decode any common format (PNG, JPEG, WebP, GIF, TIFF...) with sharp,
 * validated by content, into planar float CHW in [-1, 1] (./image-data.ts, the convention of
 * diffusion models), and back to 8-bit PNG/JPEG. Resizing also goes through sharp (libvips).
 */
import { readFileSync, statSync } from 'node:fs';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { ConfigError, checkNumber, InputError } from './errors.js';
import { checkImage, fromInterleavedBytes, type Image, toGray, toInterleavedBytes } from './image-data.js';
import { writeFileAtomic } from './outputs.js';

export {
  checkImage,
  cropImage,
  fromInterleavedBytes,
  type Image,
  imageGrid,
  toGray,
  toInterleavedBytes,
} from './image-data.js';

/** Largest image we decode (pixels), so a hostile header cannot make us allocate gigabytes. */
export const MAX_PIXELS = 8192 * 8192;

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
