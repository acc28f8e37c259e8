/**
 * Event search (`npm run bench`, part "events"): a campaign with 100,000 events placed at US ZIP
 * code centroids (so as dense as the ZIP codes are) with up to ~5 km of jitter, 95% of them
 * published and public; then the public search, ZIP + 50 km radius, for many ZIP codes drawn at
 * random: `searchCampaignEvents` (a bounding box on the position index, then the exact distance),
 * against a naive full scan that computes the distance for every event of the campaign, in the same
 * run on the same data. Both must return the same events.
 */
import { type Kysely, sql } from 'kysely';
import zipcodes from 'zipcodes';
import { newId, newIds } from '../src/db/ids.js';
import type { DB } from '../src/db/schema.js';
import { searchCampaignEvents, zipCentroid } from '../src/events/index.js';
import type { EngineName, Result } from './report.js';
import { freshOrg, percentile } from './steps.js';

export interface EventSearchOptions {
  events: number;
  queries: number;
  baselineQueries: number;
}

const RADIUS_KM = 50;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a naive search does: the distance of every event of the campaign, then the radius. */
async function naiveSearch(db: Kysely<DB>, campaignId: string, zip: string): Promise<string[]> {
  const c = zipCentroid(zip) as { latitude: number; longitude: number };
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM (
      SELECT e.id, 6371.0088 * 2 * asin(sqrt(
          power(sin(radians(e.latitude - ${c.latitude}) / 2), 2)
          + cos(radians(${c.latitude})) * cos(radians(e.latitude))
            * power(sin(radians(e.longitude - ${c.longitude}) / 2), 2))) AS distance_km
      FROM event e
      WHERE e.campaign_id = ${campaignId} AND e.visibility = 'public' AND e.status = 'published'
        AND e.latitude IS NOT NULL) d
    WHERE distance_km <= ${RADIUS_KM}
    ORDER BY distance_km, id
    LIMIT 100`.execute(db);
  return rows.map((r) => r.id);
}

async function timeAll(zips: string[], run: (zip: string) => Promise<unknown>) {
  for (const zip of zips.slice(0, 10)) await run(zip);
  const times: number[] = [];
  for (const zip of zips) {
    const t0 = performance.now();
    await run(zip);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

export async function benchEventSearch(
  db: Kysely<DB>,
  engine: EngineName,
  options: EventSearchOptions,
  add: (r: Omit<Result, 'baseline' | 'ratio'> & Partial<Pick<Result, 'baseline' | 'ratio'>>) => void,
  log: (m: string) => void,
  notes: string[],
): Promise<void> {
  const orgId = await freshOrg(db, 'bench-events');
  const unitId = newId();
  await db
    .insertInto('unit')
    .values({ org_id: orgId, id: unitId, path: 'us', name: 'US', kind: 'organization' })
    .execute();
  const campaignId = newId();
  await db
    .insertInto('campaign')
    .values({
      org_id: orgId,
      id: campaignId,
      unit_id: unitId,
      title: 'Bench day of action',
      starts_on: '2030-04-22',
      ends_on: '2030-04-22',
      trusted_host_emails: [],
      created_by: null,
    })
    .execute();
  const us = Object.values(zipcodes.codes).filter((z) => z.country === 'US' && /^\d{5}$/.test(z.zip));
  const random = rng(4242);
  const t0 = performance.now();
  const chunk = 5_000;
  for (let done = 0; done < options.events; done += chunk) {
    const n = Math.min(chunk, options.events - done);
    const ids = newIds(n);
    const lat: number[] = [];
    const lon: number[] = [];
    const zip: string[] = [];
    const status: string[] = [];
    for (let i = 0; i < n; i++) {
      const z = us[Math.floor(random() * us.length)] as (typeof us)[number];
      lat.push(Math.max(-90, Math.min(90, z.latitude + (random() - 0.5) * 0.09)));
      lon.push(Math.max(-180, Math.min(180, z.longitude + (random() - 0.5) * 0.09)));
      zip.push(z.zip);
      const r = random();
      status.push(r < 0.95 ? 'published' : r < 0.98 ? 'pending_approval' : 'cancelled');
    }
    await sql`INSERT INTO event (org_id, id, unit_id, campaign_id, title, starts_at, ends_at, timezone,
        postal_code, country, latitude, longitude, visibility, status)
      SELECT ${orgId}, t.id, ${unitId}, ${campaignId}, 'Event ' || t.zip, '2030-04-22T16:00:00Z', '2030-04-22T18:00:00Z',
        'America/New_York', t.zip, 'US', t.lat, t.lon, 'public', t.status
      FROM unnest(${ids}::uuid[], ${zip}::text[], ${lat}::float8[], ${lon}::float8[], ${status}::text[])
        AS t(id, zip, lat, lon, status)`.execute(db);
  }
  await sql`ANALYZE event`.execute(db);
  log(
    `${engine}: ${options.events.toLocaleString('en-US')} events placed in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const zips = Array.from(
    { length: options.queries },
    () => (us[Math.floor(random() * us.length)] as (typeof us)[number]).zip,
  );
  // Same answers first: the indexed search finds what the full scan finds.
  let mismatches = 0;
  let found = 0;
  for (const zip of zips.slice(0, Math.min(20, zips.length))) {
    const fast = (await searchCampaignEvents({ db }, campaignId, zip, RADIUS_KM)).events.map((e) => e.id);
    const slow = await naiveSearch(db, campaignId, zip);
    found += fast.length;
    if (fast.join() !== slow.join()) mismatches++;
  }
  const rhizome = await timeAll(zips, (zip) => searchCampaignEvents({ db }, campaignId, zip, RADIUS_KM));
  const naive = await timeAll(zips.slice(0, options.baselineQueries), (zip) =>
    naiveSearch(db, campaignId, zip),
  );
  const label = `event search zip+${RADIUS_KM}km over ${Math.round(options.events / 1000)}k events`;
  add({ name: `${label} p50`, engine, value: rhizome.p50, unit: 'ms' });
  add({ name: `${label} p95`, engine, value: rhizome.p95, unit: 'ms' });
  add({ name: `${label} p95, naive full-scan baseline`, engine, value: naive.p95, unit: 'ms' });
  add({
    name: `${label} p95 vs naive`,
    engine,
    value: rhizome.p95,
    unit: 'ms',
    baseline: naive.p95,
    ratio: naive.p95 / rhizome.p95,
  });
  notes.push(
    `${engine}: event search over ${options.events.toLocaleString('en-US')} events: ${zips.length} ZIP codes ` +
      `(naive baseline on the first ${Math.min(options.baselineQueries, zips.length)}, p50 ${naive.p50.toFixed(1)} ms); ` +
      `the first ${Math.min(20, zips.length)} searches found ${found} events in all and ` +
      `${mismatches === 0 ? 'matched the full scan exactly' : `differed from the full scan ${mismatches} times`}.`,
  );
  log(notes[notes.length - 1] as string);
}
