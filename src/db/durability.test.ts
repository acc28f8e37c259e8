import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/support/db.js';
import { openDatabase } from './connect.js';

// docs/adr/0004-pglite-durability.md: what the embedded database keeps when its process dies.
describe.runIf(testEngine === 'pglite')('the embedded database after its process is killed', () => {
  it('keeps every transaction that committed before a SIGKILL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rhizome-durability-'));
    try {
      const dataDir = path.join(dir, 'data');
      const child = spawn(process.execPath, ['bin/run-ts.js', 'test/support/durability-child.ts', dataDir], {
        stdio: 'pipe',
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      // Generous: on a loaded two-core machine the child can take a minute to open and migrate.
      for (let i = 0; i < 1200 && !out.includes('committed 5'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('committed 5');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const database = await openDatabase({ engine: 'pglite', dataDir });
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM durability_probe`.execute(
        database.db,
      );
      await database.close();
      expect(rows[0]?.n).toBe(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('runs with fsync off, whatever it is told (so a power loss is not covered)', async () => {
    const database = await openDatabase({ engine: 'pglite', dataDir: null });
    const { rows } = await sql<{ fsync: string }>`SELECT current_setting('fsync') AS fsync`.execute(
      database.db,
    );
    await database.close();
    // If a PGlite release turns fsync on, this fails: update ADR 0004 and the README.
    expect(rows[0]?.fsync).toBe('off');
  });
});
