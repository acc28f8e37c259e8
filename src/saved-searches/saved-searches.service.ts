import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, notFound } from '../errors.js';
import { allows, assertAllowed } from '../policy/index.js';
import type { SavedSearchInput, SavedSearchPatch, SavedSearchView } from './saved-searches.schemas.js';

const COLUMNS = ['id', 'name', 'description', 'query', 'created_by', 'created_at', 'updated_at'] as const;

type Row = Omit<SavedSearchView, 'query'> & { query: unknown };

function view(row: Row): SavedSearchView {
  const query = typeof row.query === 'string' ? JSON.parse(row.query) : row.query;
  return { ...row, query: query as Record<string, unknown> };
}

/** JSON with dates as ISO strings (updated_since), as stored in jsonb. */
function toJson(query: unknown): string {
  return JSON.stringify(query);
}

/** The organization's saved searches, by name. */
export async function listSavedSearches(
  ctx: Ctx,
  paging: { page: number; perPage: number },
): Promise<{ items: SavedSearchView[]; total: number; page: number; per_page: number }> {
  assertAllowed(ctx.actor, 'people.read');
  const base = ctx.db.selectFrom('saved_search').where('org_id', '=', ctx.actor.orgId);
  const [rows, total] = await Promise.all([
    base
      .select(COLUMNS)
      .orderBy('name')
      .orderBy('id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(view), total: Number(total.n), page: paging.page, per_page: paging.perPage };
}

export async function getSavedSearch(ctx: Ctx, id: string): Promise<SavedSearchView> {
  assertAllowed(ctx.actor, 'people.read');
  const row = await ctx.db
    .selectFrom('saved_search')
    .select(COLUMNS)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('saved search');
  return view(row);
}

/** Saves a search (anyone who may read people may save what they searched). */
export async function createSavedSearch(ctx: Ctx, input: SavedSearchInput): Promise<SavedSearchView> {
  assertAllowed(ctx.actor, 'people.read');
  const row = await ctx.db
    .insertInto('saved_search')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      name: input.name,
      description: input.description ?? null,
      query: toJson(input.query),
      created_by: actorUserId(ctx.actor),
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return view(row);
}

/**
 * A saved search that an assignment gives people by is part of someone's access: changing its
 * query or deleting it changes who that user reaches, so it takes access.manage (anyone who may
 * read people could otherwise widen an assignee's reach, their own included, to the whole
 * organization).
 */
async function assertNotAnAccessScope(ctx: Ctx, id: string): Promise<void> {
  if (allows(ctx.actor, 'access.manage')) return;
  const used = await ctx.db
    .selectFrom('assignment')
    .select('id')
    .where('org_id', '=', ctx.actor.orgId)
    .where('target_kind', '=', 'saved_search')
    .where('target_id', '=', id)
    .executeTakeFirst();
  if (used)
    throw new AppError(
      'forbidden',
      'an assignment gives people by this saved search: changing it changes access',
      {
        internal: 'access.manage',
      },
    );
}

export async function updateSavedSearch(
  ctx: Ctx,
  id: string,
  patch: SavedSearchPatch,
): Promise<SavedSearchView> {
  assertAllowed(ctx.actor, 'people.read');
  const set: Record<string, unknown> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.query !== undefined) set.query = toJson(patch.query);
  if (Object.keys(set).length === 0) return await getSavedSearch(ctx, id);
  if (patch.query !== undefined) {
    await getSavedSearch(ctx, id);
    await assertNotAnAccessScope(ctx, id);
  }
  const row = await ctx.db
    .updateTable('saved_search')
    .set(set)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirst();
  if (!row) throw notFound('saved search');
  return view(row);
}

export async function deleteSavedSearch(ctx: Ctx, id: string): Promise<void> {
  assertAllowed(ctx.actor, 'people.read');
  await getSavedSearch(ctx, id);
  await assertNotAnAccessScope(ctx, id);
  const result = await ctx.db
    .deleteFrom('saved_search')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('saved search');
}
