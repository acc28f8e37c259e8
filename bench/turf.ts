/**
 * Turf on a synthetic organization (not part of `npm run bench`): N people with one address each,
 * spread uniformly over a 1° square around Oakland; 5% have no coordinates, only a Bay Area ZIP
 * code (placed by its centroid). Times who is inside a small concave turf and a large one (the
 * bounding-box prefilter in SQL, the exact ray-casting test in TypeScript), a ZIP-code turf, and
 * cutting a walk list, as an organization-wide admin.
 *
 *   npx tsx bench/turf.ts [N]                                 (PGlite, in memory)
 *   BENCH_DATABASE_URL=postgres://... npx tsx bench/turf.ts [N]   (a fresh database is created)
 */
import { sql } from 'kysely';
import pg from 'pg';
import { loadAccess } from '../src/access/load.js';
import type { Ctx } from '../src/context.js';
import { openDatabase } from '../src/db/connect.js';
import { newId } from '../src/db/ids.js';
import { migrate } from '../src/db/migrate.js';
import { silentLog } from '../src/log.js';
import { createTurf, createWalkList, turfPeople } from '../src/turf/index.js';
import { benchAuditLog, percentile } from './steps.js';

const N = Number(process.argv[2] ?? 100_000);
const url = process.env.BENCH_DATABASE_URL;
const dbName = `rhizome_turf_bench_${process.pid}`;

/** A square of side `size` degrees at (lon, lat) with a notch cut from its top and a hole. */
function notched(lon: number, lat: number, size: number) {
  const s = size;
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [lon, lat],
        [lon + s, lat],
        [lon + s, lat + s],
        [lon + (2 * s) / 3, lat + s],
        [lon + (2 * s) / 3, lat + s / 3],
        [lon + s / 3, lat + s / 3],
        [lon + s / 3, lat + s],
        [lon, lat + s],
        [lon, lat],
      ] as [number, number][],
      [
        [lon + s / 10, lat + s / 10],
        [lon + s / 5, lat + s / 10],
        [lon + s / 5, lat + s / 5],
        [lon + s / 10, lat + s / 5],
        [lon + s / 10, lat + s / 10],
      ] as [number, number][],
    ],
  };
}

async function time(label: string, runs: number, run: () => Promise<string>): Promise<void> {
  let note = await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    note = await run();
    times.push(performance.now() - s);
  }
  times.sort((x, y) => x - y);
  console.log(
    `${label}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (${note})`,
  );
}

async function main(): Promise<void> {
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
  }
  const target = url
    ? { engine: 'postgres' as const, url: url.replace(/\/[^/]*$/, `/${dbName}`) }
    : { engine: 'pglite' as const, dataDir: null };
  const database = await openDatabase(target);
  try {
    await migrate(database);
    const db = database.db;
    const orgId = newId();
    await db.insertInto('org').values({ id: orgId, slug: 'turf-bench', name: 'Turf bench' }).execute();
    const unitId = newId();
    await db
      .insertInto('unit')
      .values({ org_id: orgId, id: unitId, path: 'bay', name: 'Bay', kind: 'chapter' })
      .execute();
    const t0 = Date.now();
    await sql`INSERT INTO person (org_id, id, given_name, family_name, home_unit_id, home_unit_path)
      SELECT ${orgId}, uuid_v7(), 'P' || i, 'Bench', ${unitId}, 'bay'::ltree FROM generate_series(1, ${N}) i`.execute(
      db,
    );
    // Two people per address on average: households.
    await sql`INSERT INTO person_address (org_id, id, person_id, address_lines, locality, postal_code,
        latitude, longitude, address_key, is_primary, source_kind)
      SELECT ${orgId}, uuid_v7(), p.id, ARRAY[(h % 400 + 1) || ' Street ' || (h / 400)], 'Oakland',
        (ARRAY['94601', '94602', '94606', '94610', '94612', '94619'])[1 + h % 6],
        CASE WHEN h % 20 = 0 THEN NULL ELSE 37.3 + (abs(hashtext('y' || h)) % 100000) / 100000.0 END,
        CASE WHEN h % 20 = 0 THEN NULL ELSE -122.8 + (abs(hashtext('x' || h)) % 100000) / 100000.0 END,
        'a' || h, true, 'import'
      FROM (SELECT id, row_number() OVER (ORDER BY id) / 2 AS h FROM person WHERE org_id = ${orgId}) p`.execute(
      db,
    );
    await sql`ANALYZE`.execute(db);
    console.log(`${target.engine}: ${N} people with addresses set up in ${Date.now() - t0} ms`);
    const userId = newId();
    await db
      .insertInto('app_user')
      .values({
        org_id: orgId,
        id: userId,
        email: `admin-${userId}@example.org`,
        display_name: 'admin',
        password_hash: null,
        disabled_at: null,
      })
      .execute();
    await sql`INSERT INTO role_binding (org_id, id, user_id, role_id, unit_id)
      SELECT ${orgId}, uuid_v7(), ${userId}, r.id, NULL FROM role r WHERE r.org_id = ${orgId} AND r.key = 'org_admin'`.execute(
      db,
    );
    const ctx: Ctx = {
      db,
      actor: {
        kind: 'user',
        orgId,
        userId,
        via: 'token',
        access: await loadAccess(db, orgId, userId, new Date()),
      },
      now: () => new Date(),
      log: silentLog,
      audit: benchAuditLog(db),
    };
    const small = await createTurf(ctx, {
      name: 'Small',
      unit_id: unitId,
      geometry: notched(-122.3, 37.75, 0.05),
    });
    const large = await createTurf(ctx, {
      name: 'Large',
      unit_id: unitId,
      geometry: notched(-122.5, 37.5, 0.4),
    });
    const zips = await createTurf(ctx, { name: 'ZIP', unit_id: unitId, zip_codes: ['94610'] });
    for (const [label, turf] of [
      ['small concave turf (0.05°)', small],
      ['large concave turf (0.4°)', large],
      ['ZIP-code turf (1 of 6 codes)', zips],
    ] as const)
      await time(`people in ${label}`, 10, async () => {
        const got = await turfPeople(ctx, turf.id);
        return `${got.total} people, ${got.by_zip_centroid} by ZIP centroid, ${got.households} households`;
      });
    await time('cut a walk list of the small turf', 5, async () => {
      const walk = await createWalkList(ctx, { name: 'Walk', turf_id: small.id });
      return `${walk.progress.doors} doors, ${walk.progress.people} people`;
    });
  } finally {
    await benchAuditLog(database.db).close();
    await database.close();
    if (url) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.end();
    }
  }
}

await main();
