import { type Kysely, sql } from 'kysely';
import type { AuditAction, DB } from '../db/schema.js';
import type { ChainRow } from './audit.chain.js';

// Rows per INSERT statement: 14 parameters each, far below PostgreSQL's 65,535.
const ROWS_PER_INSERT = 500;

/** Serializes writers of one organization's chain (until the transaction ends). */
export async function lockChain(trx: Kysely<DB>, orgId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`rhizome.audit.${orgId}`}, 0))`.execute(trx);
}

export async function readHead(
  db: Kysely<DB>,
  orgId: string,
): Promise<{ seq: number; hash: string } | undefined> {
  return await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

/** The newest stored entry of a chain (by seq), whatever the head says. */
export async function lastEvent(
  db: Kysely<DB>,
  orgId: string,
): Promise<{ seq: number; hash: string } | undefined> {
  return await db
    .selectFrom('audit_event')
    .select(['seq', 'hash'])
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertRows(trx: Kysely<DB>, rows: readonly ChainRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await trx
      .insertInto('audit_event')
      .values(
        rows.slice(i, i + ROWS_PER_INSERT).map((r) => ({
          org_id: r.org_id,
          seq: r.seq,
          id: r.id,
          at: r.at,
          action: r.action,
          actor_kind: r.actor_kind,
          actor_id: r.actor_id,
          actor_label: r.actor_label,
          subject_ids: r.subject_ids,
          fields: r.fields,
          purpose: r.purpose,
          detail: JSON.stringify(r.detail),
          prev_hash: r.prev_hash,
          hash: r.hash,
        })),
      )
      .execute();
  }
}

export async function saveHead(trx: Kysely<DB>, orgId: string, seq: number, hash: string): Promise<void> {
  await trx
    .insertInto('audit_head')
    .values({ org_id: orgId, seq, hash })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ seq, hash }))
    .execute();
}

/** Stored entries as ChainRows (arrays as text, so both drivers give plain strings). */
function selectRows(db: Kysely<DB>) {
  return db
    .selectFrom('audit_event')
    .select([
      'org_id',
      'seq',
      'id',
      'at',
      'action',
      'actor_kind',
      'actor_id',
      'actor_label',
      sql<string[]>`subject_ids::text[]`.as('subject_ids'),
      'fields',
      'purpose',
      'detail',
      'prev_hash',
      'hash',
    ]);
}

/** One page of a chain in seq order after `afterSeq` (keyset: constant cost at any depth). */
export async function chainPage(
  db: Kysely<DB>,
  orgId: string,
  afterSeq: number,
  limit: number,
): Promise<ChainRow[]> {
  return (await selectRows(db)
    .where('org_id', '=', orgId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute()) as ChainRow[];
}

/** The organization after `after` that has entries or a head (a skip scan: cheap at any size). */
export async function nextChainOrg(db: Kysely<DB>, after: string | null): Promise<string | undefined> {
  const fromEvents = db.selectFrom('audit_event').select('org_id').orderBy('org_id').limit(1);
  const fromHeads = db.selectFrom('audit_head').select('org_id').orderBy('org_id').limit(1);
  const [event, head] = await Promise.all([
    (after ? fromEvents.where('org_id', '>', after) : fromEvents).executeTakeFirst(),
    (after ? fromHeads.where('org_id', '>', after) : fromHeads).executeTakeFirst(),
  ]);
  const ids = [event?.org_id, head?.org_id].filter((x): x is string => x !== undefined).sort();
  return ids[0];
}

export interface AuditFilters {
  action?: AuditAction;
  actorId?: string;
  personId?: string;
  since?: Date;
  until?: Date;
  /** Entries before this seq (the paging cursor). */
  beforeSeq?: number;
}

/** One organization's entries, newest first, by seq. */
export async function listEvents(
  db: Kysely<DB>,
  orgId: string,
  filters: AuditFilters,
  limit: number,
): Promise<ChainRow[]> {
  let query = selectRows(db).where('org_id', '=', orgId);
  if (filters.action) query = query.where('action', '=', filters.action);
  if (filters.actorId) query = query.where('actor_id', '=', filters.actorId);
  if (filters.personId) query = query.where(sql<boolean>`subject_ids @> ARRAY[${filters.personId}]::uuid[]`);
  if (filters.since) query = query.where('at', '>=', filters.since);
  if (filters.until) query = query.where('at', '<', filters.until);
  if (filters.beforeSeq !== undefined) query = query.where('seq', '<', filters.beforeSeq);
  return (await query.orderBy('seq', 'desc').limit(limit).execute()) as ChainRow[];
}
