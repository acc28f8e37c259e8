import type { Kysely } from 'kysely';
import { z } from 'zod';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';

export const OrgInput = z.object({
  name: z.string().trim().min(1, 'give the organization a name').max(200),
  slug: z
    .string()
    .trim()
    .regex(
      /^[a-z0-9][a-z0-9-]{1,62}$/,
      'use 2-63 lower-case letters, digits and dashes, starting with a letter or digit',
    ),
});
export type OrgInput = z.input<typeof OrgInput>;

export interface Org {
  id: string;
  slug: string;
  name: string;
}

/** Creates an organization (a tenant). Its slug is how people and tools name it. */
export async function createOrg(db: Kysely<DB>, raw: OrgInput): Promise<Org> {
  const input = parseInput(OrgInput, raw);
  const existing = await db.selectFrom('org').select('id').where('slug', '=', input.slug).executeTakeFirst();
  if (existing) {
    throw new AppError('conflict', `slug: an organization with the slug "${input.slug}" already exists`, {
      fields: [{ field: 'slug', message: 'an organization with this slug already exists' }],
    });
  }
  const org = { id: newId(), slug: input.slug, name: input.name };
  await db.insertInto('org').values(org).execute();
  return org;
}

export async function findOrgBySlug(db: Kysely<DB>, slug: string): Promise<Org> {
  const org = await db
    .selectFrom('org')
    .select(['id', 'slug', 'name'])
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!org) throw notFound(`organization "${slug}"`);
  return org;
}

export async function countOrgs(db: Kysely<DB>): Promise<number> {
  const rows = await db.selectFrom('org').select('id').limit(1).execute();
  return rows.length;
}
