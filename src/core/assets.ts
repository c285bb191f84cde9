/**
 * Where the repository's shipped files live (assets/: trained weights, the toy ONNX folder,
 * reference data, stored results), resolved from this file so it works from any working folder.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The assets/ folder of this installation. */
export const ASSETS_DIR = fileURLToPath(new URL('../../assets/', import.meta.url));

/** A path under assets/, e.g. `assetPath('toy', 'onnx')`. */
export const assetPath = (...parts: string[]): string => join(ASSETS_DIR, ...parts);
