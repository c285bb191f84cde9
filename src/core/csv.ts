/**
 * CSV with typed numeric columns. Parsing (RFC 4180: quoted fields, doubled quotes, CRLF, line
 * breaks inside quotes) is done by the maintained `csv-parse` package; this module adds a header
 * row, column choice by name (with accepted aliases), strict numeric cells and errors that name
 * the data row (1-based), the file line and the column. Checked in test/core/csv.test.ts.
 */
import { parse } from 'csv-parse/sync';
import { InputError, show } from './errors.js';

/** A parsed CSV: header names, raw string records and the file line where each record ends. */
export interface CsvTable {
  header: string[];
  /** Data records (header excluded), each with `header.length` cells. */
  records: string[][];
  /** File line (1-based) of each data record. */
  lines: number[];
}

/** Numeric columns chosen by name: one Float64Array per requested key, plus where each came from. */
export interface NumericColumns<K extends string> {
  /** One array per key found (optional keys that are absent are missing). */
  values: Partial<Record<K, Float64Array>>;
  /** Header name that matched each key found. */
  names: Partial<Record<K, string>>;
  /** File line of each data row. */
  lines: number[];
  rows: number;
}

/** What to read: per key, the accepted header names (first present wins); `optional` keys may be absent. */
export type ColumnSpec<K extends string> = Record<K, { names: readonly string[]; optional?: boolean }>;

/** A strict decimal number: optional sign, digits with optional fraction, optional exponent. */
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Throws unless the text looks like CSV text: no NUL bytes, no control characters but tab/CR/LF. */
function checkText(text: string, source: string): void {
  if (text.trim() === '') throw new InputError(`${source}: is empty, expected a CSV file with a header row`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Control characters other than tab, LF and CR, or U+FFFD (what invalid UTF-8 decodes to).
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) {
      const line = text.slice(0, i).split('\n').length;
      throw new InputError(
        `${source}: is not a CSV text file (binary byte 0x${c.toString(16)} on line ${line}); expected comma-separated text`,
      );
    }
  }
}

/** Parses CSV text with a header row; every record must have as many fields as the header. */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  checkText(text, source);
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text.replace(/^\ufeff/, ''), {
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as unknown as typeof parsed;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`${source}: is not valid CSV (${message})`, { cause: error });
  }
  if (parsed.length === 0) throw new InputError(`${source}: has no header row`);
  const header = parsed[0].record.map((h) => h.trim());
  const records = parsed.slice(1).map((p) => p.record);
  const lines = parsed.slice(1).map((p) => p.info.lines);
  return { header, records, lines };
}

/** Finds the header name for one key: exact match first, then case-insensitive. */
function findColumn(header: string[], names: readonly string[]): number {
  for (const name of names) {
    const i = header.indexOf(name);
    if (i >= 0) return i;
  }
  const lower = header.map((h) => h.toLowerCase());
  for (const name of names) {
    const i = lower.indexOf(name.toLowerCase());
    if (i >= 0) return i;
  }
  return -1;
}

/** Parses one cell as a finite number or throws naming the row, line and column. */
export function parseNumberCell(cell: string, where: { row: number; line: number; column: string; source: string }) {
  const s = cell.trim();
  const at = `${where.source}: data row ${where.row} (line ${where.line}), column ${show(where.column)}`;
  if (s === '') throw new InputError(`${at}: empty cell, expected a finite number`);
  if (!NUMBER_RE.test(s)) throw new InputError(`${at}: ${show(cell)} is not a finite number`);
  const v = Number(s);
  if (!Number.isFinite(v)) throw new InputError(`${at}: ${show(cell)} overflows to ${v}, expected a finite number`);
  return v;
}

/** Reads the chosen columns of a parsed table as numbers; missing required columns are named with the header seen. */
export function numericColumns<K extends string>(
  table: CsvTable,
  spec: ColumnSpec<K>,
  source = 'CSV',
): NumericColumns<K> {
  const values: Partial<Record<K, Float64Array>> = {};
  const names: Partial<Record<K, string>> = {};
  for (const key of Object.keys(spec) as K[]) {
    const index = findColumn(table.header, spec[key].names);
    if (index < 0) {
      if (spec[key].optional) continue;
      throw new InputError(
        `${source}: missing column ${spec[key].names.map((n) => show(n)).join(' or ')} (header has ${show(table.header)})`,
      );
    }
    const column = table.header[index];
    const out = new Float64Array(table.records.length);
    for (let r = 0; r < table.records.length; r++) {
      out[r] = parseNumberCell(table.records[r][index], { row: r + 1, line: table.lines[r], column, source });
    }
    values[key] = out;
    names[key] = column;
  }
  return { values, names, lines: table.lines, rows: table.records.length };
}

/** Parses CSV text and picks its numeric columns; `source` names the text in messages (a path, "the uploaded CSV"). */
export function parseNumericCsv<K extends string>(
  text: string,
  source: string,
  spec: ColumnSpec<K>,
): NumericColumns<K> {
  return numericColumns(parseCsv(text, source), spec, source);
}
