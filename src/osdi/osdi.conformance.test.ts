import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';

/*
 * Conformance with OSDI 1.2's shapes. The fixtures below are our own objects, written to the
 * spec's field names (the spec's example payloads are reference material and are not copied).
 * Each check is two-sided: every field we emit is one the spec names (no invented spellings such
 * as created_at or emails), and the fields the spec's examples always carry are present.
 */
const href = { href: 'https://api.example.org/x' };
const collectionFixture = (rel: string, item: object) => ({
  total_pages: 3,
  per_page: 25,
  page: 1,
  total_records: 60,
  _links: {
    next: href,
    prev: href,
    [`osdi:${rel}`]: [href],
    curies: [{ name: 'osdi', href: 'https://docs.example.org/{rel}', templated: true }],
    self: href,
  },
  _embedded: { [`osdi:${rel}`]: [item] },
});
const location = { latitude: 37.8, longitude: -122.27, accuracy: 'Rooftop' };
const personFixture = {
  identifiers: ['some_system:1'],
  origin_system: 'Some System',
  created_date: '2020-01-01T00:00:00Z',
  modified_date: '2020-01-01T00:00:00Z',
  given_name: 'Rosa',
  family_name: 'Mendez',
  honorific_prefix: 'Dr.',
  honorific_suffix: 'PhD',
  additional_name: 'Luz',
  gender: 'Female',
  birthdate: { month: 2, day: 3, year: 1980 },
  languages_spoken: ['es'],
  preferred_language: 'es',
  postal_addresses: [
    {
      primary: true,
      address_type: 'Home',
      address_lines: ['1 Main St'],
      locality: 'Oakland',
      region: 'CA',
      postal_code: '94607',
      country: 'US',
      language: 'en',
      location,
    },
  ],
  email_addresses: [
    { primary: true, address: 'rosa@example.org', address_type: 'Personal', status: 'subscribed' },
  ],
  phone_numbers: [
    {
      primary: true,
      number: '15105550100',
      extension: '',
      description: '',
      number_type: 'Mobile',
      operator: '',
      country: 'US',
      sms_capable: true,
      do_not_call: false,
    },
  ],
  custom_fields: { shirt_size: 'M' },
  _links: {
    self: href,
    'osdi:taggings': href,
    'osdi:items': href,
    'osdi:answers': href,
    'osdi:donations': href,
  },
};
const tagFixture = {
  identifiers: ['some_system:1'],
  origin_system: 'Some System',
  created_date: '2020-01-01T00:00:00Z',
  modified_date: '2020-01-01T00:00:00Z',
  name: 'Volunteers',
  description: 'People who volunteer',
  _links: { self: href, 'osdi:taggings': href, 'osdi:creator': href, 'osdi:modified_by': href },
};
const listFixture = {
  identifiers: ['some_system:1'],
  origin_system: 'Some System',
  created_date: '2020-01-01T00:00:00Z',
  modified_date: '2020-01-01T00:00:00Z',
  name: 'Volunteers',
  summary: 'People who volunteer',
  browser_url: 'https://example.org/lists/1',
  administrative_url: 'https://example.org/admin/lists/1',
  total_items: 3,
  _links: {
    self: href,
    'osdi:items': href,
    'osdi:creator': href,
    'osdi:taggings': href,
    'osdi:modified_by': href,
  },
};
const membershipFixture = (owner: 'tag' | 'list') => ({
  identifiers: ['some_system:1'],
  origin_system: 'Some System',
  created_date: '2020-01-01T00:00:00Z',
  modified_date: '2020-01-01T00:00:00Z',
  item_type: 'osdi:person',
  _links: { self: href, [`osdi:${owner}`]: href, 'osdi:person': href },
});
const aepFixture = {
  motd: 'Hello',
  vendor_name: 'Vendor',
  product_name: 'Product',
  osdi_version: '1.2',
  max_pagesize: 100,
  namespace: 'vendor',
  _links: {
    curies: [{ name: 'osdi', href: 'https://docs.example.org/{rel}', templated: true }],
    self: { ...href, title: 'This API entry point' },
    'osdi:people': { ...href, title: 'The collection of people in the system' },
    'osdi:tags': { ...href, title: 'The collection of tags in the system' },
    'osdi:lists': { ...href, title: 'The collection of lists in the system' },
    'osdi:questions': { ...href, title: 'The collection of questions in the system' },
    'osdi:events': { ...href, title: 'The collection of events in the system' },
    'osdi:forms': { ...href, title: 'The collection of forms in the system' },
    'osdi:petitions': { ...href, title: 'The collection of petitions in the system' },
    docs: { href: 'https://docs.example.org/', title: 'Documentation', name: 'Docs', index: 'index' },
    'osdi:person_signup_helper': { ...href, title: 'The person signup helper for the system' },
  },
};

