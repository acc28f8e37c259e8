import { type Insertable, type Kysely, sql } from 'kysely';
import { newId, newIds } from '../../src/db/ids.js';
import type { DB, PersonTable, UnitKind } from '../../src/db/schema.js';
import { makeOrg, makeUser } from './fixtures.js';

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

/** People inserted directly, in one statement; returns their ids in the same order. */
export async function insertPeople(
  db: Kysely<DB>,
  orgId: string,
  people: Omit<Insertable<PersonTable>, 'org_id' | 'id'>[],
): Promise<string[]> {
  const ids = newIds(people.length);
  await db
    .insertInto('person')
    .values(people.map((p, i) => ({ ...p, org_id: orgId, id: ids[i] as string })))
    .execute();
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

/**
 * An organization with a chapter (east), a local under it (east.oakland) and another chapter
 * (fresno); users bound over each; another organization's admin; and people homed in Oakland or
 * Fresno on demand.
 */
export async function chapterOrg(db: Kysely<DB>) {
  const orgId = (await makeOrg(db)).id;
  const units = await insertUnits(db, orgId, [
    ['east', 'chapter'],
    ['east.oakland', 'local'],
    ['fresno', 'chapter'],
  ]);
  return {
    orgId,
    units,
    admin: await makeUser(db, orgId, 'org_admin'),
    chapterAdmin: await makeUser(db, orgId, 'org_admin', 'east'),
    organizer: await makeUser(db, orgId, 'local_organizer', 'east.oakland'),
    fresnoOrganizer: await makeUser(db, orgId, 'local_organizer', 'fresno'),
    analyst: await makeUser(db, orgId, 'analyst'),
    volunteer: await makeUser(db, orgId, 'volunteer'),
    outsider: await makeUser(db, (await makeOrg(db)).id, 'org_admin'),
    oakland: async (given_name = 'Oak') =>
      await insertPersonIn(db, orgId, units['east.oakland'] as string, 'east.oakland', { given_name }),
    fresno: async (given_name = 'Fre') =>
      await insertPersonIn(db, orgId, units.fresno as string, 'fresno', { given_name }),
  };
}
