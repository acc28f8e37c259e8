import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv, type SourceRecord, sniffFile } from './csv-source.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rhizome-csv-'));
let n = 0;

async function readAll(text: string | Buffer): Promise<SourceRecord[]> {
  const file = path.join(dir, `f${n++}.csv`);
  writeFileSync(file, text);
  const reader = readCsv(file, await sniffFile(file));
  const out: SourceRecord[] = [];
  for await (const record of reader.records) out.push(record);
  reader.close();
  return out;
}

describe('readCsv', () => {
  it('gives back every field verbatim and the line each record starts on, whatever the fields hold', async () => {
    const field = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('a,b', 'say "hi"', 'two\nlines', 'crlf\r\nline', ';', '\t', ' padded ', 'é ü 漢字'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(',', ';', '\t'),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.array(field, { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 15 }),
        async (delimiter, eol, width, rows) => {
          const header = Array.from({ length: width }, (_, i) => `col${i}`);
          // A row of one empty field would be an empty line: give it content.
          const body = rows
            .map((r) => r.slice(0, width))
            .map((r) => (width === 1 && r[0] === '' ? ['x'] : r));
          const text = stringify([header, ...body], {
            delimiter,
            record_delimiter: eol === '\n' ? 'unix' : 'windows',
            quoted_match: /[\s;,\t"]/,
          });
          const records = await readAll(text);
          expect(records.map((r) => r.fields)).toEqual([header, ...body]);
          // Each record starts on the line after the previous one ends.
          let line = 1;
          for (const record of records) {
            expect(record.line).toBe(line);
            line = record.endLine + 1;
          }
          expect(line - 1).toBe(text.split('\n').length - 1);
        },
      ),
      { numRuns: 150 },
    );
  });
});
