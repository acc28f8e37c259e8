import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connect.js';
import { COMMAND_SHARED_BUFFERS, openForCommand } from './shared.js';

describe('the embedded database in a command', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('runs with the small buffer cache that keeps an import under its memory budget', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rhizome-command-'));
    dirs.push(dir);
    const { database, close } = await openForCommand({ dataDir: dir }, 'test');
    try {
      const { rows } = await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(database.db);
      expect(rows[0]?.shared_buffers).toBe(COMMAND_SHARED_BUFFERS);
    } finally {
      await close();
    }
    // The same directory opened as the server opens it keeps PGlite's default.
    const server = await openDatabase({ engine: 'pglite', dataDir: dir });
    try {
      const { rows } = await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(server.db);
      expect(rows[0]?.shared_buffers).toBe('128MB');
    } finally {
      await server.close();
    }
    // Two embedded databases opened from scratch (initdb, migrations): minutes on a loaded machine.
  }, 240_000);
});
