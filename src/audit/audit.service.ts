import type { Ctx } from '../context.js';
import type { AuditAction, AuditActorKind } from '../db/schema.js';
import { assertAllowed } from '../policy/index.js';
import type { ChainRow } from './audit.chain.js';
import { type AuditFilters, listEvents } from './audit.queries.js';
import { type VerifyResult, verifyAuditChain } from './audit.verify.js';

/**
 * Records that the actor read contact, restricted or financial fields of a page of people: ONE
 * entry for the page (not one per person), buffered, so a read pays microseconds for it. Nothing
 * is recorded when no person or no such field was read.
 */
export function auditPeopleRead(
  ctx: Ctx,
  personIds: readonly string[],
  fields: readonly string[],
  purpose?: string,
): void {
  if (personIds.length === 0 || fields.length === 0) return;
  ctx.audit.record({
    orgId: ctx.actor.orgId,
    action: 'person.read',
    actor: ctx.actor,
    subjectIds: [...new Set(personIds)],
    fields: [...new Set(fields)].sort(),
    purpose: purpose ?? null,
  });
}

/** An entry as the API and the CLI show it. */
export interface AuditEventView {
  seq: number;
  id: string;
  at: Date;
  action: AuditAction;
  actor: { kind: AuditActorKind; id: string | null; label: string | null };
  subject_ids: string[];
  fields: string[];
  purpose: string | null;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const view = (row: ChainRow): AuditEventView => ({
  seq: row.seq,
  id: row.id,
  at: row.at,
  action: row.action,
  actor: { kind: row.actor_kind, id: row.actor_id, label: row.actor_label },
  subject_ids: row.subject_ids,
  fields: row.fields,
  purpose: row.purpose,
  detail: row.detail,
  prev_hash: row.prev_hash,
  hash: row.hash,
});

export type AuditQuery = Omit<AuditFilters, 'beforeSeq'> & { limit: number; cursor?: number };

/**
 * The acting organization's entries, newest first, `limit` at a time. `next` is the cursor of the
 * following page (the seq to continue before), or null at the end.
 */
export async function listAudit(
  ctx: Ctx,
  query: AuditQuery,
): Promise<{ items: AuditEventView[]; next: string | null }> {
  assertAllowed(ctx.actor, 'audit.read');
  const { limit, cursor, ...filters } = query;
  const rows = await listEvents(
    ctx.db,
    ctx.actor.orgId,
    { ...filters, ...(cursor !== undefined ? { beforeSeq: cursor } : {}) },
    limit + 1,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(view), next: rows.length > limit && last ? String(last.seq) : null };
}

/** Verifies the acting organization's chain. */
export async function verifyOwnAudit(ctx: Ctx): Promise<VerifyResult> {
  assertAllowed(ctx.actor, 'audit.read');
  return await verifyAuditChain(ctx.db, ctx.actor.orgId);
}
