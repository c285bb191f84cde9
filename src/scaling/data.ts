/**
 * Training runs from CSV text (files are read by ./data-file.ts): column names accepted (the Chinchilla file's and generic ones),
 * tokens from D or from C = 6 N D, and validation that names the data row, file line and column.
 * Checked in test/scaling/data.test.ts (good files and every bad case).
 */
import { type ColumnSpec, parseNumericCsv } from '../core/csv.js';
import { ConfigError, InputError } from '../core/errors.js';
import type { Runs } from './fit.js';

/** Accepted header names per quantity (exact match first, then case-insensitive). */
export const RUN_COLUMNS = {
  params: { names: ['N', 'params', 'Model Size', 'parameters'] },
  tokens: { names: ['D', 'tokens', 'Training Tokens'], optional: true },
  flops: { names: ['C', 'flops', 'Training FLOP', 'compute'], optional: true },
  loss: { names: ['loss', 'L'] },
} as const satisfies ColumnSpec<'params' | 'tokens' | 'flops' | 'loss'>;

/** Runs with the compute of each (C from the file, or 6 N D). */
export interface RunsWithFlops extends Runs {
  flops: Float64Array;
}

export type RunColumn = keyof typeof RUN_COLUMNS;

/** Parses a `--columns` value `key=header,key=header` (keys: params, tokens, flops, loss) into overrides. */
export function parseColumnOverrides(text: string): Partial<Record<RunColumn, string>> {
  const out: Partial<Record<RunColumn, string>> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim() as RunColumn;
    const name = part.slice(eq + 1).trim();
    if (eq < 0 || !(key in RUN_COLUMNS) || name === '') {
      throw new ConfigError(
        `--columns must be key=header pairs separated by commas with keys ${Object.keys(RUN_COLUMNS).join(', ')}, got ${JSON.stringify(part)}`,
      );
    }
    out[key] = name;
  }
  return out;
}

/**
 * Runs from CSV text: N and loss, plus D or C (D = C / (6N) when only C is given). `columns`
 * replaces the accepted header names of a quantity by one exact name; `path` names the text in
 * messages (a file path, or "the uploaded CSV" in the browser).
 */
export function parseRunsCsv(
  text: string,
  path: string,
  columns: Partial<Record<RunColumn, string>> = {},
): RunsWithFlops {
  const spec: ColumnSpec<RunColumn> = { ...RUN_COLUMNS };
  for (const key of Object.keys(columns) as RunColumn[]) {
    const name = columns[key];
    if (name !== undefined) spec[key] = { ...RUN_COLUMNS[key], names: [name] };
  }
  const csv = parseNumericCsv(text, path, spec);
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

/**
 * Throws an InputError unless the runs can identify the five parameters of L = E + A/N^a + B/D^b:
 * at least five distinct (N, D) pairs, with both N and D taking two values or more. Fewer makes the
 * Huber fit return arbitrary numbers (six copies of one run gave B = 4e8, beta = 4.47).
 */
export function checkFittable(runs: Runs, source: string): void {
  const distinct = (xs: Float64Array) => new Set(xs).size;
  const pairs = new Set(Array.from(runs.params, (n, i) => `${n},${runs.tokens[i]}`)).size;
  const n = distinct(runs.params);
  const d = distinct(runs.tokens);
  if (pairs < 5 || n < 2 || d < 2) {
    throw new InputError(
      `${source}: a fit of E, A, B, alpha and beta needs at least 5 distinct (N, D) runs with N and D each taking ` +
        `2 or more values; got ${runs.params.length} rows with ${pairs} distinct (N, D), ${n} distinct N and ${d} distinct D`,
    );
  }
}
