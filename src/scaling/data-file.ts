/**
 * Training runs from a CSV file on disk (the Node side of ./data.ts, whose parser also runs in the
 * browser), and the Chinchilla runs shipped with the package.
 */
import { fileURLToPath } from 'node:url';
import { readCsvText } from '../core/csv-file.js';
import { parseRunsCsv, type RunColumn, type RunsWithFlops } from './data.js';

/** The Chinchilla runs shipped with the package (see assets/data/SOURCE.md). */
export const CHINCHILLA_CSV = fileURLToPath(new URL('../../assets/data/chinchilla.csv', import.meta.url));

/** Reads runs from a CSV file (see `parseRunsCsv`); an unreadable file is an InputError naming it. */
export function readRunsCsv(path: string, columns: Partial<Record<RunColumn, string>> = {}): RunsWithFlops {
  return parseRunsCsv(readCsvText(path), path, columns);
}
