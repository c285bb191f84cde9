/**
 * Clip sets for the physics model: simulated (RK4 ground truth + the renderer), written to and
 * read from a folder (clip_0000/frame_00.png ... + params.json), or cut from a real video as
 * sliding windows. Frames are stored flat: `frames[(clip * length + t) * pixels + p]`, [-1, 1].
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, checkLength, checkNumber, InputError } from '../core/errors.js';
import { writeImage } from '../core/image.js';
import { writeDirAtomic, writeJsonAtomic } from '../core/outputs.js';
import { Rng } from '../core/rng.js';
import { loadVideo, naturalCompare } from '../core/video.js';
import { rk4 } from './blocks.js';
import { numberOps } from './ops.js';
import { type Background, FRAME_HEIGHT, FRAME_WIDTH, renderFrame, smoothBackground } from './render.js';
import { getSystem, SYSTEM_NAMES, type SystemName, trueParams } from './systems.js';

export interface ClipSet {
  system: SystemName;
  /** [count, length, height * width], values in [-1, 1]. */
  frames: Float32Array;
  count: number;
  length: number;
  height: number;
  width: number;
  /** Seconds between frames. */
  dt: number;
  /** True scalar state per frame [count, length], when known (synthetic video). */
  states?: Float64Array;
  /** True physical parameters, when known. */
  params?: Record<string, number>;
}

export interface SimulateOptions {
  /** Number of clips (default 256). */
  clips?: number;
  /** Frames per clip (default 10, the paper's). */
  length?: number;
  /** Seconds between frames (default 0.1). */
  dt?: number;
  /** Pixel noise std in [0, 1] intensity units (default 0). */
  noise?: number;
  /** 'plain' (black) or 'smooth' (seeded distractor blobs); default 'plain'. */
  background?: Background;
  /** Overrides of the true parameters. */
  params?: Record<string, number>;
  seed?: number;
}

/** RK4 sub-steps per frame interval for the ground truth (error far below a pixel). */
export const TRUTH_SUBSTEPS = 50;

/** True state trajectories [clips, length] from RK4 (the ground truth behind every clip). */
export function simulateStates(system: SystemName, opts: SimulateOptions = {}) {
  const spec = getSystem(system);
  const { clips = 256, length = 10, dt = 0.1, seed = 0 } = opts;
  checkNumber('clips', clips, { min: 1, max: 100000, integer: true });
  checkNumber('clip length', length, { min: spec.dynamics.order + 1, max: 1000, integer: true });
  checkNumber('dt', dt, { min: 0, minExclusive: true, max: 10 });
  const params = trueParams(spec, opts.params);
  const initRng = new Rng(seed).fork('initial');
  const states = new Float64Array(clips * length);
  for (let c = 0; c < clips; c++) {
    let state = spec.sampleInitial(initRng);
    for (let t = 0; t < length; t++) {
      if (t > 0) state = rk4(numberOps, spec.dynamics, state, params, dt, TRUTH_SUBSTEPS);
      states[c * length + t] = state[0];
    }
  }
  return { states, params, clips, length, dt };
}

/** Simulates and renders `clips` clips of `system` (deterministic in the seed). */
export function simulateClips(system: SystemName, opts: SimulateOptions = {}): ClipSet {
  const { noise = 0, background = 'plain', seed = 0 } = opts;
  checkNumber('noise', noise, { min: 0, max: 1 });
  const { states, params, clips, length, dt } = simulateStates(system, opts);
  const rng = new Rng(seed);
  const [bgRng, noiseRng] = [rng.fork('background'), rng.fork('noise')];
  const pixels = FRAME_HEIGHT * FRAME_WIDTH;
  const frames = new Float32Array(clips * length * pixels);
  const shared = background === 'smooth' ? smoothBackground(bgRng) : undefined;
  for (let c = 0; c < clips; c++) {
    const bg = background === 'smooth-per-clip' ? smoothBackground(bgRng) : shared;
    for (let t = 0; t < length; t++) {
      const frame = renderFrame(system, states[c * length + t], { noise, background: bg, rng: noiseRng });
      frames.set(frame, (c * length + t) * pixels);
    }
  }
  return { system, frames, count: clips, length, height: FRAME_HEIGHT, width: FRAME_WIDTH, dt, states, params };
}

/** Average-pools every frame by an integer `factor` (must divide height and width). */
export function downsample(set: ClipSet, factor: number): ClipSet {
  checkNumber('downsample', factor, { min: 1, integer: true });
  if (factor === 1) return set;
  if (set.height % factor || set.width % factor) {
    throw new ConfigError(`downsample ${factor} must divide the frame size ${set.width}x${set.height}`);
  }
  const [h, w] = [set.height / factor, set.width / factor];
  const n = set.count * set.length;
  const out = new Float32Array(n * h * w);
  const inv = 1 / (factor * factor);
  for (let f = 0; f < n; f++) {
    const src = f * set.height * set.width;
    for (let y = 0; y < set.height; y++) {
      for (let x = 0; x < set.width; x++) {
        out[f * h * w + Math.floor(y / factor) * w + Math.floor(x / factor)] +=
          set.frames[src + y * set.width + x] * inv;
      }
    }
  }
  return { ...set, frames: out, height: h, width: w };
}

