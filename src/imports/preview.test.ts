import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { snapshotDatabase } from '../../test/support/snapshot.js';

let t: TestApp;
let admin: TestUser;
let organizer: TestUser;
let outsider: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db);
  admin = await makeUser(t.db, org.id, 'org_admin');
  organizer = await makeUser(t.db, org.id, 'staff_organizer');
  outsider = await makeUser(t.db, (await makeOrg(t.db)).id, 'org_admin');
  await t.call('POST', '/api/v1/units', { as: admin, body: { path: 'east', kind: 'chapter', name: 'East' } });
});
afterAll(async () => {
  await t.close();
});

const csv = { 'content-type': 'text/csv' };
const FILE = 'Given Name;Surname;E-mail;Shoe\nAna;Lima;ana@example.org;9\nBob;Stone;bob@;10\n\nCy;Moss;;11\n';

async function preview(query: string, body: string, as: TestUser = admin) {
  return await t.call('POST', `/api/v1/imports/preview${query}`, { as, body, headers: csv });
}

describe('POST /api/v1/imports/preview', () => {
  it('shows where each column goes with its first values, and which rows the import would reject, storing nothing', async () => {
    const before = await snapshotDatabase(t.db);
    const response = await preview('', FILE);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ delimiter: ';', encoding: 'utf-8', ready: true, sample_rows: 3 });
    expect(body.header).toEqual(['Given Name', 'Surname', 'E-mail', 'Shoe']);
    expect(body.columns).toEqual([
      {
        index: 0,
        column: 'Given Name',
        field: 'given_name',
        detected: 'given_name',
        samples: ['Ana', 'Bob', 'Cy'],
      },
      {
        index: 1,
        column: 'Surname',
        field: 'family_name',
        detected: 'family_name',
        samples: ['Lima', 'Stone', 'Moss'],
      },
      {
        index: 2,
        column: 'E-mail',
        field: 'email',
        detected: 'email',
        samples: ['ana@example.org', 'bob@', ''],
      },
      { index: 3, column: 'Shoe', field: null, detected: null, samples: ['9', '10', '11'] },
    ]);
    expect(body.fields).toContain('given_name');
    expect(body.fields).toContain('ignore');
    // Lines as the import counts them (the header is line 1; the blank line 4 is no row).
    expect(body.rows).toEqual([
      { line: 2, outcome: 'person', reason: null },
      { line: 3, outcome: 'reject', reason: 'email: "bob@" is not a valid email address (column "E-mail")' },
      { line: 5, outcome: 'person', reason: null },
    ]);
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it('applies a mapping the way the import does, and refuses a bad one or an unknown unit by name', async () => {
    const mapped = (await preview('?map=E-mail%3Dignore&map=Shoe%3Dpronouns', FILE)).json();
    expect(mapped.columns.map((c: { field: string | null }) => c.field)).toEqual([
      'given_name',
      'family_name',
      null,
      'pronouns',
    ]);
    expect(mapped.columns[2].detected).toBe('email');
    // Without the email column, Bob's row is fine.
    expect(mapped.rows.every((r: { outcome: string }) => r.outcome === 'person')).toBe(true);

    const badColumn = await preview('?map=Mail%3Demail', FILE);
    expect(badColumn.statusCode).toBe(400);
    expect(badColumn.json().detail).toMatch(/no column "Mail"/);
    const badField = await preview('?map=Shoe%3Dshoe_size', FILE);
    expect(badField.statusCode).toBe(400);
    expect(badField.json().detail).toMatch(/"shoe_size" is not a field/);
    const badUnit = await preview('?unit=west', FILE);
    expect(badUnit.statusCode).toBe(400);
    expect(badUnit.json().detail).toMatch(/no unit with path west/);
    expect((await preview('?unit=east', FILE)).statusCode).toBe(200);

    const nothing = (await preview('', 'Shoe,Hat\n9,big\n')).json();
    expect(nothing.ready).toBe(false);
  });

  it('leaves out the cut last line of a sample that is the start of a longer file', async () => {
    const body = (await preview('?truncated=true', 'email\na@example.org\nb@exam')).json();
    expect(body.columns[0].samples).toEqual(['a@example.org']);
    expect(body.rows).toHaveLength(1);
    const whole = (await preview('', 'email\na@example.org\nb@example.org')).json();
    expect(whole.columns[0].samples).toEqual(['a@example.org', 'b@example.org']);
  });

  it('wants text/csv, a sample of at most 256 KB, and the people.import permission', async () => {
    const json = await t.call('POST', '/api/v1/imports/preview', {
      as: admin,
      body: { email: 'a@example.org' },
    });
    expect(json.statusCode).toBe(415);
    const big = await preview('', `email\n${'a@example.org\n'.repeat(30_000)}`);
    expect(big.statusCode).toBe(413);
    expect((await preview('', FILE, organizer)).statusCode).toBe(403);
    expect((await preview('', 'x\n')).statusCode).toBe(200);
    expect((await preview('', '')).statusCode).toBe(400);
  });
});

describe('GET /api/v1/imports/:id/rejects', () => {
  it('lists rejected rows by line with the reason naming field and column, for this organization only', async () => {
    const started = await t.call('POST', '/api/v1/imports', { as: admin, body: FILE, headers: csv });
    expect(started.statusCode).toBe(202);
    const id = started.json().id as string;
    for (let i = 0; i < 200; i++) {
      const job = (await t.call('GET', `/api/v1/imports/${id}`, { as: admin })).json();
      if (job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const rejects = await t.call('GET', `/api/v1/imports/${id}/rejects`, { as: admin });
    expect(rejects.statusCode).toBe(200);
    expect(rejects.json()).toEqual({
      items: [{ line: 3, reason: 'email: "bob@" is not a valid email address (column "E-mail")' }],
    });
    expect(
      (await t.call('GET', `/api/v1/imports/${id}/rejects?after=3`, { as: admin })).json().items,
    ).toEqual([]);
    expect((await t.call('GET', `/api/v1/imports/${id}/rejects`, { as: outsider })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/imports/${id}/rejects`, { as: organizer })).statusCode).toBe(403);
  });
});

describe('GET /api/v1/auth/me', () => {
  it('lists the actions the user has anywhere, so the app offers only the screens they may use', async () => {
    const mine = (await t.call('GET', '/api/v1/auth/me', { as: admin })).json();
    expect(mine.actions).toContain('people.import');
    expect(mine.actions).toContain('people.merge');
    const theirs = (await t.call('GET', '/api/v1/auth/me', { as: organizer })).json();
    expect(theirs.actions).toContain('people.read');
    expect(theirs.actions).not.toContain('people.import');
    expect(theirs.actions).not.toContain('people.merge');
  });
});
