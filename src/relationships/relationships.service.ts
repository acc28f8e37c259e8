import { sql } from 'kysely';
import { type PeopleScope, peopleScope } from '../access/scope.js';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, invalid, notFound } from '../errors.js';
import { assertLivePerson } from '../notes/index.js';
import { accessOf } from '../policy/index.js';
import type { RelationshipInput, RelationshipView } from './relationships.schemas.js';

interface Row {
  id: string;
  person_id: string;
  related_person_id: string;
  kind: RelationshipView['kind'];
  custom_label: string | null;
  created_at: Date;
  other_id: string;
  given_name: string | null;
  family_name: string | null;
}

function view(row: Row, personId: string): RelationshipView {
  return {
    id: row.id,
    person_id: row.person_id,
    related_person_id: row.related_person_id,
    kind: row.kind,
    custom_label: row.custom_label,
    direction: row.person_id === personId ? 'outgoing' : 'incoming',
    other: { id: row.other_id, given_name: row.given_name, family_name: row.family_name },
    created_at: row.created_at,
  };
}

/** Relationships of one person with someone the actor may also see (`p` is the other person). */
function select(ctx: Ctx, personId: string, scope: PeopleScope) {
  const query = ctx.db
    .selectFrom('relationship as r')
    .innerJoin('person as p', (join) =>
      join.on(
        sql<boolean>`p.id = CASE WHEN r.person_id = ${personId} THEN r.related_person_id ELSE r.person_id END`,
      ),
    )
    .where('r.org_id', '=', ctx.actor.orgId)
    .where('p.merged_into', 'is', null)
    .where((eb) => eb.or([eb('r.person_id', '=', personId), eb('r.related_person_id', '=', personId)]));
  return scope ? query.where(scope) : query;
}

/** A person's relationships in both directions, oldest first. */
export async function listRelationships(
  ctx: Ctx,
  personId: string,
  paging: { page: number; perPage: number },
): Promise<{ items: RelationshipView[]; total: number; page: number; per_page: number }> {
  await assertLivePerson(ctx, personId, 'people.read');
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read');
  const [rows, total] = await Promise.all([
    select(ctx, personId, scope)
      .select([
        'r.id',
        'r.person_id',
        'r.related_person_id',
        'r.kind',
        'r.custom_label',
        'r.created_at',
        'p.id as other_id',
        'p.given_name',
        'p.family_name',
      ])
      .orderBy('r.created_at')
      .orderBy('r.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    select(ctx, personId, scope)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => view(r, personId)),
    total: Number(total.n),
    page: paging.page,
    per_page: paging.perPage,
  };
}

/** Relates two people of this organization. The same relationship twice is a conflict. */
export async function addRelationship(
  ctx: Ctx,
  personId: string,
  input: RelationshipInput,
): Promise<RelationshipView> {
  const orgId = ctx.actor.orgId;
  await assertLivePerson(ctx, personId, 'people.write');
  if (input.related_person_id === personId)
    throw invalid('related_person_id', 'a person cannot be related to themselves');
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read');
  let otherQuery = ctx.db
    .selectFrom('person as p')
    .select(['p.id', 'p.given_name', 'p.family_name'])
    .where('p.org_id', '=', orgId)
    .where('p.id', '=', input.related_person_id)
    .where('p.merged_into', 'is', null);
  if (scope) otherQuery = otherQuery.where(scope);
  const other = await otherQuery.executeTakeFirst();
  if (!other) throw invalid('related_person_id', 'no person with this id in this organization');
  const label = input.custom_label ?? null;
  // The unique key treats NULL labels as distinct, so sameness is checked here.
  const existing = await ctx.db
    .selectFrom('relationship')
    .select('id')
    .where('org_id', '=', orgId)
    .where('person_id', '=', personId)
    .where('related_person_id', '=', input.related_person_id)
    .where('kind', '=', input.kind)
    .where((eb) => (label === null ? eb('custom_label', 'is', null) : eb('custom_label', '=', label)))
    .executeTakeFirst();
  if (existing)
    throw new AppError('conflict', 'this relationship already exists', {
      fields: [{ field: 'kind', message: 'this relationship already exists' }],
    });
  const row = await ctx.db
    .insertInto('relationship')
    .values({
      org_id: orgId,
      id: newId(),
      person_id: personId,
      related_person_id: input.related_person_id,
      kind: input.kind,
      custom_label: label,
    })
    .returning(['id', 'person_id', 'related_person_id', 'kind', 'custom_label', 'created_at'])
    .executeTakeFirstOrThrow();
  return view(
    { ...row, other_id: other.id, given_name: other.given_name, family_name: other.family_name },
    personId,
  );
}

/** Removes a relationship the person takes part in (either direction). */
export async function deleteRelationship(ctx: Ctx, personId: string, relationshipId: string): Promise<void> {
  await assertLivePerson(ctx, personId, 'people.write');
  const result = await ctx.db
    .deleteFrom('relationship')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', relationshipId)
    .where((eb) => eb.or([eb('person_id', '=', personId), eb('related_person_id', '=', personId)]))
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('relationship');
}
