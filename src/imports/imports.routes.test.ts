import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';

let t: TestApp;
let admin: TestUser;
let outsider: TestUser;
let organizer: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db);
  admin = await makeUser(t.db, org.id, 'data_manager');
  organizer = await makeUser(t.db, org.id, 'staff_organizer');
  const other = await makeOrg(t.db);
  outsider = await makeUser(t.db, other.id, 'org_admin');
});
afterAll(async () => {
  await t.close();
});

const csv = { 'content-type': 'text/csv' };

async function waitFor(id: string, as: TestUser) {
  for (let i = 0; i < 200; i++) {
    const job = (await t.call('GET', `/api/v1/imports/${id}`, { as })).json();
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('import did not finish');
}

describe('POST /api/v1/imports', () => {
  it('takes a CSV body, answers 202 with the job, and the job finishes with counts and rejects', async () => {
    const body = 'Given Name;Surname;E-mail;Shoe\nAna;Lima;ana@example.org;9\nBob;Stone;bob@;10\n';
    const response = await t.call('POST', '/api/v1/imports?tag=spring&filename=volunteers.csv', {
      as: admin,
      body,
      headers: csv,
    });
    expect(response.statusCode).toBe(202);
    const started = response.json();
    expect(response.headers.location).toBe(`/api/v1/imports/${started.id}`);
    expect(started).toMatchObject({
      filename: 'volunteers.csv',
      rejects_url: `/api/v1/imports/${started.id}/rejects.csv`,
    });
    const job = await waitFor(started.id, admin);
    expect(job).toMatchObject({ status: 'completed', rows_read: 2, created: 1, rejected: 1, last_line: 3 });

    const rejects = await t.call('GET', `/api/v1/imports/${started.id}/rejects.csv`, { as: admin });
    expect(rejects.statusCode).toBe(200);
    expect(rejects.headers['content-type']).toMatch(/^text\/csv/);
    expect(parse(rejects.body)).toEqual([
      ['line', 'reason', 'Given Name', 'Surname', 'E-mail', 'Shoe'],
      ['3', 'email: "bob@" is not a valid email address (column "E-mail")', 'Bob', 'Stone', 'bob@', '10'],
    ]);
    const list = (await t.call('GET', '/api/v1/imports', { as: admin })).json();
    expect(list.items.map((j: { id: string }) => j.id)).toContain(started.id);
  });

  it('refuses a bad mapping before importing anything, naming the column', async () => {
    const response = await t.call('POST', '/api/v1/imports?map=Mail%3Demail', {
      as: admin,
      body: 'email\na@example.org\n',
      headers: csv,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toMatch(/no column "Mail"/);
  });

  it('wants text/csv, and the people.import permission', async () => {
    const json = await t.call('POST', '/api/v1/imports', { as: admin, body: { email: 'a@example.org' } });
    expect(json.statusCode).toBe(415);
    const denied = await t.call('POST', '/api/v1/imports', {
      as: organizer,
      body: 'email\na@example.org\n',
      headers: csv,
    });
    expect(denied.statusCode).toBe(403);
  });

  it("answers 404 for another organization's import and its rejects", async () => {
    const response = await t.call('POST', '/api/v1/imports', {
      as: admin,
      body: 'email\nx@example.org\n',
      headers: csv,
    });
    const id = response.json().id;
    await waitFor(id, admin);
    expect((await t.call('GET', `/api/v1/imports/${id}`, { as: outsider })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/imports/${id}/rejects.csv`, { as: outsider })).statusCode).toBe(404);
    const theirs = (await t.call('GET', '/api/v1/imports', { as: outsider })).json();
    expect(theirs.items).toEqual([]);
  });
});

describe('GET /api/v1/people.csv', () => {
  it('streams the chosen columns, and names an unknown column with a 400', async () => {
    const response = await t.call('GET', '/api/v1/people.csv?columns=given_name,email,tags&tag=spring', {
      as: admin,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(parse(response.body)).toEqual([
      ['given_name', 'email', 'tags'],
      ['Ana', 'ana@example.org', 'spring'],
    ]);
    const bad = await t.call('GET', '/api/v1/people.csv?columns=given_name,shoe', { as: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/unknown column "shoe"/);
    expect((await t.call('GET', '/api/v1/people.csv', { as: organizer })).statusCode).toBe(403);
    const outside = await t.call('GET', '/api/v1/people.csv?columns=email', { as: outsider });
    expect(parse(outside.body)).toEqual([['email']]);
  });
});
