import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { snapshotDatabase } from '../../test/support/snapshot.js';

// Our own fixtures, shaped like the OSDI 1.2 spec's requests (person signup helper, people POST/PUT,
// tags, taggings, lists, items).
const signupRequest = () => ({
  person: {
    identifiers: ['other_system:41'],
    given_name: 'Lena',
    family_name: 'Okafor',
    additional_name: 'Ada',
    origin_system: 'Other System',
    email_addresses: [{ address: 'Lena.Okafor@example.org', primary: true, address_type: 'Personal' }],
    postal_addresses: [
      {
        primary: true,
        address_lines: ['12 Oak St'],
        locality: 'Oakland',
        region: 'CA',
        postal_code: '94607',
        country: 'US',
        address_type: 'Home',
        status: 'Verified',
      },
    ],
    phone_numbers: [{ primary: true, number: 15105550134, number_type: 'Mobile', sms_capable: true }],
    gender: 'Female',
  },
  triggers: { autoresponse: { enabled: true } },
  add_tags: ['volunteer', 'tenant'],
  add_lists: ['Newsletter'],
  // Another system's tag: skipped, not an error.
  add_tags_uri: ['https://other.example/api/v1/tags/d91b4b2e-ae0e-4cd3-9ed7-d0ec501b0bc3'],
});

