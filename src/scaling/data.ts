/**
 * Training runs from a CSV file: column names accepted (the Chinchilla file's and generic ones),
 * tokens from D or from C = 6 N D, and validation that names the data row, file line and column.
 * Checked in test/scaling/data.test.ts (good files and every bad case).
 */
import { fileURLToPath } from 'node:url';
import { type ColumnSpec, readNumericCsv } from '../core/csv.js';
import { InputError } from '../core/errors.js';
import type { Runs } from './fit.js';

/** Accepted header names per quantity (exact match first, then case-insensitive). */
export const RUN_COLUMNS = {
  params: { names: ['N', 'params', 'Model Size', 'parameters'] },
  tokens: { names: ['D', 'tokens', 'Training Tokens'], optional: true },
  flops: { names: ['C', 'flops', 'Training FLOP', 'compute'], optional: true },
  loss: { names: ['loss', 'L'] },
} as const satisfies ColumnSpec<'params' | 'tokens' | 'flops' | 'loss'>;

/** The Chinchilla runs shipped with the package (see assets/data/SOURCE.md). */
export const CHINCHILLA_CSV = fileURLToPath(new URL('../../assets/data/chinchilla.csv', import.meta.url));

/** Runs with the compute of each (C from the file, or 6 N D). */
export interface RunsWithFlops extends Runs {
  flops: Float64Array;
}

/** Reads runs from a CSV: N and loss, plus D or C (D = C / (6N) when only C is given). */
export function readRunsCsv(path: string): RunsWithFlops {
  const csv = readNumericCsv(path, RUN_COLUMNS);
  const { params, loss } = csv.values as { params: Float64Array; loss: Float64Array };
  const { tokens, flops } = csv.values;
  if (!tokens && !flops) {
    const names = [...RUN_COLUMNS.tokens.names, ...RUN_COLUMNS.flops.names].map((n) => `'${n}'`).join(', ');
    throw new InputError(`${path}: needs a tokens column or a compute column (one of ${names})`);
  }
  for (const key of ['params', 'tokens', 'flops', 'loss'] as const) {
    const values = csv.values[key];
    if (!values) continue;
    for (let r = 0; r < values.length; r++) {
      if (!(values[r] > 0)) {
        throw new InputError(
          `${path}: data row ${r + 1} (line ${csv.lines[r]}), column '${csv.names[key]}': ${values[r]} must be > 0`,
        );
      }
    }
  }
  const d = tokens ?? params.map((n, i) => (flops as Float64Array)[i] / (6 * n));
  const c = flops ?? params.map((n, i) => 6 * n * d[i]);
  return { params, tokens: d, loss, flops: c };
}
