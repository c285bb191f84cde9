/**
 * Video input for modelmath: a folder of frames (PNG/JPEG, natural sort order), an animated GIF
 * (gifuct-js) or APNG (upng-js), or — only when `ffmpeg` is installed — any video file ffmpeg
 * reads. Every frame becomes a grayscale image, centre-cropped and resized to the requested
 * size (`fit: 'cover'`), values in [-1, 1]. Bad input (no frames, mixed frame sizes, damaged
 * files) ends in an InputError naming the file. Checked in test/physics/video.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { decompressFrames, type ParsedFrame, parseGIF } from 'gifuct-js';
import { checkNumber, InputError } from './errors.js';
import { fromInterleavedBytes, type Image, readImage, resizeImage, toGray } from './image.js';

/** Grayscale frames of one video, each `height * width` floats in [-1, 1]. */
export interface Video {
  frames: Float32Array[];
  height: number;
  width: number;
  /** Where the frames came from: 'frames' (folder), 'gif', 'apng' or 'ffmpeg'. */
  source: 'frames' | 'gif' | 'apng' | 'ffmpeg';
}

export interface LoadVideoOptions {
  /** Output frame width in pixels (default 100, the paper's). */
  width?: number;
  /** Output frame height in pixels (default 56). */
  height?: number;
  /** Frames per second ffmpeg samples a video file at (default 10, i.e. dt = 0.1 s). */
  fps?: number;
}

const FRAME_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

interface UpngImage {
  width: number;
  height: number;
  frames: unknown[];
}
interface Upng {
  decode(buffer: ArrayBuffer): UpngImage;
  toRGBA8(img: UpngImage): ArrayBuffer[];
}
const UPNG = createRequire(import.meta.url)('upng-js') as Upng;

/** Natural order: frame2.png before frame10.png. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

/** Whether an `ffmpeg` executable is on PATH. */
export function hasFfmpeg(): boolean {
  const r = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' });
  return r.status === 0;
}

async function fitFrame(img: Image, width: number, height: number): Promise<Float32Array> {
  const sized =
    img.width === width && img.height === height ? img : await resizeImage(img, { width, height, fit: 'cover' });
  return toGray(sized).data; // after the resize: sharp may hand a 1-channel image back as RGB
}

/** RGBA frames (already composited to full size) to grayscale images. */
function rgbaFrames(buffers: ArrayBuffer[] | Uint8ClampedArray[], width: number, height: number): Image[] {
  return buffers.map((b) => {
    const rgba = b instanceof Uint8ClampedArray ? new Uint8Array(b.buffer, b.byteOffset, b.length) : new Uint8Array(b);
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      const a = rgba[4 * i + 3] / 255; // composite onto black
      for (let c = 0; c < 3; c++) rgb[3 * i + c] = Math.round(rgba[4 * i + c] * a);
    }
    return fromInterleavedBytes(rgb, width, height, 3);
  });
}

/** Decodes an animated GIF into full-size frames (patches composited, disposal 2 honoured). */
function decodeGif(bytes: Uint8Array, path: string): Image[] {
  let frames: ParsedFrame[];
  let width: number;
  let height: number;
  try {
    const gif = parseGIF(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    ({ width, height } = gif.lsd);
    frames = decompressFrames(gif, true);
  } catch (err) {
    throw new InputError(`${path} is a damaged GIF file`, { cause: err });
  }
  if (width < 1 || height < 1) throw new InputError(`${path}: GIF has no width/height in its header`);
  const canvas = new Uint8ClampedArray(width * height * 4);
  const out: Uint8ClampedArray[] = [];
  for (const f of frames) {
    const { left, top, width: w, height: h } = f.dims;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = 4 * (y * w + x);
        const [cx, cy] = [left + x, top + y];
        if (f.patch[src + 3] === 0 || cx >= width || cy >= height) continue; // transparent
        canvas.set(f.patch.subarray(src, src + 4), 4 * (cy * width + cx));
      }
    }
    out.push(Uint8ClampedArray.from(canvas));
    if (f.disposalType === 2) {
      for (let y = top; y < Math.min(top + h, height); y++)
        canvas.fill(0, 4 * (y * width + left), 4 * (y * width + Math.min(left + w, width)));
    }
  }
  return rgbaFrames(out, width, height);
}

function decodeApng(bytes: Uint8Array, path: string): Image[] {
  try {
    const img = UPNG.decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    return rgbaFrames(UPNG.toRGBA8(img), img.width, img.height);
  } catch (err) {
    throw new InputError(`${path} is a damaged PNG/APNG file`, { cause: err });
  }
}

async function loadFrameFolder(dir: string): Promise<Image[]> {
  const names = readdirSync(dir)
    .filter((n) => FRAME_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith('.'))
    .sort(naturalCompare);
  if (names.length === 0) throw new InputError(`folder ${dir} has no frames (expected .png, .jpg or .jpeg files)`);
  const images: Image[] = [];
  for (const n of names) {
    const img = await readImage(join(dir, n), 1);
    const first = images[0];
    if (first && (img.width !== first.width || img.height !== first.height)) {
      throw new InputError(
        `frames in ${dir} must all have the same size: ${names[0]} is ${first.width}x${first.height}, ${n} is ${img.width}x${img.height}`,
      );
    }
    images.push(img);
  }
  return images;
}

function extractWithFfmpeg(path: string, fps: number): string {
  if (!hasFfmpeg()) {
    throw new InputError(
      `${path} is not a frame folder, GIF or APNG; reading other video formats needs ffmpeg, which is not installed ` +
        '(install ffmpeg, or convert the video to a folder of PNG frames or an animated GIF)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'modelmath-video-'));
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-vf', `fps=${fps}`, join(dir, 'frame_%06d.png')], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new InputError(`ffmpeg could not read ${path}: ${(r.stderr || '').trim().split('\n')[0]}`);
  }
  return dir;
}

/** Loads a video (folder of frames, GIF, APNG, or any format ffmpeg reads when installed). */
export async function loadVideo(path: string, options: LoadVideoOptions = {}): Promise<Video> {
  const { width = 100, height = 56, fps = 10 } = options;
  checkNumber('video width', width, { min: 1, max: 4096, integer: true });
  checkNumber('video height', height, { min: 1, max: 4096, integer: true });
  checkNumber('video fps', fps, { min: 0, minExclusive: true, max: 1000 });
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new InputError(`video ${path} does not exist (expected a folder of frames, a GIF, an APNG or a video file)`);
  }
  let images: Image[];
  let source: Video['source'];
  if (stat.isDirectory()) {
    [images, source] = [await loadFrameFolder(path), 'frames'];
  } else {
    const bytes = new Uint8Array(readFileSync(path));
    const magic = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
    if (magic.startsWith('GIF8')) [images, source] = [decodeGif(bytes, path), 'gif'];
    else if (magic === '\x89PNG\r\n\x1a\n') [images, source] = [decodeApng(bytes, path), 'apng'];
    else {
      const dir = extractWithFfmpeg(path, fps);
      try {
        [images, source] = [await loadFrameFolder(dir), 'ffmpeg'];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  if (images.length === 0) throw new InputError(`${path} contains no frames`);
  const frames: Float32Array[] = [];
  for (const img of images) frames.push(await fitFrame(img, width, height));
  return { frames, height, width, source };
}
