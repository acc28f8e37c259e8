import { createHash } from 'node:crypto';
import type { Actor } from '../context.js';
import { isUuid, newId } from '../db/ids.js';
import type { AuditAction, AuditActorKind } from '../db/schema.js';

/** The closed set of audited actions (0003_audit.sql's CHECK constraint holds the same list). */
export const AUDIT_ACTIONS = [
  'person.read',
  'people.export',
  'view_as.start',
  'view_as.read',
  'role.grant',
  'role.revoke',
  'role.define',
  'assignment.create',
  'assignment.delete',
  'policy.change',
  'login',
  'login.failed',
  'logout',
  'token.create',
  'token.revoke',
] as const satisfies readonly AuditAction[];

/** The prev_hash of an organization's first entry. */
export const ZERO_HASH = '0'.repeat(64);

/** Who did it: an actor of a request or command, or nobody signed in (a failed login). */
export type AuditActor =
  | Pick<Extract<Actor, { kind: 'user' }>, 'kind' | 'userId' | 'via' | 'tokenId' | 'viewAsBy'>
  | Extract<Actor, { kind: 'system' }>
  | { kind: 'anonymous' };

/** One thing to record. The chain code adds seq, prev_hash and hash when it writes. */
export interface AuditEntry {
  orgId: string;
  action: AuditAction;
  actor: AuditActor;
  /** The people concerned (person ids). */
  subjectIds?: readonly string[];
  /** Field names or field classes read. */
  fields?: readonly string[];
  /** Why, when the caller said. */
  purpose?: string | null;
  /** Anything else worth keeping (JSON). Never a secret: the trail is readable by admins. */
  detail?: Record<string, unknown>;
  /** When it happened (default: when recorded). */
  at?: Date;
}

/** An entry as stored, before it has a place in the chain. */
export interface PendingRow {
  org_id: string;
  id: string;
  at: Date;
  action: AuditAction;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  actor_label: string | null;
  subject_ids: string[];
  fields: string[];
  purpose: string | null;
  detail: Record<string, unknown>;
}

/** An entry as stored: what the hash covers, plus the hash. */
export interface ChainRow extends PendingRow {
  seq: number;
  prev_hash: string;
  hash: string;
}

// PostgreSQL text and jsonb cannot hold NUL; strip it so that what is hashed is what is stored.
const clean = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '') : text);

function actorColumns(actor: AuditActor): Pick<PendingRow, 'actor_kind' | 'actor_id' | 'actor_label'> {
  if (actor.kind === 'anonymous') return { actor_kind: 'anonymous', actor_id: null, actor_label: null };
  if (actor.kind === 'system')
    return { actor_kind: 'system', actor_id: null, actor_label: clean(actor.label) };
  return {
    actor_kind: 'user',
    actor_id: actor.userId,
    actor_label: `${actor.via === 'token' ? `token:${actor.tokenId ?? ''}` : 'session'}${actor.viewAsBy ? ` viewed as by ${actor.viewAsBy}` : ''}`,
  };
}

/**
 * Turns an entry into the row that will be stored, exactly as PostgreSQL will give it back
 * (lower-case uuids, detail through JSON, no NUL characters). A malformed entry is a bug in the
 * caller: it throws here, at once, rather than failing a later flush for everyone.
 */
export function toPendingRow(entry: AuditEntry, now: Date): PendingRow {
  if (!(AUDIT_ACTIONS as readonly string[]).includes(entry.action))
    throw new Error(`audit: unknown action ${String(entry.action)}`);
  if (!isUuid(entry.orgId)) throw new Error('audit: orgId is not a uuid');
  const subjectIds = (entry.subjectIds ?? []).map((id) => id.toLowerCase());
  const bad = subjectIds.find((id) => !isUuid(id));
  if (bad !== undefined) throw new Error(`audit: subject id ${bad} is not a uuid`);
  const detail = JSON.parse(
    JSON.stringify(entry.detail ?? {}, (_key, value: unknown) =>
      typeof value === 'string' ? clean(value) : value,
    ),
  ) as Record<string, unknown>;
  return {
    org_id: entry.orgId.toLowerCase(),
    id: newId(),
    at: entry.at ?? now,
    action: entry.action,
    ...actorColumns(entry.actor),
    subject_ids: subjectIds,
    fields: (entry.fields ?? []).map(clean),
    purpose: entry.purpose ? clean(entry.purpose) : null,
    detail,
  };
}

/** JSON with every object's keys sorted, recursively: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The one hash of an entry, used both to write and to verify: SHA-256 (hex) over the canonical
 * JSON of every stored column but the hash itself.
 */
export function entryHash(row: Omit<ChainRow, 'hash'>): string {
  const text = canonicalJson({
    org_id: row.org_id,
    seq: row.seq,
    id: row.id,
    at: row.at.toISOString(),
    action: row.action,
    actor_kind: row.actor_kind,
    actor_id: row.actor_id,
    actor_label: row.actor_label,
    subject_ids: row.subject_ids,
    fields: row.fields,
    purpose: row.purpose,
    detail: row.detail,
    prev_hash: row.prev_hash,
  });
  return createHash('sha256').update(text).digest('hex');
}

/** Places pending rows after a chain's head: consecutive seq, each linked to the one before. */
export function chainRows(head: { seq: number; hash: string }, pending: readonly PendingRow[]): ChainRow[] {
  let seq = head.seq;
  let prev = head.hash;
  return pending.map((row) => {
    seq += 1;
    const linked = { ...row, seq, prev_hash: prev };
    const hash = entryHash(linked);
    prev = hash;
    return { ...linked, hash };
  });
}
