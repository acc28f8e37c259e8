import { type Kysely, sql } from 'kysely';
import { newId } from '../../src/db/ids.js';
import type { DB, UnitKind } from '../../src/db/schema.js';

/** Units by path (parents first), inserted directly; returns their ids by path. */
export async function insertUnits(
  db: Kysely<DB>,
  orgId: string,
  units: [path: string, kind: UnitKind][],
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [path, kind] of units) {
    ids[path] = newId();
    await db
      .insertInto('unit')
      .values({ org_id: orgId, id: ids[path] as string, path, name: path, kind })
      .execute();
  }
  return ids;
}

/** A person homed in a unit (by path), inserted directly. */
export async function insertPersonIn(
  db: Kysely<DB>,
  orgId: string,
  unitId: string,
  path: string,
  values: { given_name?: string; family_name?: string; created_at?: Date } = {},
): Promise<string> {
  const id = newId();
  await db
    .insertInto('person')
    .values({
      org_id: orgId,
      id,
      given_name: values.given_name ?? 'Test',
      family_name: values.family_name ?? 'Person',
      home_unit_id: unitId,
      home_unit_path: sql`${path}::ltree`,
      ...(values.created_at ? { created_at: values.created_at } : {}),
    } as never)
    .execute();
  return id;
}
