/**
 * Ladder views on a synthetic organization (not yet part of `npm run bench`): N people in 100 local
 * units, two assessments and three activities each over the last year, one ladder of five levels.
 * Times the pipeline series, movements, stale people, new people and a rules run as an org admin
 * and as a local organizer (1% of the people).
 *
 *   npx tsx bench/ladder.ts [N]                          (PGlite, in memory)
 *   BENCH_DATABASE_URL=postgres://... npx tsx bench/ladder.ts [N]   (a fresh database is created)
 */
import { sql } from 'kysely';
import pg from 'pg';
import { loadAccess } from '../src/access/load.js';
import type { Ctx } from '../src/context.js';
import { openDatabase } from '../src/db/connect.js';
import { newId } from '../src/db/ids.js';
import { migrate } from '../src/db/migrate.js';
import { createLadder, ladderPeople, movements, newPeople, pipeline, runRules } from '../src/ladder/index.js';
import { silentLog } from '../src/log.js';
import { benchAuditLog, percentile } from './steps.js';

const N = Number(process.argv[2] ?? 50_000);
const url = process.env.BENCH_DATABASE_URL;
const dbName = `rhizome_ladder_bench_${process.pid}`;

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
    await db.insertInto('org').values({ id: orgId, slug: 'ladder-bench', name: 'Ladder bench' }).execute();
    await sql`INSERT INTO unit (org_id, id, path, name, kind)
      SELECT ${orgId}, uuid_v7(), ('r' || r)::ltree, 'Region ' || r, 'chapter' FROM generate_series(0, 9) r`.execute(
      db,
    );
    await sql`INSERT INTO unit (org_id, id, path, name, kind)
      SELECT ${orgId}, uuid_v7(), ('r' || r || '.l' || l)::ltree, 'Local ' || r || l, 'local'
      FROM generate_series(0, 9) r, generate_series(0, 9) l`.execute(db);
    const t0 = Date.now();
    await sql`INSERT INTO person (org_id, id, given_name, family_name, home_unit_id, home_unit_path, created_at)
      SELECT ${orgId}, uuid_v7(), 'P' || i, 'Bench', u.id, u.path, now() - make_interval(days => (i % 400))
      FROM generate_series(1, ${N}) i
      JOIN unit u ON u.org_id = ${orgId} AND u.path = ('r' || (i % 10) || '.l' || ((i / 10) % 10))::ltree`.execute(
      db,
    );
    const system: Ctx = {
      db,
      actor: { kind: 'system', orgId, label: 'bench' },
      now: () => new Date(),
      log: silentLog,
      audit: benchAuditLog(db),
    };
    const ladder = await createLadder(system, {
      name: 'Engagement',
      levels: ['Supporter', 'Volunteer', 'Active', 'Leader', 'Core'].map((name) => ({ name })),
    });
    await sql`INSERT INTO ladder_assessment (org_id, id, person_id, ladder_id, level_id, assessed_at, source)
      SELECT ${orgId}, uuid_v7(), p.id, ${ladder.id}, v.id, now() - make_interval(days => d.days), 'organizer'
      FROM person p
      CROSS JOIN LATERAL (SELECT k, (abs(hashtext(p.id::text || k)) % 365) AS days,
        1 + abs(hashtext(p.id::text || 'lv' || k)) % 5 AS pos FROM generate_series(1, 2) k) d
      JOIN ladder_level v ON v.ladder_id = ${ladder.id} AND v.position = d.pos
      WHERE p.org_id = ${orgId}`.execute(db);
    await sql`INSERT INTO activity (org_id, id, person_id, kind, occurred_at)
      SELECT ${orgId}, uuid_v7(), p.id, (ARRAY['meeting', 'call', 'door_knock', 'one_on_one'])[1 + abs(hashtext(p.id::text || k)) % 4],
        now() - make_interval(days => abs(hashtext(p.id::text || 'd' || k)) % 180)
      FROM person p CROSS JOIN generate_series(1, 3) k WHERE p.org_id = ${orgId}`.execute(db);
    await sql`ANALYZE`.execute(db);
    console.log(
      `${target.engine}: ${N} people, ${2 * N} assessments, ${3 * N} activities set up in ${Date.now() - t0} ms`,
    );

    const user = async (role: string, unit: string | null): Promise<Ctx> => {
      const id = newId();
      await db
        .insertInto('app_user')
        .values({
          org_id: orgId,
          id,
          email: `${role}-${id}@example.org`,
          display_name: role,
          password_hash: null,
          disabled_at: null,
        })
        .execute();
      await sql`INSERT INTO role_binding (org_id, id, user_id, role_id, unit_id)
        SELECT ${orgId}, uuid_v7(), ${id}, r.id, (SELECT u.id FROM unit u WHERE u.org_id = ${orgId} AND u.path::text = ${unit})
        FROM role r WHERE r.org_id = ${orgId} AND r.key = ${role}`.execute(db);
      return {
        ...system,
        actor: {
          kind: 'user',
          orgId,
          userId: id,
          via: 'token',
          access: await loadAccess(db, orgId, id, new Date()),
        },
      };
    };
    const personas = {
      'org admin': await user('org_admin', null),
      'local organizer': await user('local_organizer', 'r3.l4'),
    };
    const measures: [string, (ctx: Ctx) => Promise<unknown>][] = [
      ['pipeline monthly (7 points)', (ctx) => pipeline(ctx, ladder.id, { step: 'month' })],
      [
        'pipeline weekly (27 points)',
        (ctx) => pipeline(ctx, ladder.id, { step: 'week', from: new Date(Date.now() - 182 * 86_400_000) }),
      ],
      ['movements, last 30 days, page of 50', (ctx) => movements(ctx, ladder.id, { page: 1, per_page: 50 })],
      [
        'stale people, page of 50',
        (ctx) => ladderPeople(ctx, ladder.id, { stale: true, page: 1, per_page: 50 }),
      ],
      ['new people this month, page of 50', (ctx) => newPeople(ctx, { page: 1, per_page: 50 })],
    ];
    for (const [who, ctx] of process.env.BENCH_KEEP ? [] : Object.entries(personas)) {
      for (const [label, run] of measures) {
        await run(ctx);
        const times: number[] = [];
        for (let i = 0; i < 10; i++) {
          const s = performance.now();
          await run(ctx);
          times.push(performance.now() - s);
        }
        times.sort((x, y) => x - y);
        console.log(
          `${who}: ${label}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`,
        );
      }
    }
    await sql`INSERT INTO ladder_rule (org_id, id, ladder_id, level_id, name, activity_kinds, min_count, window_days)
      VALUES (${orgId}, ${newId()}, ${ladder.id}, ${ladder.levels[2]?.id}, 'two meetings', ARRAY['meeting', 'one_on_one'], 2, 90)`.execute(
      db,
    );
    for (const [who, ctx] of Object.entries(personas).reverse()) {
      const s = performance.now();
      const { created } = await runRules(ctx, ladder.id);
      console.log(`${who}: rules run: ${created} suggestions in ${(performance.now() - s).toFixed(0)} ms`);
    }
  } finally {
    await benchAuditLog(database.db).close();
    await database.close();
    if (url && !process.env.BENCH_KEEP) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.end();
    }
  }
}

await main();
