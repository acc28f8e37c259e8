import type { Kysely } from 'kysely';
import type { AuditLog } from './audit/index.js';
import type { DB } from './db/schema.js';
import type { Log } from './log.js';
import type { Access } from './policy/decide.js';

/** Who is acting. Every service call carries one; there is no ambient "current user". */
export type Actor =
  | {
      kind: 'user';
      orgId: string;
      userId: string;
      via: 'session' | 'token';
      tokenId?: string;
      /** The user's grants, read for this request. */
      access: Access;
      /** Set when an admin reads as this user ("view as"): the admin's own user id. */
      viewAsBy?: string;
    }
  /** The operator at the CLI on the machine that holds the database: acts for one organization. */
  | { kind: 'system'; orgId: string; label: string };

/** The explicit context every service takes (no DI container, no globals). */
export interface Ctx {
  db: Kysely<DB>;
  actor: Actor;
  now: () => Date;
  log: Log;
  /** The process's audit log: `record` buffers (reads), `recordNow` writes in a transaction. */
  audit: AuditLog;
  /** Why the caller reads (the X-Rhizome-Purpose header), kept with audited reads. */
  purpose?: string;
}

export function actorUserId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}

/** Where a write came from, for provenance: (kind, ref). */
export function actorSource(actor: Actor): { kind: string; ref: string | null } {
  if (actor.kind === 'system') return { kind: 'system', ref: actor.label };
  if (actor.via === 'token') return { kind: 'api', ref: actor.tokenId ?? actor.userId };
  return { kind: 'user', ref: actor.userId };
}
