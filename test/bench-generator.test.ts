import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { COLUMNS, generatePeopleCsv, HEADER } from '../bench/generate.js';
import { normalizeBirthdate, normalizeEmail, normalizePhone } from '../src/people/index.js';

const SIZE = 5_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'rhizome-bench-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function generate(name: string, seed: number) {
  const file = path.join(dir, name);
  const stats = await generatePeopleCsv(file, { seed, size: SIZE });
  return { text: readFileSync(file, 'utf8'), stats };
}

describe('bench data generator', () => {
  it('writes the same bytes for the same seed and other bytes for another seed', async () => {
    const a = await generate('a.csv', 7);
    const b = await generate('b.csv', 7);
    const c = await generate('c.csv', 8);
    expect(b.text).toBe(a.text);
    expect(b.stats).toEqual(a.stats);
    expect(c.text).not.toBe(a.text);
    expect(a.text.split('\n')[0]).toBe(HEADER);
  });

  it('has about 10% duplicate e-mails and 2% malformed rows', async () => {
    const { text, stats } = await generate('d.csv', 11);
    const data = (parse(text, { relax_column_count: true }) as string[][]).slice(1);
    expect(data).toHaveLength(SIZE);

    const ok = data.filter((r) => r.length === COLUMNS);
    const wrongCount = SIZE - ok.length;
    const isBad = (r: string[]) =>
      normalizeEmail(r[2] as string) === null ||
      normalizeBirthdate(r[8] as string) === null ||
      normalizePhone(r[3] as string) === null;
    const malformed = wrongCount + ok.filter(isBad).length;
    const planted = Object.values(stats.malformed).reduce((x, y) => x + y, 0);
    expect(malformed).toBe(planted);
    expect(malformed / SIZE).toBeGreaterThan(0.012);
    expect(malformed / SIZE).toBeLessThan(0.028);
    // Every kind of damage occurs.
    for (const n of Object.values(stats.malformed)) expect(n).toBeGreaterThan(0);

    // Duplicates: valid rows whose e-mail (case-folded) appeared on an earlier valid row, with the
    // same names and birthdate.
    const seen = new Map<string, string[]>();
    let dups = 0;
    for (const r of ok) {
      if (isBad(r)) continue;
      const email = normalizeEmail(r[2] as string) as string;
      const first = seen.get(email);
      if (first) {
        dups++;
        expect([r[0], r[1], r[8]]).toEqual([first[0], first[1], first[8]]);
      } else seen.set(email, r);
    }
    expect(dups).toBe(stats.duplicates);
    expect(dups / SIZE).toBeGreaterThan(0.085);
    expect(dups / SIZE).toBeLessThan(0.115);
  });
});
