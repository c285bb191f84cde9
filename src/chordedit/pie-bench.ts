/**
 * PIE-Bench reader (Ju et al., "PnP Inversion / DirectInversion", ICLR 2024): a folder with
 * `mapping_file.json` (id -> { image_path, original_prompt, editing_prompt with [bracketed] edited
 * words, editing_instruction, editing_type_id, mask }) and the images under `annotation_images/`.
 * The mask is a run-length code of (start, length) pairs over the row-major flattened 512 x 512
 * image, runs clipped at the end, and the one-pixel border is marked as edited; this follows
 * `mask_decode` in cure-lab/PnPInversion evaluation/evaluate.py (read, not copied).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

/** One PIE-Bench edit. */
export interface PieRecord {
  id: string;
  /** Absolute path of the source image. */
  imagePath: string;
  /** Source prompt without brackets. */
  sourcePrompt: string;
  /** Target prompt without brackets. */
  targetPrompt: string;
  /** The [bracketed] words of the editing prompt. */
  editedWords: string[];
  instruction: string;
  editingTypeId: string;
  /** The mask's run-length code (decode with `decodePieMask`). */
  maskRle: number[];
}

export interface PieBenchOptions {
  /** Mapping file, relative to the root. Default 'mapping_file.json'. */
  mappingFile?: string;
  /** Image folder, relative to the root. Default 'annotation_images'. */
  imageDir?: string;
}

/** PIE-Bench's mask size. */
export const PIE_MASK_SIZE = 512;

/**
 * Decodes a PIE-Bench mask (1 = edited) into [h * w] floats: runs (start, length) over the
 * flattened image, clipped at the end; the outermost rows and columns are set to 1.
 */
export function decodePieMask(rle: readonly number[], height = PIE_MASK_SIZE, width = PIE_MASK_SIZE): Float32Array {
  const n = height * width;
  if (rle.length % 2 !== 0)
    throw new InputError(`mask code must have an even length (start, length pairs), got ${rle.length}`);
  const mask = new Float32Array(n);
  for (let i = 0; i < rle.length; i += 2) {
    const [start, len] = [rle[i], rle[i + 1]];
    if (!Number.isInteger(start) || !Number.isInteger(len) || start < 0 || len < 0) {
      throw new InputError(`mask run ${i / 2} must be two non-negative integers, got (${start}, ${len})`);
    }
    mask.fill(1, Math.min(start, n), Math.min(start + len, n));
  }
  for (let x = 0; x < width; x++) mask[x] = mask[(height - 1) * width + x] = 1;
  for (let y = 0; y < height; y++) mask[y * width] = mask[y * width + width - 1] = 1;
  return mask;
}

/** The [bracketed] words of a PIE-Bench prompt, and the prompt without brackets. */
export function parseBracketedPrompt(prompt: string): { text: string; words: string[] } {
  const words = [...prompt.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1].trim());
  return { text: prompt.replace(/[[\]]/g, ''), words };
}

function field(entry: Record<string, unknown>, key: string, where: string): string {
  const v = entry[key];
  if (typeof v !== 'string') throw new InputError(`${where}: "${key}" must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads a PIE-Bench folder; each malformed entry is an InputError naming its id and field. */
export function readPieBench(root: string, options: PieBenchOptions = {}): PieRecord[] {
  const mappingPath = join(root, options.mappingFile ?? 'mapping_file.json');
  if (!existsSync(mappingPath)) throw new InputError(`PIE-Bench mapping file not found: ${mappingPath}`);
  let mapping: unknown;
  try {
    mapping = JSON.parse(readFileSync(mappingPath, 'utf8'));
  } catch (err) {
    throw new InputError(`${mappingPath} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    throw new InputError(`${mappingPath} must be a JSON object of id -> entry`);
  }
  const imageDir = resolve(root, options.imageDir ?? 'annotation_images');
  return Object.entries(mapping as Record<string, Record<string, unknown>>).map(([id, entry]) => {
    const where = `${mappingPath} entry ${JSON.stringify(id)}`;
    if (typeof entry !== 'object' || entry === null) throw new InputError(`${where} must be an object`);
    const mask = entry.mask;
    if (!Array.isArray(mask) || mask.some((v) => typeof v !== 'number')) {
      throw new InputError(`${where}: "mask" must be an array of numbers (run-length code)`);
    }
    const source = parseBracketedPrompt(field(entry, 'original_prompt', where));
    const target = parseBracketedPrompt(field(entry, 'editing_prompt', where));
    return {
      id,
      imagePath: join(imageDir, field(entry, 'image_path', where)),
      sourcePrompt: source.text,
      targetPrompt: target.text,
      editedWords: target.words,
      instruction: typeof entry.editing_instruction === 'string' ? entry.editing_instruction : '',
      editingTypeId: String(entry.editing_type_id ?? ''),
      maskRle: mask as number[],
    };
  });
}
