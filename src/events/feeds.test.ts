import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { icsEscape, icsFold } from './feeds.js';

/** RFC 5545 section 3.1: unfold (CRLF followed by one space or tab is removed). */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');
/** RFC 5545 section 3.3.11, read back. */
const icsUnescape = (value: string) =>
  value.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

/** The properties of each VEVENT, unfolded, by name (the first of each). */
function vevents(ics: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const line of unfold(ics).split('\r\n')) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      if (current) out.push(current);
      current = null;
    } else if (current) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).split(';')[0] as string;
      current[name] ??= line.slice(colon + 1);
    }
  }
  return out;
}

/** Well-formed XML for what we write: every element closed in order, attributes quoted, entities known. */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  for (const match of body.matchAll(
    /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos);)/g,
  )) {
    if (!match[2]) throw new Error(`a bare ${match[0]} at ${match.index}`);
    if (match[1]) {
      expect(stack.pop(), `closing ${match[2]}`).toBe(match[2]);
    } else if (!match[4]) stack.push(match[2]);
  }
  expect(stack).toEqual([]);
}

let t: TestApp;
let admin: TestUser;
let slug: string;
let unitId: string;

async function event(values: Record<string, unknown>) {
  const response = await t.call('POST', '/api/v1/events', {
    as: admin,
    body: {
      unit_id: unitId,
      title: 'An event',
      starts_at: new Date(Date.now() + 86_400_000).toISOString(),
      ends_at: new Date(Date.now() + 90_000_000).toISOString(),
      timezone: 'America/New_York',
      status: 'published',
      visibility: 'public',
      ...values,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db);
  slug = org.slug;
  unitId = newId();
  await t.db
    .insertInto('unit')
    .values({ org_id: org.id, id: unitId, path: 'nyc', name: 'NYC', kind: 'chapter' })
    .execute();
  admin = await makeUser(t.db, org.id, 'org_admin');
});
afterAll(async () => {
  await t.close();
});

describe('iCalendar (RFC 5545)', () => {
  it('folds at 75 octets without splitting a character, and unfolding gives the line back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const line = `DESCRIPTION:${icsEscape(text)}`;
        const folded = icsFold(line);
        for (const physical of folded.split('\r\n'))
          expect(Buffer.byteLength(physical)).toBeLessThanOrEqual(75);
        expect(unfold(folded)).toBe(line);
        expect(icsUnescape(unfold(folded).slice('DESCRIPTION:'.length))).toBe(text.replace(/\r\n|\r/g, '\n'));
      }),
    );
  });

  it('publishes an event with escaped text, UTC times, a place and its coordinates', async () => {
    const title = 'Rally; bring signs, friends \\ water';
    const description = `Line one\nLine two, with “quotes” and ünïcödé ${'é'.repeat(80)}`;
    const id = await event({
      title,
      description,
      location_name: 'Union Square',
      locality: 'New York',
      latitude: 40.7359,
      longitude: -73.9911,
    });
    const response = await t.call('GET', `/api/v1/public/events/${id}/event.ics`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/calendar/);
    const ics = response.body;
    // Every line ends with CRLF and holds at most 75 octets.
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const lines = unfold(ics).split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines.some((l) => l.startsWith('PRODID:'))).toBe(true);
    const [vevent] = vevents(ics);
    expect(vevent?.UID).toBe(`${id}@localhost:80`);
    expect(vevent?.DTSTAMP).toMatch(/^\d{8}T\d{6}Z$/);
    expect(vevent?.DTSTART).toMatch(/^\d{8}T\d{6}Z$/);
    expect(icsUnescape(vevent?.SUMMARY as string)).toBe(title);
    expect(icsUnescape(vevent?.DESCRIPTION as string)).toBe(description);
    expect(icsUnescape(vevent?.LOCATION as string)).toBe('Union Square, New York');
    expect(vevent?.GEO).toBe('40.7359;-73.9911');
  });

  it('lists the organization’s public events only, and 404s a unit event', async () => {
    const open = await event({ title: 'Open meeting' });
    const closed = await event({ title: 'Members only', visibility: 'unit' });
    const draft = await event({ title: 'Not yet', status: 'draft' });
    const ics = (await t.call('GET', `/api/v1/public/orgs/${slug}/events.ics`)).body;
    const uids = vevents(ics).map((v) => v.UID?.split('@')[0]);
    expect(uids).toContain(open);
    expect(uids).not.toContain(closed);
    expect(uids).not.toContain(draft);
    expect((await t.call('GET', `/api/v1/public/events/${closed}/event.ics`)).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/public/events/${closed}`)).statusCode).toBe(404);
    expect((await t.call('GET', '/api/v1/public/orgs/no-such-org/events.ics')).statusCode).toBe(404);
  });
});

describe('GeoJSON (RFC 7946) and GeoRSS in Atom (RFC 4287)', () => {
  it('places events at [longitude, latitude] and leaves unplaced ones without geometry', async () => {
    const placed = await event({ title: 'Placed', latitude: 40.7, longitude: -74.0 });
    const online = await event({ title: 'Online', virtual_url: 'https://meet.example.org/x' });
    const response = await t.call('GET', `/api/v1/public/orgs/${slug}/events.geojson`);
    expect(response.headers['content-type']).toMatch(/^application\/geo\+json/);
    const doc = response.json();
    expect(doc.type).toBe('FeatureCollection');
    expect(doc).not.toHaveProperty('crs');
    for (const f of doc.features) {
      expect(f.type).toBe('Feature');
      expect(f).toHaveProperty('properties');
      if (f.geometry !== null) {
        expect(f.geometry.type).toBe('Point');
        const [lon, lat] = f.geometry.coordinates;
        expect(lon).toBeGreaterThanOrEqual(-180);
        expect(lon).toBeLessThanOrEqual(180);
        expect(lat).toBeGreaterThanOrEqual(-90);
        expect(lat).toBeLessThanOrEqual(90);
      }
    }
    const byId = new Map(doc.features.map((f: { id: string }) => [f.id, f]));
    expect((byId.get(placed) as { geometry: unknown }).geometry).toEqual({
      type: 'Point',
      coordinates: [-74, 40.7],
    });
    expect((byId.get(online) as { geometry: unknown }).geometry).toBeNull();
  });

  it('writes a well-formed feed with the required elements and lat-lon points', async () => {
    const placed = await event({ title: 'Tom & Jerry <live>', latitude: 40.7, longitude: -74.0 });
    const response = await t.call('GET', `/api/v1/public/orgs/${slug}/events.atom`);
    expect(response.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const xml = response.body;
    assertWellFormed(xml);
    expect(xml).toMatch(
      /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom" xmlns:georss="http:\/\/www\.georss\.org\/georss">/,
    );
    const head = xml.slice(0, xml.indexOf('<entry>'));
    for (const element of ['id', 'title', 'updated', 'author']) expect(head).toContain(`<${element}>`);
    expect(head).toMatch(
      /<link rel="self"[^>]*href="http:\/\/localhost:80\/api\/v1\/public\/orgs\/[^"]+\/events\.atom"/,
    );
    const entries = xml.split('<entry>').slice(1);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(entry).toMatch(/<id>urn:uuid:[0-9a-f-]{36}<\/id>/);
      expect(entry).toMatch(/<title>[^<]+<\/title>/);
      expect(entry).toMatch(/<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z<\/updated>/);
      // No content element: an alternate link is required.
      if (!entry.includes('<content')) expect(entry).toMatch(/<link rel="alternate"/);
    }
    const mine = entries.find((e) => e.includes(`urn:uuid:${placed}`)) as string;
    expect(mine).toContain('<title>Tom &amp; Jerry &lt;live&gt;</title>');
    expect(mine).toContain('<georss:point>40.7 -74</georss:point>');
  });
});
