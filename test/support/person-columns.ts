import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/db/schema.js';

/**
 * Every column of every table that points at a person, read from the catalog: a foreign key to
 * `person(id)` (alone or as part of `(org_id, x) → person(org_id, id)`), or a name that says so
 * (`person_id`, `*_person_id`) even without a key. Sorted "table.column".
 */
export async function personColumns(db: Kysely<DB>): Promise<{ table: string; column: string }[]> {
  const { rows } = await sql<{ table: string; column: string }>`
    SELECT rel.relname::text AS "table", a.attname::text AS "column"
    FROM pg_constraint c
    JOIN pg_class rel ON rel.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = rel.relnamespace AND n.nspname = 'public'
    JOIN pg_class target ON target.oid = c.confrelid AND target.relname = 'person'
    CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
    JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[k.ord]
    WHERE c.contype = 'f' AND r.attname = 'id'
    UNION
    SELECT col.table_name::text, col.column_name::text
    FROM information_schema.columns col
    JOIN information_schema.tables t
      ON t.table_schema = col.table_schema AND t.table_name = col.table_name AND t.table_type = 'BASE TABLE'
    WHERE col.table_schema = 'public'
      AND (col.column_name = 'person_id' OR col.column_name LIKE '%\\_person\\_id' ESCAPE '\\')
    ORDER BY 1, 2`.execute(db);
  return rows;
}
