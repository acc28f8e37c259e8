import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';

/** What a public RSVP checks before it waits for a batch; the batch checks it again under the event's lock. */
export interface PublicEventInfo {
  orgId: string;
  /** Public and published. */
  open: boolean;
  endsAt: Date;
  capacity: number | null;
}

/**
 * How long a process trusts what it read of an event: public RSVPs to one event arrive by the
 * thousand a second in a viral moment, and each needs the event's organization and whether it is
 * open. A change made elsewhere (another process, the CLI) is seen within this time; until then
 * the batch, which reads the event under its lock, still refuses an RSVP it must not take.
 */
const EVENT_INFO_TTL_MS = 1000;
const eventInfos = new Map<string, { info: PublicEventInfo; readAt: number }>();

/** A public RSVP's view of an event (at most EVENT_INFO_TTL_MS old), or null when there is no such event. */
export async function publicEventInfo(db: Kysely<DB>, eventId: string): Promise<PublicEventInfo | null> {
  const now = performance.now();
  const known = eventInfos.get(eventId);
  if (known && now - known.readAt < EVENT_INFO_TTL_MS) return known.info;
  const row = await db
    .selectFrom('event')
    .select([
      'org_id',
      'ends_at',
      'capacity',
      sql<boolean>`visibility = 'public' AND status = 'published'`.as('open'),
    ])
    .where('id', '=', eventId)
    .executeTakeFirst();
  if (!row) {
    eventInfos.delete(eventId);
    return null;
  }
  const info: PublicEventInfo = {
    orgId: row.org_id,
    open: row.open,
    endsAt: row.ends_at,
    capacity: row.capacity,
  };
  if (eventInfos.size >= 10_000) eventInfos.clear();
  eventInfos.set(eventId, { info, readAt: now });
  return info;
}

/** Forgets what this process read of an event (it just changed it). */
export function forgetPublicEventInfo(eventId: string): void {
  eventInfos.delete(eventId);
}
