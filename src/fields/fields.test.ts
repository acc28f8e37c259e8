import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { validateCustomFieldValues } from './index.js';

let t: TestApp;
let orgA: string;
let orgB: string;
let adminA: TestUser;
let adminB: TestUser;
let organizerA: TestUser;

async function define(as: TestUser, body: unknown) {
  const response = await t.call('POST', '/api/v1/fields', { as, body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; key: string };
}

beforeAll(async () => {
  t = await createTestApp();
  orgA = (await makeOrg(t.db)).id;
  orgB = (await makeOrg(t.db)).id;
  adminA = await makeUser(t.db, orgA, 'org_admin');
  adminB = await makeUser(t.db, orgB, 'org_admin');
  organizerA = await makeUser(t.db, orgA, 'staff_organizer');
  await define(adminA, { key: 'shirt_count', label: 'Shirts', type: 'number', field_class: 'basic' });
  await define(adminA, { key: 'met_on', label: 'Met on', type: 'date', field_class: 'basic' });
  await define(adminA, { key: 'driver', label: 'Drives', type: 'boolean', field_class: 'basic' });
  await define(adminA, {
    key: 'size',
    label: 'Size',
    type: 'single_choice',
    choices: ['S', 'M', 'L'],
    field_class: 'basic',
  });
  await define(adminA, {
    key: 'issues',
    label: 'Issues',
    type: 'multi_choice',
    choices: ['Housing', 'Transit'],
    field_class: 'basic',
  });
  await define(adminA, { key: 'bio', label: 'Bio', type: 'text', field_class: 'basic' });
});
afterAll(async () => {
  await t.close();
});

describe('validateCustomFieldValues', () => {
  it('reads lenient input and returns the stored form with each field id', async () => {
    const { ok, problems } = await validateCustomFieldValues(t.db, orgA, {
      shirt_count: ' 2 ',
      met_on: '2024-02-29',
      driver: 'yes',
      size: 'm',
      issues: 'housing; Transit;housing',
      bio: '  hello ',
    });
    expect(problems).toEqual([]);
    expect(Object.fromEntries(ok.map((v) => [v.key, v.value]))).toEqual({
      shirt_count: 2,
      met_on: '2024-02-29',
      driver: true,
      size: 'M',
      issues: ['Housing', 'Transit'],
      bio: 'hello',
    });
    expect(ok.every((v) => typeof v.fieldId === 'string')).toBe(true);
  });

  it('names every bad value and every unknown key as custom_fields.KEY', async () => {
    const { ok, problems } = await validateCustomFieldValues(t.db, orgA, {
      shirt_count: 'lots',
      met_on: '2023-02-29',
      driver: 'maybe',
      size: 'XL',
      issues: ['Housing', 'Parks'],
      bio: 'x'.repeat(2001),
      nope: 1,
    });
    expect(ok).toEqual([]);
    expect(problems.map((p) => p.field).sort()).toEqual(
      ['bio', 'driver', 'issues', 'met_on', 'nope', 'shirt_count', 'size'].map((k) => `custom_fields.${k}`),
    );
    expect(problems.find((p) => p.field === 'custom_fields.nope')?.message).toBe(
      'no custom field with this key',
    );
  });

  it('accepts 1/0/true/false/no for booleans and rejects non-finite numbers', async () => {
    for (const [raw, want] of [
      ['1', true],
      ['0', false],
      [true, true],
      ['No', false],
      ['TRUE', true],
    ] as const) {
      const { ok } = await validateCustomFieldValues(t.db, orgA, { driver: raw });
      expect(ok[0]?.value).toBe(want);
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '1e999', '', 'Infinity']) {
      const { problems } = await validateCustomFieldValues(t.db, orgA, { shirt_count: bad });
      expect(problems).toHaveLength(1);
    }
  });

  it('accepts any finite number and any real calendar date, and nothing else as a date', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ noNaN: true, noDefaultInfinity: true }), async (n) => {
        const { ok } = await validateCustomFieldValues(t.db, orgA, { shirt_count: String(n) });
        expect(ok[0]?.value).toBe(Number(String(n)));
      }),
      { numRuns: 30 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        async (d) => {
          const text = d.toISOString().slice(0, 10);
          const { ok } = await validateCustomFieldValues(t.db, orgA, { met_on: text });
          expect(ok[0]?.value).toBe(text);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('does not see another organization’s fields, nor archived ones', async () => {
    const other = await validateCustomFieldValues(t.db, orgB, { shirt_count: 1 });
    expect(other.problems).toEqual([
      { field: 'custom_fields.shirt_count', message: 'no custom field with this key' },
    ]);
    const field = await define(adminA, {
      key: 'old_field',
      label: 'Old',
      type: 'text',
      field_class: 'basic',
    });
    await t.call('PATCH', `/api/v1/fields/${field.id}`, { as: adminA, body: { archived: true } });
    const archived = await validateCustomFieldValues(t.db, orgA, { old_field: 'x' });
    expect(archived.problems).toHaveLength(1);
  });
});