/** Every dotted key path in a JSON value; array elements are written as []. */
function paths(value: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) {
    for (const element of value) for (const p of paths(element, `${prefix}[]`)) out.add(p);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.add(path);
      // Link objects and custom fields hold open-ended keys; their members are not spec names.
      if (key !== 'custom_fields') for (const p of paths(child, path)) out.add(p);
    }
  }
  return out;
}

function conforms(actual: unknown, fixture: unknown, required: string[]): void {
  const allowed = paths(fixture);
  const ours = paths(actual);
  expect([...ours].filter((p) => !allowed.has(p))).toEqual([]);
  expect(required.filter((p) => !ours.has(p))).toEqual([]);
}

const itemRequired = [
  'identifiers',
  'created_date',
  'modified_date',
  '_links',
  '_links.self',
  '_links.self.href',
];
const collectionRequired = (rel: string) => [
  'total_pages',
  'per_page',
  'page',
  'total_records',
  '_links.self.href',
  `_links.osdi:${rel}`,
  '_links.curies',
  '_links.curies[].name',
  '_links.curies[].templated',
  `_embedded.osdi:${rel}`,
];

let t: TestApp;
let user: TestUser;
const osdi = (method: string, url: string, body?: unknown) =>
  t.app.inject({
    method: method as 'GET',
    url,
    headers: { 'osdi-api-token': user.token, 'content-type': 'application/json' },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
const path = (link: string) => new URL(link).pathname;

beforeAll(async () => {
  t = await createTestApp();
  user = await makeUser(t.db, (await makeOrg(t.db, 'conformance')).id, 'org_admin');
});
afterAll(async () => {
  await t.close();
});

describe('OSDI shapes match the spec', () => {
  it('entry point', async () => {
    const aep = await osdi('GET', '/osdi/v1/');
    expect(aep.headers['content-type']).toMatch(/^application\/hal\+json/);
    conforms(
      aep.json(),
      aepFixture,
      Object.keys(aepFixture).concat(Object.keys(aepFixture._links).map((k) => `_links.${k}`)),
    );
  });

  it('people, one and as a collection, with every kind of value filled in', async () => {
    const signup = await osdi('POST', '/osdi/v1/people/person_signup_helper', {
      person: {
        identifiers: ['some_system:77'],
        given_name: 'Rosa',
        family_name: 'Mendez',
        additional_name: 'Luz',
        birthdate: { year: 1980, month: 2, day: 3 },
        languages_spoken: ['es'],
        email_addresses: [{ address: 'rosa.m@example.org', primary: true, status: 'spam complaint' }],
        phone_numbers: [{ number: '15105550100', number_type: 'Mobile', sms_capable: true, primary: true }],
        postal_addresses: [
          {
            primary: true,
            address_lines: ['1 Main St'],
            locality: 'Oakland',
            region: 'CA',
            postal_code: '94607',
            country: 'US',
            location: { latitude: 37.8, longitude: -122.27 },
          },
        ],
      },
      add_tags: ['conformance'],
    });
    expect(signup.statusCode).toBe(201);
    const person = signup.json();
    const required = [
      ...itemRequired,
      'given_name',
      'family_name',
      'additional_name',
      'birthdate.year',
      'birthdate.month',
      'birthdate.day',
      'languages_spoken',
      'email_addresses[].primary',
      'email_addresses[].address',
      'email_addresses[].status',
      'phone_numbers[].number',
      'phone_numbers[].number_type',
      'phone_numbers[].sms_capable',
      'postal_addresses[].address_lines',
      'postal_addresses[].locality',
      'postal_addresses[].region',
      'postal_addresses[].postal_code',
      'postal_addresses[].country',
      'postal_addresses[].location.latitude',
      'postal_addresses[].location.longitude',
      '_links.osdi:taggings',
      '_links.osdi:items',
    ];
    conforms(person, personFixture, required);
    expect(person.birthdate).toEqual({ year: 1980, month: 2, day: 3 });
    expect(person.email_addresses[0].status).toBe('spam complaint');
    expect(person.identifiers).toEqual([expect.stringMatching(/^rhizome:[0-9a-f-]{36}$/), 'some_system:77']);

    const one = (await osdi('GET', path(person._links.self.href))).json();
    expect(one).toEqual(person);
    const all = (await osdi('GET', '/osdi/v1/people')).json();
    conforms(all, collectionFixture('people', personFixture), collectionRequired('people'));

    const taggings = (await osdi('GET', path(person._links['osdi:taggings'].href))).json();
    conforms(
      taggings,
      collectionFixture('taggings', membershipFixture('tag')),
      collectionRequired('taggings'),
    );
    expect(taggings.total_records).toBe(1);
    expect(taggings._embedded['osdi:taggings'][0]._links['osdi:person'].href).toBe(person._links.self.href);
  });

  it('tags and taggings', async () => {
    const tag = (
      await osdi('POST', '/osdi/v1/tags', {
        identifiers: ['some_system:5'],
        name: 'Hosts',
        description: 'Meeting hosts',
      })
    ).json();
    conforms(tag, tagFixture, [...itemRequired, 'name', 'description', '_links.osdi:taggings']);
    conforms(
      (await osdi('GET', '/osdi/v1/tags')).json(),
      collectionFixture('tags', tagFixture),
      collectionRequired('tags'),
    );
    const person = (
      await osdi('POST', '/osdi/v1/people', { email_addresses: [{ address: 'host@example.org' }] })
    ).json();
    const tagging = (
      await osdi('POST', path(tag._links['osdi:taggings'].href), {
        identifiers: ['some_system:9'],
        item_type: 'osdi:person',
        _links: { 'osdi:person': { href: person._links.self.href } },
      })
    ).json();
    conforms(tagging, membershipFixture('tag'), [
      ...itemRequired,
      'item_type',
      '_links.osdi:tag',
      '_links.osdi:person',
    ]);
    conforms(
      (await osdi('GET', path(tagging._links.self.href))).json(),
      membershipFixture('tag'),
      itemRequired,
    );
    conforms(
      (await osdi('GET', path(tag._links['osdi:taggings'].href))).json(),
      collectionFixture('taggings', membershipFixture('tag')),
      collectionRequired('taggings'),
    );
  });

  it('lists and items', async () => {
    const list = (await osdi('POST', '/osdi/v1/lists', { name: 'Hosts', summary: 'Meeting hosts' })).json();
    conforms(list, listFixture, [...itemRequired, 'name', 'summary', 'total_items', '_links.osdi:items']);
    conforms(
      (await osdi('GET', '/osdi/v1/lists')).json(),
      collectionFixture('lists', listFixture),
      collectionRequired('lists'),
    );
    const person = (
      await osdi('POST', '/osdi/v1/people', { email_addresses: [{ address: 'lister@example.org' }] })
    ).json();
    const item = (
      await osdi('POST', path(list._links['osdi:items'].href), {
        item_type: 'osdi:person',
        _links: { 'osdi:person': { href: person._links.self.href } },
      })
    ).json();
    conforms(item, membershipFixture('list'), [
      ...itemRequired,
      'item_type',
      '_links.osdi:list',
      '_links.osdi:person',
    ]);
    conforms(
      (await osdi('GET', path(list._links['osdi:items'].href))).json(),
      collectionFixture('items', membershipFixture('list')),
      collectionRequired('items'),
    );
    conforms(
      (await osdi('GET', path(person._links['osdi:items'].href))).json(),
      collectionFixture('items', membershipFixture('list')),
      collectionRequired('items'),
    );
  });

  it('errors are problem documents that never carry driver text', async () => {
    const missing = await osdi('GET', '/osdi/v1/people/0190f5d6-0000-7000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({ status: 404 });
    const bad = await osdi('GET', '/osdi/v1/tags/not-a-uuid');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    expect(JSON.stringify(bad.json())).not.toMatch(/invalid input syntax|SELECT|stack/i);
  });
});