let t: TestApp;
let admin: TestUser;
let outsider: TestUser;
const osdi = (method: string, url: string, body?: unknown, as: TestUser | null = admin) =>
  t.app.inject({
    method: method as 'GET',
    url,
    headers: {
      'content-type': 'application/hal+json',
      ...(as ? { 'osdi-api-token': as.token } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, (await makeOrg(t.db, 'eastside')).id, 'org_admin');
  outsider = await makeUser(t.db, (await makeOrg(t.db, 'westside')).id, 'org_admin');
});
afterAll(async () => {
  await t.close();
});

describe('OSDI entry point', () => {
  it('describes the API in HAL with curies, and needs a token', async () => {
    const response = await osdi('GET', '/osdi/v1/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/hal\+json/);
    const aep = response.json();
    expect(aep).toMatchObject({
      vendor_name: 'Rhizome',
      osdi_version: '1.2',
      max_pagesize: 100,
      namespace: 'rhizome',
    });
    expect(Object.keys(aep._links)).toEqual(
      expect.arrayContaining([
        'curies',
        'self',
        'osdi:people',
        'osdi:tags',
        'osdi:lists',
        'osdi:person_signup_helper',
      ]),
    );
    expect(aep._links.curies[0]).toMatchObject({ name: 'osdi', templated: true });
    expect(aep._links['osdi:people'].href).toBe('http://localhost:80/osdi/v1/people');
    expect((await osdi('GET', '/osdi/v1/', undefined, null)).statusCode).toBe(401);
  });
});

describe('the person signup helper', () => {
  it('creates, then matches and merges arrays on a second signup, with tags and lists', async () => {
    const first = await osdi('POST', '/osdi/v1/people/person_signup_helper', signupRequest());
    expect(first.statusCode).toBe(201);
    const person = first.json();
    expect(person.identifiers[0]).toMatch(/^rhizome:[0-9a-f-]{36}$/);
    expect(person.identifiers).toContain('other_system:41');
    expect(person).toMatchObject({
      given_name: 'Lena',
      family_name: 'Okafor',
      email_addresses: [{ address: 'lena.okafor@example.org', primary: true, status: 'subscribed' }],
      phone_numbers: [{ number: '15105550134', number_type: 'Mobile', sms_capable: true, primary: true }],
      postal_addresses: [
        { address_lines: ['12 Oak St'], locality: 'Oakland', postal_code: '94607', primary: true },
      ],
    });
    expect(Object.values(person).includes(null)).toBe(false);

    const again = signupRequest();
    again.person.identifiers = [];
    again.person.email_addresses = [
      { address: 'lena.okafor@example.org', primary: true, address_type: 'Personal' },
    ];
    again.person.phone_numbers = [
      { primary: false, number: 14155550100, number_type: 'Home', sms_capable: false },
    ];
    again.add_tags = ['canvasser'];
    const second = await osdi('POST', '/osdi/v1/people/person_signup_helper', again);
    expect(second.statusCode).toBe(200);
    const merged = second.json();
    expect(merged.identifiers).toEqual(person.identifiers);
    expect(merged.phone_numbers.map((p: { number: string }) => p.number).sort()).toEqual([
      '14155550100',
      '15105550134',
    ]);
    const id = person.identifiers[0].split(':')[1];
    const rest = (await t.call('GET', `/api/v1/people/${id}`, { as: admin })).json();
    expect(rest.tags).toEqual(['canvasser', 'tenant', 'volunteer']);
    const lists = (await osdi('GET', '/osdi/v1/lists')).json();
    expect(lists._embedded['osdi:lists'][0]).toMatchObject({ name: 'Newsletter', total_items: 1 });
  });

  it('names the offending field of a bad signup and stores nothing', async () => {
    const before = await snapshotDatabase(t.db);
    const bad = signupRequest();
    bad.person.email_addresses = [{ address: 'not an email', primary: true, address_type: 'Personal' }];
    const response = await osdi('POST', '/osdi/v1/people/person_signup_helper', bad);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toEqual({
      field: 'person.emails.0.address',
      message: 'not a valid email address',
    });
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });
});

describe('the people collection', () => {
  beforeAll(async () => {
    for (let i = 0; i < 12; i++) {
      await osdi('POST', '/osdi/v1/people', {
        given_name: `Page${i}`,
        family_name: 'Person',
        email_addresses: [{ address: `page${i}@example.org` }],
      });
    }
  });

  it('pages with OSDI numbers and next links that walk everyone exactly once', async () => {
    const first = (await osdi('GET', '/osdi/v1/people?per_page=5')).json();
    expect(first).toMatchObject({ per_page: 5, page: 1 });
    const total = first.total_records;
    expect(total).toBeGreaterThanOrEqual(13);
    expect(first.total_pages).toBe(Math.ceil(total / 5));
    expect(first._embedded['osdi:people']).toHaveLength(5);
    const seen: string[] = [];
    let page = first;
    for (;;) {
      seen.push(...page._embedded['osdi:people'].map((p: { identifiers: string[] }) => p.identifiers[0]));
      if (!page._links.next) break;
      const next = new URL(page._links.next.href);
      page = (await osdi('GET', `${next.pathname}${next.search}`)).json();
      expect(page.total_records).toBe(total);
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    // Jumping to a page number works too.
    const third = (await osdi('GET', '/osdi/v1/people?per_page=5&page=3')).json();
    expect(third._embedded['osdi:people'][0].identifiers[0]).toBe(seen[10]);
  });

  it('caps per_page at 100', async () => {
    expect((await osdi('GET', '/osdi/v1/people?per_page=500')).json().per_page).toBe(100);
  });

  it('filters by modified date and by email address', async () => {
    const byEmail = (
      await osdi(
        'GET',
        `/osdi/v1/people?filter=${encodeURIComponent("email_address eq 'PAGE3@example.org'")}`,
      )
    ).json();
    expect(byEmail.total_records).toBe(1);
    expect(byEmail._embedded['osdi:people'][0].given_name).toBe('Page3');
    const future = (
      await osdi('GET', `/osdi/v1/people?filter=${encodeURIComponent("modified_date gt '2999-01-01'")}`)
    ).json();
    expect(future.total_records).toBe(0);
    const recent = (
      await osdi(
        'GET',
        `/osdi/v1/people?filter=${encodeURIComponent("modified_date gt '2020-01-01' and created_date lt '2999-01-01'")}`,
      )
    ).json();
    expect(recent.total_records).toBeGreaterThanOrEqual(13);
    const bad = await osdi('GET', `/osdi/v1/people?filter=${encodeURIComponent("shoe_size eq '9'")}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('filter');
  });

  it('reads, updates (arrays merge) and deletes one person', async () => {
    const created = (
      await osdi('POST', '/osdi/v1/people', {
        family_name: 'Ed',
        email_addresses: [{ address: 'ed@example.org', primary: true }],
      })
    ).json();
    const self = new URL(created._links.self.href).pathname;
    const updated = await osdi('PUT', self, {
      given_name: 'Eddie',
      email_addresses: [{ address: 'eddie@example.org' }],
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().given_name).toBe('Eddie');
    expect(
      updated
        .json()
        .email_addresses.map((e: { address: string }) => e.address)
        .sort(),
    ).toEqual(['ed@example.org', 'eddie@example.org']);
    // Echoing the record back is accepted and changes nothing.
    const echoed = await osdi('PUT', self, updated.json());
    expect(echoed.statusCode).toBe(200);
    expect(echoed.json().email_addresses).toEqual(updated.json().email_addresses);
    // New identifiers and custom field values are added; bad ones are refused by name, nothing written.
    const field = await t.call('POST', '/api/v1/fields', {
      as: admin,
      body: {
        key: 'shirt',
        label: 'Shirt size',
        type: 'single_choice',
        choices: ['S', 'M', 'L'],
        field_class: 'basic',
      },
    });
    expect(field.statusCode).toBe(201);
    const changed = await osdi('PUT', self, { identifiers: ['crm:9'], custom_fields: { shirt: 'l' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().identifiers).toContain('crm:9');
    expect(changed.json().custom_fields).toEqual({ shirt: 'L' });
    const refused = await osdi('PUT', self, {
      given_name: 'Never',
      custom_fields: { shirt: 'XXL', nope: 1 },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'custom_fields.shirt',
      'custom_fields.nope',
    ]);
    expect((await osdi('GET', self)).json().given_name).toBe('Eddie');
    const other = (
      await osdi('POST', '/osdi/v1/people', {
        given_name: 'Other',
        identifiers: ['crm:10'],
        email_addresses: [{ address: 'other10@example.org' }],
      })
    ).json();
    expect(other.identifiers).toContain('crm:10');
    const taken = await osdi('PUT', self, { identifiers: ['crm:10'] });
    expect(taken.json().errors[0]).toEqual({
      field: 'identifiers',
      message: 'crm:10 belongs to another person',
    });
    expect((await osdi('DELETE', self)).statusCode).toBe(200);
    expect((await osdi('GET', self)).statusCode).toBe(404);
  });
});

describe('tags, taggings, lists and items', () => {
  it('creates a tag, tags a person by link, lists the taggings and removes one', async () => {
    const person = (
      await osdi('POST', '/osdi/v1/people', {
        given_name: 'Tagged',
        email_addresses: [{ address: 'tagged@example.org' }],
      })
    ).json();
    const tag = await osdi('POST', '/osdi/v1/tags', {
      identifiers: ['other_system:7'],
      name: 'Phone bankers',
      origin_system: 'Other',
    });
    expect(tag.statusCode).toBe(201);
    expect(tag.json()).toMatchObject({ name: 'Phone bankers' });
    expect(tag.json().identifiers).toContain('other_system:7');
    const taggings = new URL(tag.json()._links['osdi:taggings'].href).pathname;
    const tagging = await osdi('POST', taggings, {
      item_type: 'osdi:person',
      _links: { 'osdi:person': { href: person._links.self.href } },
    });
    expect(tagging.statusCode).toBe(201);
    expect(tagging.json()).toMatchObject({
      item_type: 'osdi:person',
      _links: { 'osdi:person': { href: person._links.self.href } },
    });
    const listed = (await osdi('GET', taggings)).json();
    expect(listed).toMatchObject({ total_records: 1, page: 1 });
    expect(Object.keys(listed._embedded)).toEqual(['osdi:taggings']);
    const self = new URL(tagging.json()._links.self.href).pathname;
    expect((await osdi('DELETE', self)).statusCode).toBe(200);
    expect((await osdi('GET', taggings)).json().total_records).toBe(0);
  });

  it('creates a list and adds items to it', async () => {
    const person = (
      await osdi('POST', '/osdi/v1/people', {
        given_name: 'Listed',
        email_addresses: [{ address: 'listed@example.org' }],
      })
    ).json();
    const list = (
      await osdi('POST', '/osdi/v1/lists', { name: 'Volunteers', summary: 'Everyone who volunteers' })
    ).json();
    expect(list).toMatchObject({ name: 'Volunteers', summary: 'Everyone who volunteers', total_items: 0 });
    const items = new URL(list._links['osdi:items'].href).pathname;
    const added = await osdi('POST', items, { _links: { 'osdi:person': { href: person._links.self.href } } });
    expect(added.statusCode).toBe(201);
    expect(added.json()._links['osdi:list'].href).toBe(list._links.self.href);
    expect((await osdi('GET', new URL(list._links.self.href).pathname)).json().total_items).toBe(1);
  });
});

describe('isolation', () => {
  it('keeps another organization out of people, tags and lists', async () => {
    const ours = (await osdi('GET', '/osdi/v1/people?per_page=1')).json();
    const href = new URL(ours._embedded['osdi:people'][0]._links.self.href).pathname;
    expect((await osdi('GET', href, undefined, outsider)).statusCode).toBe(404);
    expect((await osdi('PUT', href, { given_name: 'Stolen' }, outsider)).statusCode).toBe(404);
    const theirs = (await osdi('GET', '/osdi/v1/people', undefined, outsider)).json();
    expect(theirs.total_records).toBe(0);
    expect((await osdi('GET', '/osdi/v1/tags', undefined, outsider)).json().total_records).toBe(0);
    const signup = await osdi('POST', '/osdi/v1/people/person_signup_helper', signupRequest(), outsider);
    expect(signup.statusCode).toBe(201);
    expect(signup.json().identifiers[0]).not.toBe(ours._embedded['osdi:people'][0].identifiers[0]);
  });
});

describe('isolation of tags, lists and their members', () => {
  it('never shows or changes another organization’s tags, lists, taggings or items', async () => {
    const person = (
      await osdi('POST', '/osdi/v1/people', { email_addresses: [{ address: 'kept.here@example.org' }] })
    ).json();
    const tag = (await osdi('POST', '/osdi/v1/tags', { name: 'Ours only' })).json();
    const list = (await osdi('POST', '/osdi/v1/lists', { name: 'Ours only' })).json();
    const tagging = (
      await osdi('POST', new URL(tag._links['osdi:taggings'].href).pathname, {
        _links: { 'osdi:person': { href: person._links.self.href } },
      })
    ).json();
    const item = (
      await osdi('POST', new URL(list._links['osdi:items'].href).pathname, {
        _links: { 'osdi:person': { href: person._links.self.href } },
      })
    ).json();
    const urls = [tag, list, tagging, item].map((x) => new URL(x._links.self.href).pathname);
    urls.push(new URL(tag._links['osdi:taggings'].href).pathname);
    urls.push(new URL(list._links['osdi:items'].href).pathname);
    urls.push(new URL(person._links['osdi:taggings'].href).pathname);
    for (const url of urls) {
      expect((await osdi('GET', url, undefined, outsider)).statusCode, url).toBe(404);
      expect((await osdi('DELETE', url, undefined, outsider)).statusCode, url).toBeGreaterThanOrEqual(404);
    }
    for (const url of urls.slice(0, 4)) expect((await osdi('GET', url)).statusCode, url).toBe(200);

    // Their own tag cannot take our person; their signup naming our tag's URI does not tag anyone of ours.
    const theirTag = (await osdi('POST', '/osdi/v1/tags', { name: 'Theirs' }, outsider)).json();
    const poach = await osdi(
      'POST',
      new URL(theirTag._links['osdi:taggings'].href).pathname,
      { _links: { 'osdi:person': { href: person._links.self.href } } },
      outsider,
    );
    expect(poach.statusCode).toBe(404);
    const signup = await osdi(
      'POST',
      '/osdi/v1/people/person_signup_helper',
      {
        person: { email_addresses: [{ address: 'kept.here@example.org' }] },
        add_tags_uri: [tag._links.self.href],
      },
      outsider,
    );
    expect(signup.statusCode).toBe(201);
    expect((await osdi('GET', new URL(tag._links.self.href).pathname)).statusCode).toBe(200);
    expect((await osdi('GET', new URL(tag._links['osdi:taggings'].href).pathname)).json().total_records).toBe(
      1,
    );

    // Each organization's totals agree with what its pages hold.
    for (const who of [admin, outsider]) {
      for (const rel of ['people', 'tags', 'lists']) {
        const first = (await osdi('GET', `/osdi/v1/${rel}?per_page=100`, undefined, who)).json();
        expect(first._embedded[`osdi:${rel}`]).toHaveLength(Math.min(100, first.total_records));
        const ids = first._embedded[`osdi:${rel}`].map((x: { identifiers: string[] }) => x.identifiers[0]);
        const other = who === admin ? outsider : admin;
        const theirs = (await osdi('GET', `/osdi/v1/${rel}?per_page=100`, undefined, other)).json();
        for (const x of theirs._embedded[`osdi:${rel}`]) expect(ids).not.toContain(x.identifiers[0]);
      }
    }
  });
});

describe('authentication', () => {
  it.each([
    ['GET', '/osdi/v1/people'],
    ['GET', '/osdi/v1/tags'],
    ['GET', '/osdi/v1/lists'],
    ['POST', '/osdi/v1/people/person_signup_helper'],
    ['POST', '/osdi/v1/tags'],
  ])('%s %s needs a valid OSDI-API-Token', async (method, url) => {
    const body = method === 'POST' ? { name: 'x', person: {} } : undefined;
    expect((await osdi(method, url, body, null)).statusCode).toBe(401);
    const wrong = await t.app.inject({
      method: method as 'GET',
      url,
      headers: { 'osdi-api-token': 'not-a-real-token', 'content-type': 'application/json' },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
