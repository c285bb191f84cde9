/**
 * Planar images as modelmath's models see them (CHW floats in [-1, 1], the convention of diffusion
 * models) and the pixel-level helpers that need no codec: checks, 8-bit interleaved conversions,
 * crop, luminance and grids. No Node API: the browser build decodes with a canvas and shares these.
 * File and codec I/O (sharp) is in ./image.ts.
 */
import { ConfigError, checkNumber, ShapeError } from './errors.js';

/** A planar image: `data[c * height * width + y * width + x]`, values in [-1, 1]. */
export interface Image {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

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
