import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { insertPerson } from '../../test/support/people-factory.js';
import { newId } from '../db/ids.js';

let t: TestApp;
let exporter: TestUser;

/** An answer, or "no answer" after a few seconds (the bug this guards against was a stream that never ended). */
async function within(promise: Promise<{ statusCode: number; body: string }>) {
  return await Promise.race([
    promise,
    new Promise<{ statusCode: number; body: string }>((resolve) =>
      setTimeout(() => resolve({ statusCode: 0, body: 'no answer within 10 s' }), 10_000),
    ),
  ]);
}

beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db);
  // A user who may export the people of one list, with their basic fields only.
  exporter = await makeUser(t.db, org.id, null);
  const list = newId();
  await t.db
    .insertInto('list')
    .values({ org_id: org.id, id: list, name: 'Canvass', description: null, created_by: null })
    .execute();
  const person = await insertPerson(t.db, org.id, { given_name: 'Ana', email: 'ana@example.org' });
  await t.db
    .insertInto('list_item')
    .values({ org_id: org.id, id: newId(), list_id: list, person_id: person })
    .execute();
  await t.db
    .insertInto('assignment')
    .values({
      org_id: org.id,
      id: newId(),
      user_id: exporter.id,
      target_kind: 'list',
      target_id: list,
      actions: ['people.export'],
      field_classes: ['basic'],
      fields: [],
      expires_at: null,
      created_by: null,
    })
    .execute();
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/people.csv for a user who may export some fields only', () => {
  it('leaves the columns they may not export out of the default set', async () => {
    const r = await within(t.call('GET', '/api/v1/people.csv', { as: exporter }));
    expect(r.statusCode).toBe(200);
    const [header, row] = r.body.trim().split('\n');
    expect(header).toBe(
      'id,given_name,family_name,additional_name,city,state,country,tags,home_unit,created_at,updated_at',
    );
    expect(row).toContain('Ana');
    expect(r.body).not.toContain('ana@example.org');
  });

  it('refuses a column they may not export with 403 before streaming, instead of never answering', async () => {
    const r = await within(t.call('GET', '/api/v1/people.csv?columns=id,email', { as: exporter }));
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('you may not export email');
  });
});
