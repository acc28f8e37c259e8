import { type SqlBool, sql } from 'kysely';
import { type PeopleScope, peopleScope } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, invalid, notFound } from '../errors.js';
import { unitGrantGives } from '../events/index.js';
import { zipCentroid } from '../geo/index.js';
import { parseInput } from '../http/parse-input.js';
import { accessOf, assertAllowed } from '../policy/index.js';
import { bboxOf, pointInGeometry, type TurfGeometry } from './geometry.js';
import { TurfInput, TurfPatch, type TurfPeopleView, type TurfView } from './turf.schemas.js';

const TURF = [
  't.id',
  't.name',
  't.unit_id',
  't.geometry',
  't.zip_codes',
  't.created_at',
  't.updated_at',
] as const;

/** What the people reads of a turf need from a person: reading them with their street address. */
export const TURF_CLASSES = ['basic', 'contact'] as const;

export interface TurfRow extends TurfView {
  unit_path: string;
}

/** The turfs the actor manages: those of the units (and below) where a grant gives turf.manage. */
export async function loadTurf(ctx: Ctx, id: string): Promise<TurfRow> {
  assertAllowed(ctx.actor, 'turf.manage');
  const row = await ctx.db
    .selectFrom('turf as t')
    .innerJoin('unit as u', 'u.id', 't.unit_id')
    .select([...TURF, sql<string>`u.path::text`.as('unit_path')])
    .where('t.org_id', '=', ctx.actor.orgId)
    .where('t.id', '=', id)
    .executeTakeFirst();
  if (!row || !unitGrantGives(accessOf(ctx.actor), 'turf.manage', row.unit_path)) throw notFound('turf');
  return row as TurfRow;
}

const view = ({ unit_path: _p, ...t }: TurfRow): TurfView => t;

export async function getTurf(ctx: Ctx, id: string): Promise<TurfView> {
  return view(await loadTurf(ctx, id));
}

export async function listTurfs(ctx: Ctx): Promise<TurfView[]> {
  assertAllowed(ctx.actor, 'turf.manage');
  const rows = await ctx.db
    .selectFrom('turf as t')
    .innerJoin('unit as u', 'u.id', 't.unit_id')
    .select([...TURF, sql<string>`u.path::text`.as('unit_path')])
    .where('t.org_id', '=', ctx.actor.orgId)
    .orderBy('t.id')
    .execute();
  const access = accessOf(ctx.actor);
  return (rows as TurfRow[]).filter((r) => unitGrantGives(access, 'turf.manage', r.unit_path)).map(view);
}

/** A unit the actor may draw turf for (the unit or one above it): 400 when absent, 403 when not theirs. */
async function turfUnit(ctx: Ctx, unitId: string): Promise<{ id: string; path: string }> {
  const unit = await ctx.db
    .selectFrom('unit')
    .select(['id', sql<string>`path::text`.as('path')])
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', unitId)
    .executeTakeFirst();
  if (!unit) throw invalid('unit_id', 'no unit with this id');
  if (!unitGrantGives(accessOf(ctx.actor), 'turf.manage', unit.path))
    throw new AppError('forbidden', 'unit_id: you may not draw turf for this unit', {
      fields: [{ field: 'unit_id', message: 'you may not draw turf for this unit' }],
    });
  return unit;
}

/** The stored shape of a turf: a geometry with its bounding box, or ZIP codes (and no box). */
function shapeOf(geometry: TurfGeometry | null, zipCodes: string[]) {
  const box = geometry ? bboxOf(geometry) : { min_lat: null, max_lat: null, min_lon: null, max_lon: null };
  return {
    geometry: geometry ? JSON.stringify(geometry) : null,
    zip_codes: geometry ? [] : [...new Set(zipCodes)],
    ...box,
  };
}

/** Draws a turf for a unit the actor manages turf in (the unit or one above it). */
export async function createTurf(ctx: Ctx, raw: TurfInput): Promise<TurfView> {
  assertAllowed(ctx.actor, 'turf.manage');
  const input = parseInput(TurfInput, raw);
  const unit = await turfUnit(ctx, input.unit_id);
  const id = newId();
  await ctx.db
    .insertInto('turf')
    .values({
      org_id: ctx.actor.orgId,
      id,
      unit_id: unit.id,
      name: input.name,
      ...shapeOf((input.geometry as TurfGeometry | undefined) ?? null, input.zip_codes ?? []),
      created_by: actorUserId(ctx.actor),
    })
    .execute();
  return await getTurf(ctx, id);
}

/**
 * Renames a turf, moves it to another unit the actor manages turf in, or gives it a new shape (a
 * geometry replaces its ZIP codes and ZIP codes replace its geometry), checked as on create. Walk
 * lists already cut from it keep their doors: a walk list is a copy of the turf's people when it
 * was cut.
 */
export async function updateTurf(ctx: Ctx, id: string, raw: TurfPatch): Promise<TurfView> {
  const input = parseInput(TurfPatch, raw);
  const turf = await loadTurf(ctx, id);
  const unit = input.unit_id !== undefined ? await turfUnit(ctx, input.unit_id) : null;
  const shape =
    input.geometry !== undefined
      ? shapeOf(input.geometry as TurfGeometry, [])
      : input.zip_codes !== undefined
        ? shapeOf(null, input.zip_codes)
        : {};
  await ctx.db
    .updateTable('turf')
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(unit ? { unit_id: unit.id } : {}),
      ...shape,
    })
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', turf.id)
    .execute();
  return await getTurf(ctx, id);
}

/**
 * Deletes a turf. While an open walk list uses it the answer is a conflict naming those lists
 * (close them first). Its closed walk lists go with it: their doors, canvasser records and the
 * static lists behind them. What canvassers recorded stays on each person's timeline (the door
 * knocks) and in their survey answers. The turf row is locked first, so a walk list cut at the
 * same moment either lands before (and refuses the delete) or finds no turf.
 */
