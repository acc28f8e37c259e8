import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';

/**
 * Organization: bay ⊃ bay.east (chapter) ⊃ bay.east.oakland (local); bay.west (another chapter).
 * Forms and petitions belong to units; their public pages and submissions need no login.
 */
let t: TestApp;
let orgId: string;
const units: Record<string, string> = {};
let admin: TestUser;
let eastStaff: TestUser;
let westOrganizer: TestUser;
let volunteer: TestUser;

async function insertPerson(path: string, given: string, email: string): Promise<string> {
  const id = newId();
  await t.db
    .insertInto('person')
    .values({
      org_id: orgId,
      id,
      given_name: given,
      family_name: 'Known',
      home_unit_id: units[path] as string,
      home_unit_path: sql`${path}::ltree`,
    } as never)
    .execute();
  await t.db
    .insertInto('person_email')
    .values({
      org_id: orgId,
      id: newId(),
      person_id: id,
      address: email,
      status: 'unsubscribed',
      is_primary: true,
      source_kind: 'import',
      source_ref: null,
    } as never)
    .execute();
  return id;
}

const QUESTIONS = [
  {
    key: 'issue',
    label: 'What matters most to you?',
    type: 'single_choice',
    required: true,
    choices: [
      { key: 'rent', label: 'Rent' },
      { key: 'repairs', label: 'Repairs' },
    ],
  },
  {
    key: 'skills',
    label: 'What can you help with?',
    type: 'multiple_choice',
    choices: [
      { key: 'phone', label: 'Calling' },
      { key: 'doors', label: 'Door knocking' },
    ],
  },
  { key: 'story', label: 'Your story', type: 'paragraph' },
  { key: 'member', label: 'Are you a member?', type: 'yes_no' },
];

async function createForm(as: TestUser, unit: string, extra: Record<string, unknown> = {}) {
  const response = await t.call('POST', '/api/v1/forms', {
    as,
    body: { unit_id: units[unit], title: `Tenant survey ${unit}`, questions: QUESTIONS, ...extra },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; kind: string; total_submissions: number };
}

const submit = (formId: string, body: Record<string, unknown>) =>
  t.call('POST', `/api/v1/public/forms/${formId}/submissions`, {
    body: { consent: { email_updates: true }, answers: { issue: 'rent' }, ...body },
  });

const countRows = async (table: 'person' | 'form_submission' | 'activity') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow()
    ).n,
  );

const postPage = (formId: string, fields: [string, string][]) =>
  t.call('POST', `/f/${formId}`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  for (const [path, kind] of [
    ['bay', 'organization'],
    ['bay.east', 'chapter'],
    ['bay.east.oakland', 'local'],
    ['bay.west', 'chapter'],
  ] as const) {
    units[path] = newId();
    await t.db
      .insertInto('unit')
      .values({ org_id: orgId, id: units[path] as string, path, name: path, kind })
      .execute();
  }
  admin = await makeUser(t.db, orgId, 'org_admin');
  eastStaff = await makeUser(t.db, orgId, 'staff_organizer', 'bay.east');
  westOrganizer = await makeUser(t.db, orgId, 'local_organizer', 'bay.west');
  volunteer = await makeUser(t.db, orgId, 'volunteer', 'bay.east');
});
afterAll(async () => {
  await t.close();
});

