import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngine } from '../../test/support/db.js';
import { ctxFor, makeOrg, makeUser, systemCtx } from '../../test/support/fixtures.js';
import type { Ctx } from '../context.js';
import type { Database } from '../db/connect.js';
import { newId } from '../db/ids.js';
import { AppError } from '../errors.js';
import { runPeopleImport } from './index.js';

let database: Database;
let dir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'rhizome-import-'));
});
afterAll(async () => {
  await database.close();
});

async function freshCtx(): Promise<Ctx> {
  const org = await makeOrg(database.db);
  return systemCtx(database.db, org.id);
}

let fileNo = 0;
function csvFile(text: string, name = `people-${fileNo++}.csv`): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A generated file in the OSDI sample's shape: households sharing an id, birth parts, one email. */
function householdCsv(rows: number, eol = '\n'): string {
  const lines = ['Household ID,Last,First,Middle,YoB,MoB,DoB,Address,City,State,Zip,Email'];
  for (let i = 0; i < rows; i++) {
    const household = String(Math.floor(i / 3)).padStart(10, '0');
    lines.push(
      `${household},Family${Math.floor(i / 3)},Person${i},J,${1950 + (i % 50)},${1 + (i % 12)},${1 + (i % 28)},${i} Main St,Springfield,DC,2000${i % 10},person${i}@example.org`,
    );
  }
  return lines.join(eol) + eol;
}

/** Everyone in an organization as comparable text (ids left out: they differ between runs). */
async function peopleState(orgId: string): Promise<string[]> {
  const rows = await sql<{ row: string }>`
    SELECT concat_ws('|', p.given_name, p.family_name, p.additional_name, p.birthdate::text,
      (SELECT string_agg(address, ',' ORDER BY address) FROM person_email e WHERE e.person_id = p.id),
      (SELECT string_agg(number, ',' ORDER BY number) FROM person_phone ph WHERE ph.person_id = p.id),
      (SELECT string_agg(address_key, ',' ORDER BY address_key) FROM person_address a WHERE a.person_id = p.id),
      (SELECT string_agg(t.name, ',' ORDER BY t.name) FROM tagging tg JOIN tag t ON t.id = tg.tag_id WHERE tg.person_id = p.id)
    ) AS row
    FROM person p WHERE p.org_id = ${orgId} ORDER BY 1`.execute(database.db);
  return rows.rows.map((r) => r.row);
}

async function rejectRows(importId: string) {
  return await database.db
    .selectFrom('import_reject')
    .select(['line_no', 'reason', 'raw'])
    .where('import_id', '=', importId)
    .orderBy('line_no')
    .execute();
}

