/**
 * The access-scoped search benchmark alone, over a database that already holds a benchmark's
 * people (for trying a change to an index or a query shape without importing 1M people again):
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/some_copy npx tsx bench/scoped-db.ts [queries]
 *
 * It uses the organization with the most people and its unit tree, adds the four personas (users,
 * bindings, the host's list) and prints the `scoped ...` figures. It changes the database (the
 * personas stay): run it on a copy. `npm run bench` remains the source of the published figures.
 */
import { sql } from 'kysely';
import { openDatabase } from '../src/db/connect.js';
import { runScoped } from './scoped.js';

const url = process.env.BENCH_DATABASE_URL;
if (!url) {
  console.error('set BENCH_DATABASE_URL to a PostgreSQL database holding benchmark people');
  process.exit(2);
}
const queries = Number.parseInt(process.argv[2] ?? '100', 10);
const database = await openDatabase({ engine: 'postgres', url }, { poolSize: 10 });
try {
  const org = (
    await sql<{ id: string; n: number }>`
      SELECT org_id AS id, count(*)::int AS n FROM person GROUP BY org_id ORDER BY 2 DESC LIMIT 1`.execute(
      database.db,
    )
  ).rows[0];
  if (!org) throw new Error('no people in this database');
  const units = (
    await sql<{
      path: string;
    }>`SELECT path::text AS path FROM unit WHERE org_id = ${org.id} ORDER BY path`.execute(database.db)
  ).rows.map((r) => r.path);
  console.log(`organization ${org.id}: ${org.n} people, ${units.length} units, ${queries} queries per role`);
  await runScoped(
    database.db,
    org.id,
    units,
    queries,
    (r) => {
      const ratio = r.ratio === null ? '' : `  (${r.ratio.toFixed(1)}x baseline ${r.baseline?.toFixed(1)})`;
      console.log(`${r.name.padEnd(62)} ${r.value.toFixed(2).padStart(12)} ${r.unit}${ratio}`);
    },
    (m) => console.log(m),
  );
} finally {
  await database.close();
}