describe('managing forms and petitions', () => {
  it('keeps a chapter’s form to those who manage forms over its unit', async () => {
    const form = await createForm(eastStaff, 'bay.east.oakland');
    expect((await t.call('GET', `/api/v1/forms/${form.id}`, { as: eastStaff })).statusCode).toBe(200);
    expect((await t.call('GET', `/api/v1/forms/${form.id}`, { as: admin })).statusCode).toBe(200);
    expect((await t.call('GET', `/api/v1/forms/${form.id}`, { as: westOrganizer })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/forms/${form.id}`, { as: volunteer })).statusCode).toBe(403);
    const listed = (await t.call('GET', '/api/v1/forms', { as: westOrganizer })).json() as {
      items: { id: string }[];
    };
    expect(listed.items.map((f) => f.id)).not.toContain(form.id);
    const refused = await t.call('POST', '/api/v1/forms', {
      as: westOrganizer,
      body: { unit_id: units['bay.east'], title: 'Not yours' },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('refuses targets on a form that is not a petition, and questions with duplicate keys', async () => {
    const targets = await t.call('POST', '/api/v1/forms', {
      as: admin,
      body: { unit_id: units.bay, title: 'x', targets: [{ name: 'Mayor' }] },
    });
    expect(targets.statusCode).toBe(400);
    const dup = await t.call('POST', '/api/v1/forms', {
      as: admin,
      body: {
        unit_id: units.bay,
        title: 'x',
        questions: [
          { key: 'a', label: 'A', type: 'text' },
          { key: 'a', label: 'B', type: 'text' },
        ],
      },
    });
    expect(dup.statusCode).toBe(400);
  });

  it('gives an embed snippet: an iframe of the public page', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    const response = await t.call('GET', `/api/v1/forms/${form.id}/embed`, { as: eastStaff });
    expect(response.statusCode).toBe(200);
    const { url, html } = response.json() as { url: string; html: string };
    expect(url).toMatch(new RegExp(`/f/${form.id}$`));
    expect(html).toContain(`<iframe src="${url}"`);
    expect(html).toContain('title="Tenant survey bay.east"');
  });
});

describe('public submissions', () => {
  it('matches a submission to the person already known by email, records consent and the timeline', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    const known = await insertPerson('bay.east', 'Rosa', 'rosa@example.org');
    const people = await countRows('person');
    const response = await submit(form.id, {
      given_name: 'Rosa',
      email: 'ROSA@example.org',
      referrer: 'flyer-7',
      answers: { issue: 'repairs', skills: ['phone', 'doors'], member: true },
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toEqual({ status: 'received' });
    expect(await countRows('person')).toBe(people);
    const row = await t.db
      .selectFrom('form_submission')
      .selectAll()
      .where('form_id', '=', form.id)
      .executeTakeFirstOrThrow();
    expect(row.person_id).toBe(known);
    expect(row.answers).toEqual({ issue: 'repairs', skills: ['phone', 'doors'], member: true });
    expect(row.source).toBe('public');
    expect(row.referrer).toBe('flyer-7');
    expect(row.consent).toMatchObject({
      where: `form:${form.id}`,
      choices: { email_updates: { asked: 'Send me updates from this group by email', answer: true } },
    });
    const email = await t.db
      .selectFrom('person_email')
      .select('status')
      .where('person_id', '=', known)
      .executeTakeFirstOrThrow();
    expect(email.status).toBe('subscribed');
    const timeline = await t.call('GET', `/api/v1/people/${known}/timeline`, { as: eastStaff });
    expect(timeline.statusCode).toBe(200);
    expect(JSON.stringify(timeline.json())).toContain('form_submission');
  });

  it('records the person’s answer to "text me" as their text-message choice, from this form', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    const known = await insertPerson('bay.east', 'Tomas', 'tomas@example.org');
    const texts = async () =>
      await t.db
        .selectFrom('channel_consent')
        .select(['status', 'source_kind', 'source_ref'])
        .where('person_id', '=', known)
        .execute();
    // No number given: no text choice, whatever the box.
    const noPhone = { given_name: 'Tomas', email: 'tomas@example.org' };
    expect(
      (await submit(form.id, { ...noPhone, consent: { email_updates: true, sms_updates: true } })).statusCode,
    ).toBe(202);
    expect(await texts()).toEqual([]);
    const withPhone = { ...noPhone, phone: '+14155550123' };
    expect(
      (await submit(form.id, { ...withPhone, consent: { email_updates: true, sms_updates: true } }))
        .statusCode,
    ).toBe(202);
    expect(await texts()).toEqual([{ status: 'opted_in', source_kind: 'form', source_ref: form.id }]);
    expect(
      (await submit(form.id, { ...withPhone, consent: { email_updates: true, sms_updates: false } }))
        .statusCode,
    ).toBe(202);
    expect(await texts()).toEqual([{ status: 'opted_out', source_kind: 'form', source_ref: form.id }]);
  });

  it('answers a filled honeypot like a success and stores nothing', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    const before = [
      await countRows('person'),
      await countRows('form_submission'),
      await countRows('activity'),
    ];
    const response = await submit(form.id, {
      given_name: 'Bot',
      email: 'bot@spam.example',
      website: 'http://spam',
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ status: 'received' });
    expect([
      await countRows('person'),
      await countRows('form_submission'),
      await countRows('activity'),
    ]).toEqual(before);
  });

  it('checks answers against the questions', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    const missing = await submit(form.id, { given_name: 'A', email: 'a@example.org', answers: {} });
    expect(missing.statusCode).toBe(400);
    expect(JSON.stringify(missing.json())).toContain('answers.issue');
    const wrong = await submit(form.id, {
      given_name: 'A',
      email: 'a@example.org',
      answers: { issue: 'weather' },
    });
    expect(wrong.statusCode).toBe(400);
    const unknown = await submit(form.id, {
      given_name: 'A',
      email: 'a@example.org',
      answers: { issue: 'rent', shoe: 'x' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json())).toContain('answers.shoe');
  });

  it('takes one signature per person on a petition, and none on a closed one', async () => {
    const petition = await createForm(eastStaff, 'bay.east', {
      kind: 'petition',
      title: 'Fix the boilers',
      questions: [],
      targets: [{ name: 'Ada Landlord', title: 'Owner' }],
      petition_text: 'Fix the boilers before winter.',
    });
    const activities = await countRows('activity');
    for (const comment of ['First', 'Again']) {
      const response = await submit(petition.id, {
        given_name: 'Sam',
        email: 'sam@example.org',
        comment,
        answers: {},
      });
      expect(response.statusCode, response.body).toBe(202);
    }
    const rows = await t.db
      .selectFrom('form_submission')
      .select(['comment'])
      .where('form_id', '=', petition.id)
      .execute();
    expect(rows).toEqual([{ comment: 'First' }]);
    expect(await countRows('activity')).toBe(activities + 1);
    const view = (await t.call('GET', `/api/v1/forms/${petition.id}`, { as: eastStaff })).json() as {
      total_submissions: number;
    };
    expect(view.total_submissions).toBe(1);
    await t.call('PATCH', `/api/v1/forms/${petition.id}`, { as: eastStaff, body: { status: 'closed' } });
    const closed = await submit(petition.id, { given_name: 'Late', email: 'late@example.org', answers: {} });
    expect(closed.statusCode).toBe(409);
  });

  it('hides a draft form from the public', async () => {
    const draft = await createForm(eastStaff, 'bay.east', { status: 'draft' });
    expect((await t.call('GET', `/api/v1/public/forms/${draft.id}`)).statusCode).toBe(404);
    expect((await t.call('GET', `/f/${draft.id}`)).statusCode).toBe(404);
  });
});

describe('reading submissions', () => {
  it('lists only the people the reader may see, projected for them', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    await insertPerson('bay.west', 'Wen', 'wen@example.org');
    await submit(form.id, { given_name: 'Wen', email: 'wen@example.org' });
    await submit(form.id, { given_name: 'Eve', email: 'eve@example.org' });
    const asStaff = (
      await t.call('GET', `/api/v1/forms/${form.id}/submissions`, { as: eastStaff })
    ).json() as {
      items: { person: { given_name?: string } }[];
      total: number;
    };
    expect(asStaff.items.map((i) => i.person.given_name)).toEqual(['Eve']);
    expect(asStaff.total).toBe(1);
    const asAdmin = (await t.call('GET', `/api/v1/forms/${form.id}/submissions`, { as: admin })).json() as {
      items: { person: { given_name?: string } }[];
    };
    expect(asAdmin.items.map((i) => i.person.given_name).sort()).toEqual(['Eve', 'Wen']);
  });
});

describe('the public page without JavaScript', () => {
  it('renders labelled fields with the title escaped', async () => {
    const form = await createForm(eastStaff, 'bay.east', {
      title: 'Rent <script>alert(1)</script> & repairs',
    });
    const response = await t.call('GET', `/f/${form.id}?ref=door-3`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    const body = response.body;
    expect(body).not.toContain('<script>');
    expect(body).toContain('Rent &lt;script&gt;alert(1)&lt;/script&gt; &amp; repairs');
    expect(body).toContain(`<form method="post" action="/f/${form.id}"`);
    expect(body).toContain('<label for="f-given_name">First name (required)</label>');
    expect(body).toContain('<legend>What matters most to you? (required)</legend>');
    expect(body).toContain('name="referrer" value="door-3"');
    expect(body).toMatch(/<html lang="en">/);
  });

  it('takes a posted page, answers with a thank-you page and stores the submission', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    const response = await postPage(form.id, [
      ['given_name', 'Lu'],
      ['email', 'lu@example.org'],
      ['consent_email', 'yes'],
      ['q_issue', 'rent'],
      ['q_skills', 'phone'],
      ['q_skills', 'doors'],
      ['q_member', 'no'],
      ['q_story', 'Our heat was off for a week.'],
      ['referrer', 'door-3'],
      ['website', ''],
    ]);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).toContain('<h1>Thank you</h1>');
    const row = await t.db
      .selectFrom('form_submission')
      .select(['answers', 'referrer'])
      .where('form_id', '=', form.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      answers: {
        issue: 'rent',
        skills: ['phone', 'doors'],
        member: false,
        story: 'Our heat was off for a week.',
      },
      referrer: 'door-3',
    });
  });

  it('shows the form again with its errors and the values given, escaped', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    const before = await countRows('form_submission');
    const response = await postPage(form.id, [
      ['given_name', '"><b>Lu'],
      ['email', 'lu2@example.org'],
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('role="alert"');
    expect(response.body).toContain('href="#q-issue"');
    expect(response.body).toContain('value="&quot;&gt;&lt;b&gt;Lu"');
    expect(await countRows('form_submission')).toBe(before);
  });

  it('answers a posted page with the honeypot filled like a success and stores nothing', async () => {
    const form = await createForm(eastStaff, 'bay.east');
    const before = [await countRows('person'), await countRows('form_submission')];
    const response = await postPage(form.id, [
      ['given_name', 'Bot'],
      ['email', 'bot2@spam.example'],
      ['q_issue', 'rent'],
      ['website', 'http://spam.example'],
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<h1>Thank you</h1>');
    expect([await countRows('person'), await countRows('form_submission')]).toEqual(before);
  });
});

describe('OSDI forms, submissions, petitions and signatures', () => {
  const hal = { 'content-type': 'application/hal+json' };

  it('records a signature with the helper, matching the person, once', async () => {
    const petition = await createForm(eastStaff, 'bay.east', {
      kind: 'petition',
      title: 'Fund the library',
      questions: [],
      targets: [{ name: 'City Council' }],
    });
    const known = await insertPerson('bay.east', 'Noor', 'noor@example.org');
    const people = await countRows('person');
    const url = `/osdi/v1/petitions/${petition.id}/signatures/record_signature_helper`;
    const body = {
      person: { given_name: 'Noor', email_addresses: [{ address: 'noor@example.org' }] },
      comments: 'Libraries matter',
      referrer_data: { source: 'newsletter' },
    };
    const first = await t.call('POST', url, { as: eastStaff, body, headers: hal });
    expect(first.statusCode, first.body).toBe(201);
    const signature = first.json() as {
      comments: string;
      referrer_data: { source: string };
      _links: Record<string, { href: string }>;
    };
    expect(signature.comments).toBe('Libraries matter');
    expect(signature.referrer_data).toEqual({ source: 'newsletter' });
    expect(signature._links['osdi:person']?.href).toMatch(new RegExp(`/people/${known}$`));
    expect(signature._links['osdi:petition']?.href).toMatch(new RegExp(`/petitions/${petition.id}$`));
    const again = await t.call('POST', url, { as: eastStaff, body, headers: hal });
    expect(again.statusCode).toBe(200);
    expect(await countRows('person')).toBe(people);

    const view = (
      await t.call('GET', `/osdi/v1/petitions/${petition.id}`, { as: eastStaff })
    ).json() as Record<string, unknown>;
    expect(view.total_signatures).toBe(1);
    expect(view.target).toEqual([{ name: 'City Council' }]);
    expect(view.browser_url).toMatch(new RegExp(`/f/${petition.id}$`));
    const list = (
      await t.call('GET', `/osdi/v1/petitions/${petition.id}/signatures`, { as: eastStaff })
    ).json() as {
      total_records: number;
      _embedded: { 'osdi:signatures': { _embedded: { 'osdi:person': { given_name: string } } }[] };
    };
    expect(list.total_records).toBe(1);
    expect(list._embedded['osdi:signatures'][0]?._embedded['osdi:person'].given_name).toBe('Noor');
    // A petition is not a form.
    expect((await t.call('GET', `/osdi/v1/forms/${petition.id}`, { as: eastStaff })).statusCode).toBe(404);
  });

  it('records a submission with the helper and lists the forms collection', async () => {
    const form = await createForm(eastStaff, 'bay.east', {
      questions: [{ key: 'why', label: 'Why?', type: 'text' }],
    });
    const response = await t.call('POST', `/osdi/v1/forms/${form.id}/submissions/record_submission_helper`, {
      as: eastStaff,
      body: { person: { given_name: 'Kai', email_addresses: [{ address: 'kai@example.org' }] } },
      headers: hal,
    });
    expect(response.statusCode, response.body).toBe(201);
    const row = await t.db
      .selectFrom('form_submission')
      .select(['source', 'person_id'])
      .where('form_id', '=', form.id)
      .executeTakeFirstOrThrow();
    expect(row.source).toBe('osdi');
    const forms = (await t.call('GET', '/osdi/v1/forms?per_page=100', { as: eastStaff })).json() as {
      _embedded: { 'osdi:forms': { identifiers: string[]; total_submissions: number }[] };
    };
    const mine = forms._embedded['osdi:forms'].find((f) => f.identifiers.includes(`rhizome:${form.id}`));
    expect(mine?.total_submissions).toBe(1);
    // Another chapter's organizer does not reach the form.
    const refused = await t.call('GET', `/osdi/v1/forms/${form.id}/submissions`, { as: westOrganizer });
    expect(refused.statusCode).toBe(404);
  });
});