describe('custom fields over HTTP', () => {
  it('lists definitions by key, archived ones only when asked', async () => {
    const field = await define(adminA, {
      key: 'zz_archived',
      label: 'Gone',
      type: 'text',
      field_class: 'basic',
    });
    const archived = await t.call('PATCH', `/api/v1/fields/${field.id}`, {
      as: adminA,
      body: { archived: true },
    });
    expect(archived.json().archived_at).not.toBeNull();
    const list = await t.call('GET', '/api/v1/fields', { as: organizerA });
    expect(list.statusCode).toBe(200);
    const keys = list.json().items.map((f: { key: string }) => f.key);
    expect(keys).toContain('shirt_count');
    expect(keys).not.toContain('zz_archived');
    expect(keys).toEqual([...keys].sort());
    const all = await t.call('GET', '/api/v1/fields?include_archived=true', { as: organizerA });
    expect(all.json().items.map((f: { key: string }) => f.key)).toContain('zz_archived');
    const back = await t.call('PATCH', `/api/v1/fields/${field.id}`, {
      as: adminA,
      body: { archived: false },
    });
    expect(back.json().archived_at).toBeNull();
  });

  it('refuses bad definitions naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ key: 'Bad Key', label: 'x', type: 'text', field_class: 'basic' }, 'key'],
      [{ key: 'pick', label: 'x', type: 'single_choice', field_class: 'basic' }, 'choices'],
      [{ key: 'plain', label: 'x', type: 'text', choices: ['a'], field_class: 'basic' }, 'choices'],
      [
        { key: 'dupes', label: 'x', type: 'multi_choice', choices: ['a', 'A'], field_class: 'basic' },
        'choices',
      ],
      [{ key: 'kind', label: 'x', type: 'colour', field_class: 'basic' }, 'type'],
      [{ key: 'undeclared', label: 'x', type: 'text' }, 'field_class'],
      [{ key: 'cls', label: 'x', type: 'text', field_class: 'secret' }, 'field_class'],
    ];
    for (const [body, field] of cases) {
      const response = await t.call('POST', '/api/v1/fields', { as: adminA, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(response.json())).toContain(field);
    }
    const taken = await t.call('POST', '/api/v1/fields', {
      as: adminA,
      body: { key: 'shirt_count', label: 'again', type: 'text', field_class: 'basic' },
    });
    expect(taken.statusCode).toBe(409);
  });

  it('lets only fields.manage define or change fields', async () => {
    const response = await t.call('POST', '/api/v1/fields', {
      as: organizerA,
      body: { key: 'sneaky', label: 'x', type: 'text', field_class: 'basic' },
    });
    expect(response.statusCode).toBe(403);
  });

  it('changes choices of choice fields only, never the key or type', async () => {
    const list = await t.call('GET', '/api/v1/fields', { as: adminA });
    const size = list.json().items.find((f: { key: string }) => f.key === 'size');
    const bio = list.json().items.find((f: { key: string }) => f.key === 'bio');
    const changed = await t.call('PATCH', `/api/v1/fields/${size.id}`, {
      as: adminA,
      body: { choices: ['S', 'M', 'L', 'XL'], label: 'Shirt size' },
    });
    expect(changed.json()).toMatchObject({
      choices: ['S', 'M', 'L', 'XL'],
      label: 'Shirt size',
      key: 'size',
    });
    const refused = await t.call('PATCH', `/api/v1/fields/${bio.id}`, {
      as: adminA,
      body: { choices: ['a'] },
    });
    expect(refused.statusCode).toBe(400);
    const typeChange = await t.call('PATCH', `/api/v1/fields/${bio.id}`, {
      as: adminA,
      body: { type: 'number' },
    });
    expect(typeChange.statusCode).toBe(400);
  });

  it('keeps organizations apart: another org’s field answers 404 and is not listed', async () => {
    const list = await t.call('GET', '/api/v1/fields', { as: adminA });
    const id = list.json().items[0].id;
    expect((await t.call('GET', `/api/v1/fields/${id}`, { as: adminB })).statusCode).toBe(404);
    expect(
      (await t.call('PATCH', `/api/v1/fields/${id}`, { as: adminB, body: { label: 'mine now' } })).statusCode,
    ).toBe(404);
    expect((await t.call('GET', '/api/v1/fields', { as: adminB })).json().items).toEqual([]);
    // The same key may exist in both organizations.
    await define(adminB, { key: 'shirt_count', label: 'B shirts', type: 'text', field_class: 'basic' });
  });
});
