import type { Kysely } from 'kysely';
import { newId } from '../../src/db/ids.js';
import type { DB } from '../../src/db/schema.js';

/**
 * A person inserted directly (no matching engine), with an optional primary email: for tests of
 * the things that hang off people.
 */
export async function insertPerson(
  db: Kysely<DB>,
  orgId: string,
  values: { given_name?: string; family_name?: string; birthdate?: string; email?: string } = {},
): Promise<string> {
  const id = newId();
  await db
    .insertInto('person')
    .values({
      org_id: orgId,
      id,
      given_name: values.given_name ?? 'Test',
      family_name: values.family_name ?? 'Person',
      birthdate: values.birthdate ?? null,
    })
    .execute();
  if (values.email) {
    await db
      .insertInto('person_email')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: id,
        address: values.email,
        is_primary: true,
        source_kind: 'import',
      })
      .execute();
  }
  return id;
}
