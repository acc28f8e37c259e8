import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';

/**
 * Runs once per `vitest run`: migrates a template database, so that each test file starts from a
 * fresh copy in milliseconds (PostgreSQL: CREATE DATABASE ... TEMPLATE; PGlite: a data-dir dump).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.RHIZOME_TEST_DATABASE_URL;
  if (url) {
    const template = `rhizome_test_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
    const templateUrl = withDatabase(url, template);
    const database = await openDatabase({ engine: 'postgres', url: templateUrl });
    await migrate(database);
    await database.close();
    project.provide('pgTemplate', template);
    return async () => {
      const left = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'rhizome_test_${process.pid}_%'`,
      );
      for (const row of left.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'rhizome-test-'));
  const database = await openDatabase({ engine: 'pglite', dataDir: null });
  await migrate(database);
  const dump = await database.pglite!.dumpDataDir('none');
  const file = path.join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('pgliteTemplate', file);
  return async () => {
    rmSync(dir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
    pgliteTemplate: string;
  }
}
