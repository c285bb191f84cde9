import { assetPath } from '../core/assets.js';
import { readCsvText } from '../core/csv-file.js';
import { parseRunsCsv, type RunColumn, type RunsWithFlops } from './data.js';

/** The Chinchilla runs shipped with the package (see assets/data/SOURCE.md). */
export const CHINCHILLA_CSV = assetPath('data', 'chinchilla.csv');

/** Reads runs from a CSV file (see `parseRunsCsv`); an unreadable file is an InputError naming it. */
export function readRunsCsv(path: string, columns: Partial<Record<RunColumn, string>> = {}): RunsWithFlops {
  return parseRunsCsv(readCsvText(path), path, columns);
}
