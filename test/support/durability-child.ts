// A process that commits rows one transaction at a time, says so after each, then waits to be killed.
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';

const database = await openDatabase({ engine: 'pglite', dataDir: process.argv[2] as string });
await migrate(database);
await sql`CREATE TABLE IF NOT EXISTS durability_probe (n int)`.execute(database.db);
for (let i = 1; i <= 5; i++) {
  await database.db.transaction().execute(async (trx) => {
    await sql`INSERT INTO durability_probe VALUES (${i})`.execute(trx);
  });
  process.stdout.write(`committed ${i}\n`);
}
setInterval(() => {}, 1000);