export async function deleteTurf(ctx: Ctx, id: string): Promise<void> {
  const turf = await loadTurf(ctx, id);
  await ctx.db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('turf')
      .select('id')
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', turf.id)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw notFound('turf');
    const walkLists = await trx
      .selectFrom('walk_list')
      .select(['id', 'name', 'status', 'list_id'])
      .where('org_id', '=', ctx.actor.orgId)
      .where('turf_id', '=', turf.id)
      .orderBy('id')
      .execute();
    const open = walkLists.filter((w) => w.status === 'open');
    if (open.length > 0)
      throw new AppError(
        'conflict',
        `the turf has ${open.length} open walk list${open.length === 1 ? '' : 's'} (${open
          .map((w) => `"${w.name}"`)
          .join(', ')}): close ${open.length === 1 ? 'it' : 'them'} first`,
        { internal: `open walk lists ${open.map((w) => w.id).join(', ')}` },
      );
    const lists = walkLists.map((w) => w.list_id);
    if (lists.length > 0) {
      // Deleting a walk list's static list deletes the walk list, its doors and canvassers (cascade).
      await trx.deleteFrom('list').where('org_id', '=', ctx.actor.orgId).where('id', 'in', lists).execute();
      await trx
        .deleteFrom('foreign_identifier')
        .where('org_id', '=', ctx.actor.orgId)
        .where('entity', '=', 'list')
        .where('entity_id', 'in', lists)
        .execute();
    }
    await trx.deleteFrom('turf').where('org_id', '=', ctx.actor.orgId).where('id', '=', turf.id).execute();
  });
}

/** A person inside a turf, at the address that put them there. */
export interface Resident {
  person_id: string;
  address_key: string;
  address_lines: string[];
  locality: string | null;
  postal_code: string | null;
  latitude: number | null;
  longitude: number | null;
  /** Placed by the ZIP code's centroid: the address has no coordinates. */
  by_zip: boolean;
}

/**
 * The people of a turf within `scope`, each at one address: their primary address (any address
 * when they have no primary). A polygon turf takes addresses whose coordinates fall inside it (an
 * indexed bounding-box prefilter in SQL, the exact ray-casting test here) and addresses without
 * coordinates whose ZIP code's centroid (the packaged table) falls inside; a ZIP turf takes the
 * addresses in its ZIP codes.
 */
export async function residentsOf(ctx: Ctx, turf: TurfRow, scope: PeopleScope): Promise<Resident[]> {
  const orgId = ctx.actor.orgId;
  const geometry = turf.geometry as TurfGeometry | null;
  let where: ReturnType<typeof sql<SqlBool>>;
  let zipsInside: Set<string> = new Set();
  if (geometry) {
    const box = bboxOf(geometry);
    const { rows } = await sql<{ zip: string }>`
      SELECT DISTINCT left(postal_code, 5) AS zip FROM person_address
      WHERE org_id = ${orgId} AND (latitude IS NULL OR longitude IS NULL) AND postal_code IS NOT NULL`.execute(
      ctx.db,
    );
    zipsInside = new Set(
      rows
        .map((r) => r.zip)
        .filter((zip) => {
          const c = zipCentroid(zip);
          return c !== null && pointInGeometry(c.longitude, c.latitude, geometry);
        }),
    );
    where = sql<SqlBool>`(
      (a.latitude BETWEEN ${box.min_lat} AND ${box.max_lat} AND a.longitude BETWEEN ${box.min_lon} AND ${box.max_lon})
      OR ((a.latitude IS NULL OR a.longitude IS NULL) AND left(a.postal_code, 5) = ANY(${[...zipsInside]}::text[])))`;
  } else {
    where = sql<SqlBool>`left(a.postal_code, 5) = ANY(${turf.zip_codes}::text[])`;
  }
  const { rows } = await sql<Omit<Resident, 'by_zip'>>`
    SELECT DISTINCT ON (a.person_id) a.person_id, a.address_key, a.address_lines, a.locality, a.postal_code,
      a.latitude, a.longitude
    FROM person_address a
    JOIN person p ON p.id = a.person_id
    WHERE a.org_id = ${orgId} AND p.org_id = ${orgId} AND p.merged_into IS NULL
      AND ${where}
      AND (a.is_primary OR NOT EXISTS (
        SELECT 1 FROM person_address o WHERE o.person_id = a.person_id AND o.is_primary))
      AND ${scope ?? sql<SqlBool>`true`}
    ORDER BY a.person_id, a.is_primary DESC, a.id`.execute(ctx.db);
  const out: Resident[] = [];
  for (const r of rows) {
    const located = r.latitude !== null && r.longitude !== null;
    if (geometry && located && !pointInGeometry(r.longitude as number, r.latitude as number, geometry))
      continue;
    out.push({ ...r, by_zip: geometry !== null && !located });
  }
  return out;
}

/** The scope of people the actor may read with their street address (what a turf shows). */
export async function readableScope(ctx: Ctx): Promise<PeopleScope> {
  return await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read', [...TURF_CLASSES]);
}

/** Who is inside a turf, of the people the actor may read with their address. */
export async function turfPeople(ctx: Ctx, id: string): Promise<TurfPeopleView> {
  const turf = await loadTurf(ctx, id);
  const residents = await residentsOf(ctx, turf, await readableScope(ctx));
  return {
    total: residents.length,
    by_zip_centroid: residents.filter((r) => r.by_zip).length,
    households: new Set(residents.map((r) => r.address_key)).size,
    people: residents.map((r) => ({ person_id: r.person_id, address_key: r.address_key })),
  };
}
