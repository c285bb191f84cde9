import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numericColumns, parseCsv } from '../../src/core/csv.js';
import { readNumericCsv } from '../../src/core/csv-file.js';
import { InputError } from '../../src/core/errors.js';

const spec = { n: { names: ['N', 'params'] }, loss: { names: ['loss'] }, d: { names: ['D'], optional: true } };
const read = (text: string) => numericColumns(parseCsv(text, 'runs.csv'), spec, 'runs.csv');

describe('core/csv', () => {
  it('reads typed numeric columns by name, with aliases, quoting, CRLF, BOM and blank lines', () => {
    const text = '\ufeffx,"params",loss\r\n"a,b",1e9,2.5\r\n\r\n"say ""hi""",  2000 ,"3"\r\n';
    const t = parseCsv(text);
    expect(t.header).toEqual(['x', 'params', 'loss']);
    expect(t.records[1][0]).toBe('say "hi"');
    expect(t.lines).toEqual([2, 4]);
    const c = read(text);
    expect(Array.from(c.values.n as Float64Array)).toEqual([1e9, 2000]);
    expect(Array.from(c.values.loss as Float64Array)).toEqual([2.5, 3]);
    expect(c.values.d).toBeUndefined();
    expect(c.names.n).toBe('params');
  });

  it('matches header names case-insensitively after exact matches', () => {
    const c = read('n,LOSS\n1,2\n');
    expect(c.names.n).toBe('n');
    expect(c.names.loss).toBe('LOSS');
  });

  it('round-trips random finite numbers written with toString (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 20 }),
        (xs) => {
          const text = `N,loss\n${xs.map((x) => `${x},1`).join('\n')}\n`;
          // String(-0) is "0", so -0 reads back as +0.
          expect(Array.from(read(text).values.n as Float64Array)).toEqual(xs.map((x) => (x === 0 ? 0 : x)));
        },
      ),
    );
  });

  const bad: [string, string, RegExp][] = [
    ['empty cell', 'N,loss\n1,2\n3,\n', /data row 2 \(line 3\), column "loss": empty cell/],
    ['NaN', 'N,loss\nNaN,2\n', /data row 1 \(line 2\), column "N": "NaN" is not a finite number/],
    ['Infinity', 'N,loss\n1,Infinity\n', /column "loss": "Infinity" is not a finite number/],
    ['overflow', 'N,loss\n1e999,1\n', /column "N": "1e999" overflows/],
    ['text', 'N,loss\n1,2\n4,abc\n', /data row 2 \(line 3\), column "loss": "abc" is not a finite number/],
    ['hex', 'N,loss\n0x10,2\n', /"0x10" is not a finite number/],
    ['missing column', 'N,lots\n1,2\n', /missing column "loss" \(header has \["N", "lots"\]\)/],
    ['ragged row', 'N,loss\n1,2,3\n', /not valid CSV .*line 2/],
    ['open quote', 'N,loss\n1,"2\n', /not valid CSV .*Quote Not Closed/],
    ['binary', '\u0089PNG\r\n\u001a\n\u0000\u0000', /not a CSV text file \(binary byte 0x1a on line 2\)/],
    ['empty file', '  \n', /is empty/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} with an InputError naming where`, () => {
      expect(() => read(text)).toThrow(InputError);
      expect(() => read(text)).toThrow(message);
    });
  }

  it('reads files and names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-csv-'));
    const path = join(dir, 'a.csv');
    writeFileSync(path, 'N,loss\n5,6\n');
    expect(readNumericCsv(path, spec).rows).toBe(1);
    expect(() => readNumericCsv(join(dir, 'none.csv'), spec)).toThrow(/none.csv: cannot read the CSV file \(ENOENT\)/);
  });
});
