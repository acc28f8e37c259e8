import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { notFound } from '../errors.js';

/** 404 unless the person exists in this organization and was not merged away. */
export async function assertLivePerson(db: Kysely<DB>, orgId: string, personId: string): Promise<void> {
  const person = await db
    .selectFrom('person')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', personId)
    .where('merged_into', 'is', null)
    .executeTakeFirst();
  if (!person) throw notFound('person');
}