const paramsFileSchema = z.object({
  format: z.literal('modelmath-physics/1'),
  system: z.enum(SYSTEM_NAMES),
  params: z.record(z.string(), z.number()),
  dt: z.number().positive(),
  clips: z.number().int().positive(),
  length: z.number().int().positive(),
  states: z.array(z.array(z.number())).optional(),
});

/** Writes a clip set as clip_NNNN/frame_NN.png + params.json, atomically (all or nothing). */
export async function writeClipSet(dir: string, set: ClipSet, extra: Record<string, unknown> = {}): Promise<void> {
  const pixels = set.height * set.width;
  await writeDirAtomic(dir, async (tmp) => {
    for (let c = 0; c < set.count; c++) {
      const clipDir = join(tmp, `clip_${String(c).padStart(4, '0')}`);
      for (let t = 0; t < set.length; t++) {
        const offset = (c * set.length + t) * pixels;
        const data = set.frames.slice(offset, offset + pixels);
        await writeImage(join(clipDir, `frame_${String(t).padStart(2, '0')}.png`), {
          data,
          channels: 1,
          height: set.height,
          width: set.width,
        });
      }
    }
    const states = set.states
      ? Array.from({ length: set.count }, (_, c) =>
          Array.from(set.states!.subarray(c * set.length, (c + 1) * set.length)),
        )
      : undefined;
    writeJsonAtomic(join(tmp, 'params.json'), {
      format: 'modelmath-physics/1',
      system: set.system,
      params: set.params ?? {},
      dt: set.dt,
      clips: set.count,
      length: set.length,
      width: set.width,
      height: set.height,
      ...extra,
      states,
    });
  });
}

/** Parses and validates a params.json (NaN, Infinity and wrong fields are rejected by name). */
export function readParamsFile(path: string): z.infer<typeof paramsFileSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(
      `${path} is not valid JSON (NaN and Infinity are not JSON numbers): ${(err as Error).message}`,
    );
  }
  const r = paramsFileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError(`${path}: field '${issue.path.join('.')}' ${issue.message}`);
  }
  for (const [k, v] of Object.entries(r.data.params)) {
    if (!Number.isFinite(v)) throw new InputError(`${path}: parameter '${k}' must be a finite number, got ${v}`);
  }
  return r.data;
}

/** Cuts sliding windows of `length` frames (stride 1) from a video's frames. */
export function clipsFromFrames(
  system: SystemName,
  frames: Float32Array[],
  size: { height: number; width: number },
  length: number,
  dt: number,
): ClipSet {
  if (frames.length < length) {
    throw new InputError(
      `the video has ${frames.length} frames, fewer than the ${length} frames one clip of the rollout needs`,
    );
  }
  const count = frames.length - length + 1;
  const pixels = size.height * size.width;
  frames.forEach((f, i) => {
    checkLength(`video frame ${i}`, f, pixels, `${size.height} x ${size.width}`);
  });
  const out = new Float32Array(count * length * pixels);
  for (let c = 0; c < count; c++) for (let t = 0; t < length; t++) out.set(frames[c + t], (c * length + t) * pixels);
  return { system, frames: out, count, length, height: size.height, width: size.width, dt };
}

/**
 * Reads clips for `system` from `path`: a simulated set (folder with params.json and clip_*
 * folders), a folder of frames, a GIF/APNG, or (with ffmpeg) a video file.
 */
export async function readClipSet(path: string, system: SystemName, opts: { length?: number; dt?: number } = {}) {
  const { length = 10, dt = 0.1 } = opts;
  const isDir = existsSync(path) && statSync(path).isDirectory();
  if (!isDir || !existsSync(join(path, 'params.json'))) {
    const video = await loadVideo(path, { width: FRAME_WIDTH, height: FRAME_HEIGHT, fps: 1 / dt });
    return clipsFromFrames(system, video.frames, video, length, dt);
  }
  const meta = readParamsFile(join(path, 'params.json'));
  if (meta.system !== system) {
    throw new InputError(`${path} holds clips of '${meta.system}', but --system is '${system}'`);
  }
  const clipDirs = readdirSync(path)
    .filter((n) => n.startsWith('clip_'))
    .sort(naturalCompare);
  if (clipDirs.length !== meta.clips) {
    throw new InputError(`${path}: params.json says ${meta.clips} clips, found ${clipDirs.length} clip_* folders`);
  }
  const pixels = FRAME_HEIGHT * FRAME_WIDTH;
  const frames = new Float32Array(meta.clips * meta.length * pixels);
  for (const [c, name] of clipDirs.entries()) {
    const video = await loadVideo(join(path, name), { width: FRAME_WIDTH, height: FRAME_HEIGHT });
    if (video.frames.length !== meta.length) {
      throw new InputError(`${join(path, name)} has ${video.frames.length} frames, params.json says ${meta.length}`);
    }
    for (const [t, f] of video.frames.entries()) frames.set(f, (c * meta.length + t) * pixels);
  }
  const states = meta.states ? Float64Array.from(meta.states.flat()) : undefined;
  const params = trueParams(getSystem(system), meta.params);
  return {
    system,
    frames,
    count: meta.clips,
    length: meta.length,
    height: FRAME_HEIGHT,
    width: FRAME_WIDTH,
    dt: meta.dt,
    states,
    params,
  } satisfies ClipSet;
}
