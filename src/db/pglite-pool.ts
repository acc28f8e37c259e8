import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Presents one PGlite instance as a pg-style pool of exactly one connection, so that Kysely's own
 * PostgresDialect drives it. PGlite is a single session: two transactions must never interleave on
 * it, so `connect()` hands the session to one caller at a time and queues the rest until release.
 */
export function pglitePool(pg: PGlite): PostgresPool {
  let busy: Promise<void> = Promise.resolve();
  return {
    async connect(): Promise<PostgresPoolClient> {
      let release!: () => void;
      const previous = busy;
      busy = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
      let released = false;
      const client = {
        async query<R>(sqlText: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
          const result = await pg.query<R>(sqlText, [...parameters]);
          const command = sqlText.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '';
          return {
            command: command as PostgresQueryResult<R>['command'],
            rowCount: result.affectedRows ?? result.rows.length,
            rows: result.rows,
          };
        },
        release() {
          if (!released) {
            released = true;
            release();
          }
        },
      };
      return client as PostgresPoolClient;
    },
    async end() {
      await busy;
    },
  };
}
