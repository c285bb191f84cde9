/**
 * Reading a CSV file from disk into numeric columns (the Node side of ./csv.ts, whose parsing
 * needs no file system and also runs in the browser).
 */
import { readFileSync } from 'node:fs';
import { type ColumnSpec, type NumericColumns, parseNumericCsv } from './csv.js';
import { InputError } from './errors.js';

/** The text of a CSV file; an unreadable file is an InputError naming it and the reason. */
export function readCsvText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new InputError(`${path}: cannot read the CSV file (${code})`, { cause: error });
  }
}

/** Reads a CSV file and picks its numeric columns (see ./csv.ts `numericColumns`). */
export function readNumericCsv<K extends string>(path: string, spec: ColumnSpec<K>): NumericColumns<K> {
  return parseNumericCsv(readCsvText(path), path, spec);
}
