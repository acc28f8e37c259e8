import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngine } from '../../test/support/db.js';
import { silentLog } from '../log.js';
import type { Database } from './connect.js';
import { maintainTables, startEmbeddedMaintenance } from './maintenance.js';

describe('embedded database maintenance (autovacuum rules)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    // Autovacuum off for this table, so a PostgreSQL server cannot do the work first.
    await sql`CREATE TABLE maintenance_probe (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = false)`.execute(
      database.db,
    );
    await sql`ANALYZE maintenance_probe`.execute(database.db);
  });
  afterAll(async () => {
    await database.close();
  });

  const stats = async () => {
    const { rows } = await sql<{ reltuples: number; relallvisible: number }>`
      SELECT reltuples::float8 AS reltuples, relallvisible FROM pg_class WHERE relname = 'maintenance_probe'`.execute(
      database.db,
    );
    return rows[0] as { reltuples: number; relallvisible: number };
  };

  it('analyzes and vacuums a table that grew from empty, and leaves it alone once fresh', async () => {
    expect((await stats()).reltuples).toBe(0);
    await sql`INSERT INTO maintenance_probe SELECT g, 'x' FROM generate_series(1, 3000) g`.execute(
      database.db,
    );

    const first = await maintainTables(database);
    expect(first.analyzed).toContain('maintenance_probe');
    expect(first.vacuumed).toContain('maintenance_probe');
    const after = await stats();
    expect(after.reltuples).toBe(3000);
    expect(after.relallvisible).toBeGreaterThan(0);

    const second = await maintainTables(database);
    expect(second.analyzed).not.toContain('maintenance_probe');
    expect(second.vacuumed).not.toContain('maintenance_probe');
  });

  it('vacuums when more than 50 rows + 20% are dead, and analyzes after 50 + 10% changed', async () => {
    await sql`DELETE FROM maintenance_probe WHERE id <= 700`.execute(database.db);
    const run = await maintainTables(database);
    expect(run.vacuumed).toContain('maintenance_probe');
    expect(run.analyzed).toContain('maintenance_probe');
    expect((await stats()).reltuples).toBe(2300);

    // 200 changes in 2,300 rows: under 50 + 10%, nothing to do.
    await sql`UPDATE maintenance_probe SET v = 'y' WHERE id <= 900`.execute(database.db);
    const quiet = await maintainTables(database);
    expect(quiet.analyzed).not.toContain('maintenance_probe');
  });

  it('runs on a timer on PGlite only (PostgreSQL has its own autovacuum)', async () => {
    await sql`INSERT INTO maintenance_probe SELECT g, 'x' FROM generate_series(5001, 8000) g`.execute(
      database.db,
    );
    const maintenance = startEmbeddedMaintenance(database, silentLog, 20);
    try {
      if (testEngine === 'pglite') {
        // The first tick comes after 20 ms; a loaded machine may take a while over every table.
        for (let i = 0; i < 200 && (await stats()).reltuples !== 5300; i++)
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect((await stats()).reltuples).toBe(5300);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect((await stats()).reltuples).toBe(2300);
      }
      // runNow works on both engines.
      await maintenance.runNow();
      expect((await stats()).reltuples).toBe(5300);
    } finally {
      await maintenance.stop();
    }
  });
});