describe('runPeopleImport', () => {
  it('imports a household file, combining birth parts and reporting the household column as unmapped', async () => {
    const ctx = await freshCtx();
    const summary = await runPeopleImport(ctx, { file: csvFile(householdCsv(30)), batchSize: 7 });
    expect(summary).toMatchObject({
      rowsRead: 30,
      created: 30,
      updated: 0,
      rejected: 0,
      rejectsPath: null,
      resumedFromLine: null,
    });
    expect(summary.unmappedColumns).toEqual(['Household ID']);
    const state = await peopleState(ctx.actor.orgId);
    expect(state).toHaveLength(30);
    expect(state).toContain(
      'Person4|Family1|J|1954-05-05|person4@example.org|4 main st|springfield|dc|20004|',
    );
    const job = await database.db
      .selectFrom('import_job')
      .selectAll()
      .where('id', '=', summary.importId)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'completed', last_line: 31, rows_read: 30, created_count: 30 });
  });

  it('reads semicolons, tabs, a BOM, CRLF and quoted fields holding delimiters, quotes and newlines', async () => {
    const ctx = await freshCtx();
    const text =
      '\uFEFFFirst;Last;Email;Address\r\n' +
      'Zoë;"O\'Brien; Jr";zoe@example.org;"12 Oak St\r\nApt 4"\r\n' +
      '"Sam ""Sammy""";Lee;sam@example.org;\r\n';
    const summary = await runPeopleImport(ctx, { file: csvFile(text) });
    expect(summary).toMatchObject({ created: 2, rejected: 0, delimiter: ';', encoding: 'utf-8' });
    const people = await database.db
      .selectFrom('person')
      .leftJoin('person_address', 'person_address.person_id', 'person.id')
      .select(['given_name', 'family_name', 'address_lines'])
      .where('person.org_id', '=', ctx.actor.orgId)
      .orderBy('given_name')
      .execute();
    expect(people).toEqual([
      { given_name: 'Sam "Sammy"', family_name: 'Lee', address_lines: null },
      { given_name: 'Zoë', family_name: "O'Brien; Jr", address_lines: ['12 Oak St', 'Apt 4'] },
    ]);

    const tabs = await runPeopleImport(await freshCtx(), {
      file: csvFile('first\tlast\temail\nA\tB\ta@example.org\n'),
    });
    expect(tabs).toMatchObject({ created: 1, delimiter: '\t' });
  });

  it('reads a Windows-1252 file without mangling accents', async () => {
    const ctx = await freshCtx();
    const file = csvFile('');
    writeFileSync(file, Buffer.from('First,Last,Email\nJos\xe9,N\xfa\xf1ez,jose@example.org\n', 'latin1'));
    const summary = await runPeopleImport(ctx, { file });
    expect(summary.encoding).toBe('windows-1252');
    expect(await peopleState(ctx.actor.orgId)).toEqual(['José|Núñez|jose@example.org']);
  });

  it('sends every bad row to the rejects file and table with its original line and values, and imports the rest', async () => {
    const ctx = await freshCtx();
    const text = [
      'First,Last,Email,Phone,DOB,Notes', // line 1
      'Ana,Lima,ana@example.org,510-555-0142,1980-01-02,ok', // 2
      'Bob,Stone,bob@,,,"typo, in email"', // 3
      '"Multi', // 4
      'Line",Name,multi@example.org,,,', // 5
      ',,,,,', // 6: blank, skipped
      'Cy,Young,cy@example.org,12,,bad phone', // 7
      'Di,Ray,di@example.org,,1990-02-30,bad date', // 8
      '', // 9: empty, not a row
      'only,two', // 10
      ',,,,,"just a note"', // 11
      'Ed,Ng,ed@example.org,,,', // 12
      'Fay,"Unclosed,fay@example.org,,,', // 13
      'Gus,Lee,gus@example.org,,,', // 14: swallowed by the open quote
    ].join('\n');
    const rejectsPath = path.join(dir, 'bad.rejects.csv');
    const summary = await runPeopleImport(ctx, { file: csvFile(text), rejectsPath, batchSize: 3 });
    expect(summary).toMatchObject({ rowsRead: 10, created: 3, rejected: 6, skipped: 1, rejectsPath });
    expect(summary.unmappedColumns).toEqual(['Notes']);

    const rejects = parse(readFileSync(rejectsPath), { relax_column_count: true }) as string[][];
    expect(rejects[0]).toEqual(['line', 'reason', 'First', 'Last', 'Email', 'Phone', 'DOB', 'Notes']);
    expect(rejects.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['3', 'email: "bob@" is not a valid email address (column "Email")'],
      ['7', 'phone: "12" is not a valid phone number (column "Phone")'],
      [
        '8',
        'birthdate: "1990-02-30" is not a valid date (YYYY-MM-DD or M/D/YYYY, not in the future) (column "DOB")',
      ],
      ['10', 'row has 2 fields; the header has 6'],
      ['11', 'no name, email, phone or identifier: nothing to import'],
      ['13', 'a quoted field is never closed: the rest of the file from this line on could not be read'],
    ]);
    expect(rejects[6]?.[2]).toBe('Fay,"Unclosed,fay@example.org,,,');
    expect(rejects[1]).toEqual(['3', expect.any(String), 'Bob', 'Stone', 'bob@', '', '', 'typo, in email']);
    expect(rejects[4]?.slice(2)).toEqual(['only', 'two']);

    const table = await rejectRows(summary.importId);
    expect(table.map((r) => Number(r.line_no))).toEqual([3, 7, 8, 10, 11, 13]);
    expect(JSON.parse(table[0]?.raw ?? '')).toEqual(['Bob', 'Stone', 'bob@', '', '', 'typo, in email']);
    expect(await peopleState(ctx.actor.orgId)).toEqual([
      'Ana|Lima|1980-01-02|ana@example.org|+15105550142',
      'Ed|Ng|ed@example.org',
      'Multi\nLine|Name|multi@example.org',
    ]);
  });

  it('keeps the cursor on the last readable line when the file ends in an unclosed quote', async () => {
    const ctx = await freshCtx();
    const file = csvFile(
      'email,first\na@example.org,A\nb@example.org,B\nc@example.org,"C\nd@example.org,D\n',
    );
    const summary = await runPeopleImport(ctx, { file, batchSize: 1 });
    expect(summary).toMatchObject({ created: 2, rejected: 1 });
    const job = await database.db
      .selectFrom('import_job')
      .select(['last_line', 'status'])
      .where('id', '=', summary.importId)
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ last_line: 3, status: 'completed' });
    expect((await rejectRows(summary.importId)).map((r) => Number(r.line_no))).toEqual([4]);
  });

  it('rejects rows the engine refuses (an unknown unit or an invalid custom value) with the field named', async () => {
    const ctx = await freshCtx();
    await database.db
      .insertInto('custom_field')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        key: 'shirt',
        label: 'Shirt',
        field_type: 'single_choice',
        choices: ['S', 'M', 'L'],
      })
      .execute();
    const summary = await runPeopleImport(ctx, {
      file: csvFile('email,shirt,unit\na@example.org,M,\nb@example.org,XXL,\nc@example.org,,nowhere\n'),
      rejectsPath: path.join(dir, 'engine.rejects.csv'),
    });
    expect(summary).toMatchObject({ created: 1, rejected: 2 });
    const table = await rejectRows(summary.importId);
    expect(table.map((r) => [Number(r.line_no), r.reason])).toEqual([
      [3, 'custom_fields.shirt: must be one of: S, M, L'],
      [4, 'home_unit: no unit with path nowhere'],
    ]);
  });

  it('adds the given tags and home unit to everyone', async () => {
    const ctx = await freshCtx();
    await database.db
      .insertInto('unit')
      .values({ org_id: ctx.actor.orgId, id: newId(), path: 'east', name: 'East', kind: 'chapter' })
      .execute();
    const summary = await runPeopleImport(ctx, {
      file: csvFile('email,tags\na@example.org,donor\n'),
      tags: ['spring-drive'],
      unitPath: 'east',
    });
    expect(summary.created).toBe(1);
    expect(await peopleState(ctx.actor.orgId)).toEqual(['a@example.org|donor,spring-drive']);
    const person = await database.db
      .selectFrom('person')
      .select(sql<string>`home_unit_path::text`.as('path'))
      .where('org_id', '=', ctx.actor.orgId)
      .executeTakeFirstOrThrow();
    expect(person.path).toBe('east');
  });

  it('refuses a bad mapping, an unknown unit, an empty or missing file before reading any row', async () => {
    const ctx = await freshCtx();
    const file = csvFile('email\na@example.org\n');
    await expect(runPeopleImport(ctx, { file, mapping: { Mail: 'email' } })).rejects.toThrow(
      /no column "Mail"/,
    );
    await expect(runPeopleImport(ctx, { file, mapping: { email: 'e-mail-ish' } })).rejects.toThrow(
      /"e-mail-ish" is not a field/,
    );
    await expect(runPeopleImport(ctx, { file, unitPath: 'nowhere' })).rejects.toThrow(
      /no unit with path nowhere/,
    );
    await expect(runPeopleImport(ctx, { file: csvFile('') })).rejects.toThrow(/empty/);
    await expect(runPeopleImport(ctx, { file: path.join(dir, 'missing.csv') })).rejects.toThrow(AppError);
    await expect(runPeopleImport(ctx, { file: csvFile('notes,comment\nx,y\n') })).rejects.toThrow(
      /no column of the file is a person field/,
    );
    const jobs = await database.db
      .selectFrom('import_job')
      .select('id')
      .where('org_id', '=', ctx.actor.orgId)
      .execute();
    expect(jobs).toEqual([]);
  });

  it('is refused to a role without people.import', async () => {
    const org = await makeOrg(database.db);
    const organizer = await makeUser(database.db, org.id, 'staff_organizer');
    await expect(
      runPeopleImport(await ctxFor(database.db, organizer), { file: csvFile('email\na@example.org\n') }),
    ).rejects.toThrow(/permission/);
  });

  it('resumes a killed import after its last committed batch and ends where an uninterrupted import ends', async () => {
    const text = householdCsv(100, '\r\n')
      .replace('person17@example.org', 'person17@')
      .replace('person61@example.org', 'bad@');
    const file = csvFile(text);
    const rejectsPath = path.join(dir, 'resume.rejects.csv');

    const whole = await freshCtx();
    const reference = await runPeopleImport(whole, { file, batchSize: 10 });

    const ctx = await freshCtx();
    let batches = 0;
    await expect(
      runPeopleImport(ctx, {
        file,
        batchSize: 10,
        rejectsPath,
        onProgress: () => {
          if (++batches === 4) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    // Four whole batches committed, nothing of the fifth.
    expect(
      await database.db
        .selectFrom('person')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('org_id', '=', ctx.actor.orgId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ n: 39 });

    const resumed = await runPeopleImport(ctx, { file, batchSize: 10, rejectsPath });
    expect(resumed.resumedFromLine).toBe(41);
    expect(resumed.importId).not.toBe(reference.importId);
    expect(resumed).toMatchObject({ rowsRead: 100, created: 98, updated: 0, rejected: 2 });
    expect(await peopleState(ctx.actor.orgId)).toEqual(await peopleState(whole.actor.orgId));
    const rejects = parse(readFileSync(rejectsPath)) as string[][];
    expect(rejects.map((r) => r[0])).toEqual(['line', '19', '63']);
    expect((await rejectRows(resumed.importId)).map((r) => Number(r.line_no))).toEqual([19, 63]);
  });

  it('re-importing a completed file creates nobody and updates everyone', async () => {
    const ctx = await freshCtx();
    const file = csvFile(householdCsv(20));
    const first = await runPeopleImport(ctx, { file });
    const before = await peopleState(ctx.actor.orgId);
    const again = await runPeopleImport(ctx, { file });
    expect(again.importId).not.toBe(first.importId);
    expect(again).toMatchObject({ created: 0, updated: 20, rejected: 0, resumedFromLine: null });
    expect(await peopleState(ctx.actor.orgId)).toEqual(before);
  });

  it('reports progress with rows, bytes and counts', async () => {
    const ctx = await freshCtx();
    const file = csvFile(householdCsv(25));
    const seen: { rowsRead: number; bytesRead: number; totalBytes: number; created: number }[] = [];
    await runPeopleImport(ctx, { file, batchSize: 10, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.rowsRead)).toEqual([10, 20, 25]);
    expect(seen.at(-1)).toMatchObject({
      created: 25,
      bytesRead: readFileSync(file).length,
      totalBytes: readFileSync(file).length,
    });
  });
});

describe.skipIf(testEngine !== 'postgres')('concurrent imports into one organization', () => {
  it('never create the same person twice, and the same file twice at once imports it once', async () => {
    const ctx = await freshCtx();
    const a = csvFile(householdCsv(300));
    // Overlaps the first file on half its people, in another order and shape.
    const lines = ['email,first,last'];
    for (let i = 450; i >= 150; i--)
      lines.push(`person${i}@example.org,Person${i},Family${Math.floor(i / 3)}`);
    const b = csvFile(`${lines.join('\n')}\n`);
    const results = await Promise.allSettled([
      runPeopleImport(ctx, { file: a, batchSize: 25 }),
      runPeopleImport(ctx, { file: b, batchSize: 25 }),
      runPeopleImport(ctx, { file: a, batchSize: 25 }),
    ]);
    for (const r of results)
      if (r.status === 'rejected') expect(String(r.reason)).toMatch(/being imported by another process/);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(2);
    const counts = await sql<{ people: number; emails: number }>`
      SELECT (SELECT count(*)::int FROM person WHERE org_id = ${ctx.actor.orgId}) AS people,
             (SELECT count(DISTINCT address)::int FROM person_email WHERE org_id = ${ctx.actor.orgId}) AS emails`.execute(
      database.db,
    );
    expect(counts.rows[0]).toEqual({ people: 451, emails: 451 });
  });
});

describe('runPeopleImport statistics', () => {
  it('refreshes the statistics as an organization new to the tables grows, so the planner knows it', async () => {
    const own = await createTestDatabase();
    try {
      // Another organization's people, with fresh statistics that know only that organization.
      const other = await makeOrg(own.db);
      await sql`INSERT INTO person (org_id, id, given_name)
        SELECT ${other.id}::uuid, uuid_v7(), 'Other' || n FROM generate_series(1, 300) AS n`.execute(own.db);
      await sql`ANALYZE person`.execute(own.db);
      const org = await makeOrg(own.db);
      const estimate = async () => {
        const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT * FROM person
          WHERE org_id = ${org.id}`.execute(own.db);
        return Number(/rows=(\d+)/.exec(rows[0]?.['QUERY PLAN'] ?? '')?.[1]);
      };
      expect(await estimate()).toBeLessThan(5);
      const file = csvFile(householdCsv(100));
      const summary = await runPeopleImport(systemCtx(own.db, org.id), { file, batchSize: 20 });
      expect(summary.created).toBe(100);
      // Statistics taken after the organization doubled (20, 40, 80 rows): no longer "one person".
      expect(await estimate()).toBeGreaterThanOrEqual(80);
    } finally {
      await own.close();
    }
  });
});
