import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { ctxFor, makeOrg, makeUser, systemCtx } from '../../test/support/fixtures.js';
import type { Ctx } from '../context.js';
import type { Database } from '../db/connect.js';
import { newId } from '../db/ids.js';
import { runPeopleImport } from '../imports/index.js';
import { PersonInput, upsertPeople } from '../people/index.js';
import { exportPeopleCsv } from './index.js';

let database: Database;
let dir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'rhizome-export-'));
});
afterAll(async () => {
  await database.close();
});

async function freshCtx(): Promise<Ctx> {
  const org = await makeOrg(database.db);
  return systemCtx(database.db, org.id);
}

async function exportText(
  ctx: Ctx,
  options: Omit<Parameters<typeof exportPeopleCsv>[1], 'out'> = {},
): Promise<string[][]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportPeopleCsv(ctx, { out, ...options });
  return parse(Buffer.concat(chunks)) as string[][];
}

describe('exportPeopleCsv', () => {
  it('writes the chosen columns with primary and all contact values, tags, custom fields', async () => {
    const ctx = await freshCtx();
    await database.db
      .insertInto('custom_field')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        key: 'skills',
        label: 'Skills',
        field_type: 'multi_choice',
        choices: ['cook', 'drive'],
      })
      .execute();
    await upsertPeople(
      ctx,
      [
        PersonInput.parse({
          given_name: 'Ana',
          family_name: 'Lima',
          emails: [{ address: 'ana@example.org' }, { address: 'ana@work.example.org' }],
          phones: [{ number: '+15105550142' }],
          addresses: [
            {
              lines: ['1 Main St', 'Apt 2'],
              locality: 'Oakland',
              region: 'CA',
              postal_code: '94607',
              country: 'US',
            },
          ],
          tags: ['donor', 'volunteer'],
          custom_fields: { skills: ['cook', 'drive'] },
          identifiers: ['van:123'],
        }),
      ],
      { kind: 'api', ref: null },
    );
    const rows = await exportText(ctx, {
      columns: [
        'given_name',
        'email',
        'emails',
        'phone',
        'address_line1',
        'address_line2',
        'city',
        'state',
        'zip',
        'country',
        'tags',
        'identifiers',
        'field:skills',
      ],
    });
    expect(rows).toEqual([
      [
        'given_name',
        'email',
        'emails',
        'phone',
        'address_line1',
        'address_line2',
        'city',
        'state',
        'zip',
        'country',
        'tags',
        'identifiers',
        'field:skills',
      ],
      [
        'Ana',
        'ana@example.org',
        'ana@example.org; ana@work.example.org',
        '+15105550142',
        '1 Main St',
        'Apt 2',
        'Oakland',
        'CA',
        '94607',
        'US',
        'donor; volunteer',
        'van:123',
        'cook; drive',
      ],
    ]);
  });

  it('pages through everyone by id, filters by tag, and leaves other organizations out', async () => {
    const ctx = await freshCtx();
    const other = await freshCtx();
    const people = Array.from({ length: 25 }, (_, i) =>
      PersonInput.parse({
        given_name: `P${i}`,
        emails: [{ address: `p${i}@example.org` }],
        tags: i % 2 ? ['odd'] : [],
      }),
    );
    await upsertPeople(ctx, people, { kind: 'api', ref: null });
    await upsertPeople(other, people.slice(0, 3), { kind: 'api', ref: null });
    const all = await exportText(ctx, { columns: ['id', 'email'], pageSize: 4 });
    expect(all).toHaveLength(26);
    const ids = all.slice(1).map((r) => r[0] as string);
    expect(new Set(ids).size).toBe(25);
    expect([...ids].sort()).toEqual(ids);
    expect(await exportText(ctx, { columns: ['email'], filters: { tag: 'ODD' }, pageSize: 5 })).toHaveLength(
      13,
    );
  });

  it('round-trips: an export imports back matching everyone', async () => {
    const ctx = await freshCtx();
    const file = path.join(dir, 'source.csv');
    writeFileSync(
      file,
      'First,Last,Email,Phone,City,Zip,Tags\nAna,Lima,ana@example.org,510-555-0142,Oakland,94607,donor\nBo,Li,bo@example.org,,Berkeley,94704,\n',
    );
    await runPeopleImport(ctx, { file });
    const out = path.join(dir, 'export.csv');
    await exportPeopleCsv(ctx, { out });
    const again = await runPeopleImport(ctx, { file: out });
    expect(again).toMatchObject({ created: 0, updated: 2, rejected: 0 });
    expect(again.unmappedColumns).toEqual(['id', 'created_at', 'updated_at']);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(
      'id,given_name,family_name,additional_name,email,phone,address_line1,address_line2,city,state,zip,country,birthdate,tags,home_unit,created_at,updated_at',
    );
  });

  it('names an unknown column and refuses roles without people.export', async () => {
    const ctx = await freshCtx();
    await expect(exportText(ctx, { columns: ['email', 'shoe_size'] })).rejects.toThrow(
      /unknown column "shoe_size"/,
    );
    await expect(exportText(ctx, { columns: ['field:shoe'] })).rejects.toThrow(
      /"field:shoe" names no custom field/,
    );
    const organizer = await makeUser(database.db, ctx.actor.orgId, 'staff_organizer');
    await expect(exportText(await ctxFor(database.db, organizer))).rejects.toThrow(/permission/);
  });
});
