/**
 * The intake log for public RSVPs ([adr/0026](../../docs/adr/0026-rsvp-intake-log.md)).
 *
 * An RSVP to a published event with no limit on places can only be answered "going" (an RSVP the
 * person already had keeps its status), so its answer needs no transaction of its own: the request
 * is checked (the form, the event), its row is appended to `signup_intake` (group-committed: one
 * INSERT for all the requests waiting), and the person is answered once that row has committed. The
 * merge then takes the waiting rows in arrival order, 250 to 1,000 at a time, and commits them as
 * the group-commit path does (`commitRsvpsIn`: matching, consent, RSVP, timeline, reminders),
 * deleting each row in the transaction that merged it: a row is merged once, and a row whose merge
 * did not commit is still there. The server wakes the merge when it starts, so rows left by a
 * process that stopped are merged by the next.
 *
 * A row the merge cannot take (the event was cancelled or given a limit in the meantime) is kept
 * with its problem, not retried, and removed after PROBLEM_DAYS.
 */
import { type Kysely, sql } from 'kysely';
import { column as col } from '../db/columns.js';
import { newIds } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { GroupCommit, type PublicDeps } from '../signup/index.js';
import { PublicRsvpInput } from './events.schemas.js';
import { commitRsvpsIn, type RsvpSubmission, rsvpSubmission } from './rsvps.batch.js';

/** Appends: as the group-commit path batches (RSVP_BATCH), larger since a row is cheap. */
const APPEND_BATCH = { maxBatch: 512, maxWaitMs: 2 } as const;
/**
 * Rows merged in one transaction: fewer while RSVPs keep arriving (a merge holds PGlite's one
 * connection, and its JavaScript the event loop, while answers wait), more once they have stopped.
 */
export const MERGE_BATCH = { busy: 250, quiet: 1000 } as const;
/** The least pause between two merges while RSVPs keep arriving. */
const MIN_GAP_MS = 20;
/** RSVPs keep arriving: the latest came less than this long ago. */
const BUSY_MS = 1000;
/** How long a row the merge could not take is kept (for an operator to look at), in days. */
const PROBLEM_DAYS = 30;
/** After merging failed (the database unreachable), how long before the next try. */
const RETRY_MS = 1000;

/** A public RSVP taken in: what the person sent (checked), to which event, when. */
export interface TakenRsvp {
  orgId: string;
  eventId: string;
  input: PublicRsvpInput;
  receivedAt: Date;
}

interface IntakeRow {
  org_id: string;
  id: string;
  event_id: string;
  input: unknown;
  received_at: Date;
}

export interface IntakeStats {
  taken: number;
  merged: number;
  setAside: number;
}

export class RsvpIntake {
  readonly stats: IntakeStats = { taken: 0, merged: 0, setAside: 0 };
  private readonly appender: GroupCommit<TakenRsvp, undefined>;
  private merging: Promise<void> | null = null;
  /** Rows may be waiting that the running merge has not read. */
  private waiting = false;
  /** The next merge or retry, when one is due later. */
  private timer: NodeJS.Timeout | null = null;
  /** While RSVPs keep coming, the next merge is not due before this (performance.now()). */
  private nextMergeAt = 0;
  private purgedAt = 0;
  /** The last merge failed (drain stops waiting for it). */
  private failed = false;
  /** When the latest RSVP arrived (performance.now()). */
  private lastTakeAt = 0;

  constructor(private readonly deps: PublicDeps) {
    this.appender = new GroupCommit<TakenRsvp, undefined>({
      ...APPEND_BATCH,
      commit: async (items) => {
        await append(deps.db, items);
        return items.map(() => ({ ok: true, value: undefined }));
      },
      onBatchFailure: (error, size) =>
        deps.log.warn({ err: error, size }, 'RSVP intake: an append failed; appending its RSVPs one by one'),
    });
  }

  /** Takes an RSVP in: resolves once its row has committed, and wakes the merge. */
  async take(rsvp: TakenRsvp): Promise<void> {
    this.lastTakeAt = performance.now();
    await this.appender.submit('intake', rsvp);
    this.stats.taken += 1;
    this.wake();
  }

  /**
   * Merges what is waiting: at once, unless a merge is running (it goes on to what arrived
   * meanwhile) or the last one ended too recently while RSVPs kept coming (then when it may).
   */
  wake(): void {
    this.waiting = true;
    if (this.merging || this.timer) return;
    const wait = this.nextMergeAt - performance.now();
    if (wait > 0) {
      this.later(wait);
      return;
    }
    this.merging = this.mergeWhileWaiting().finally(() => {
      this.merging = null;
    });
  }

  /**
   * Merges what waits, without pauses, and resolves once nothing this process took is left (tests,
   * shutdown); or once a merge failed: the rows stay in the log for the retry or the next start.
   */
  async drain(): Promise<void> {
    for (;;) {
      this.nextMergeAt = 0;
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      if (!this.merging && this.waiting) this.wake();
      if (!this.merging) return;
      this.failed = false;
      await this.merging;
      if (this.failed) return;
    }
  }

  private later(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, ms);
    this.timer.unref();
  }

  private async mergeWhileWaiting(): Promise<void> {
    try {
      while (this.waiting) {
        this.waiting = false;
        const started = performance.now();
        // A full batch read means more may wait behind it.
        const limit = performance.now() - this.lastTakeAt < BUSY_MS ? MERGE_BATCH.busy : MERGE_BATCH.quiet;
        if ((await this.mergeSome(limit)) === limit) this.waiting = true;
        // While RSVPs keep coming, the merge takes at most about half of the time (answering them
        // comes first; on PGlite's one connection an append waits for the merge) and the next
        // batch gathers meanwhile; an RSVP after a quiet second is merged at once, and a second
        // after the RSVPs stop, what is left is merged without pauses.
        const elapsed = performance.now() - started;
        const busy = performance.now() - this.lastTakeAt < BUSY_MS;
        this.nextMergeAt = busy ? performance.now() + Math.max(MIN_GAP_MS, elapsed) : 0;
        if (this.waiting && this.nextMergeAt > 0) {
          this.later(this.nextMergeAt - performance.now());
          return;
        }
      }
      await this.purgeOldProblems();
    } catch (error) {
      this.deps.log.error({ err: error }, 'RSVP intake: merging failed; trying again shortly');
      this.failed = true;
      this.waiting = true;
      this.later(RETRY_MS);
    }
  }

  /** Merges up to `limit` waiting rows; returns how many it read. */
  private async mergeSome(limit: number): Promise<number> {
    try {
      return await this.merge(sql`TRUE`, limit);
    } catch (error) {
      // A statement failed the batch: each row alone either merges or is set aside with its problem.
      this.deps.log.warn({ err: error }, 'RSVP intake: a merge failed; merging its RSVPs one by one');
      const { rows } = await sql<{ id: string }>`
        SELECT id FROM signup_intake WHERE problem IS NULL ORDER BY id LIMIT ${limit}`.execute(this.deps.db);
      for (const { id } of rows) {
        try {
          await this.merge(sql`id = ${id}`, 1);
        } catch (alone) {
          await this.setAside([{ id, problem: describe(alone) }], this.deps.db);
        }
      }
      return rows.length;
    }
  }

  private async merge(which: ReturnType<typeof sql>, limit: number): Promise<number> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const { rows } = await sql<IntakeRow>`
        SELECT org_id, id, event_id, input, received_at FROM signup_intake
        WHERE problem IS NULL AND ${which}
        ORDER BY id LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`.execute(trx);
      if (rows.length === 0) return 0;
      const problems: { id: string; problem: string }[] = [];
      const byOrg = new Map<string, { rows: IntakeRow[]; items: RsvpSubmission[] }>();
      for (const row of rows) {
        const parsed = PublicRsvpInput.safeParse(row.input);
        if (!parsed.success) {
          problems.push({
            id: row.id,
            problem: 'validation_failed: the stored RSVP is not a valid public RSVP',
          });
          continue;
        }
        let org = byOrg.get(row.org_id);
        if (!org) {
          org = { rows: [], items: [] };
          byOrg.set(row.org_id, org);
        }
        org.rows.push(row);
        org.items.push(rsvpSubmission(row.org_id, row.event_id, parsed.data, new Date(row.received_at)));
      }
      for (const org of byOrg.values()) {
        const outcomes = await commitRsvpsIn(this.deps, trx, org.items);
        outcomes.forEach((outcome, k) => {
          if (!outcome.ok)
            problems.push({ id: (org.rows[k] as IntakeRow).id, problem: describe(outcome.error) });
        });
      }
      const aside = new Set(problems.map((p) => p.id));
      const merged = rows.filter((r) => !aside.has(r.id)).map((r) => r.id);
      if (merged.length > 0)
        await sql`DELETE FROM signup_intake WHERE id = ANY(${merged}::uuid[])`.execute(trx);
      await this.setAside(problems, trx);
      this.stats.merged += merged.length;
      return rows.length;
    });
  }

  private async setAside(problems: { id: string; problem: string }[], db: Kysely<DB>): Promise<void> {
    if (problems.length === 0) return;
    this.deps.log.warn(
      { intake: problems.map((p) => p.id), problems: [...new Set(problems.map((p) => p.problem))] },
      'RSVP intake: RSVPs the merge could not take were set aside',
    );
    await sql`
      UPDATE signup_intake SET problem = u.problem
      FROM unnest(${col(problems, 'id')}::uuid[], ${col(problems, 'problem')}::text[]) AS u(id, problem)
      WHERE signup_intake.id = u.id`.execute(db);
    this.stats.setAside += problems.length;
  }

  /** At most hourly: rows set aside more than PROBLEM_DAYS ago go. */
  private async purgeOldProblems(): Promise<void> {
    const now = this.deps.now();
    if (now.getTime() - this.purgedAt < 3600_000) return;
    this.purgedAt = now.getTime();
    await sql`
      DELETE FROM signup_intake
      WHERE problem IS NOT NULL AND received_at < ${new Date(now.getTime() - PROBLEM_DAYS * 86400_000)}`.execute(
      this.deps.db,
    );
  }
}

/** One INSERT for a batch of taken RSVPs; ids in arrival order (UUIDv7). */
async function append(db: Kysely<DB>, items: TakenRsvp[]): Promise<void> {
  const ids = newIds(items.length);
  await sql`
    INSERT INTO signup_intake (org_id, id, event_id, input, received_at)
    SELECT u.org_id, u.id, u.event_id, u.input::jsonb, u.received_at
    FROM unnest(${items.map((i) => i.orgId)}::uuid[], ${ids}::uuid[], ${items.map((i) => i.eventId)}::uuid[],
      ${items.map((i) => JSON.stringify(i.input))}::text[], ${items.map((i) => i.receivedAt.toISOString())}::timestamptz[])
      AS u(org_id, id, event_id, input, received_at)`.execute(db);
}

function describe(error: unknown): string {
  return error instanceof AppError ? `${error.code}: ${error.message}` : 'internal: the merge failed';
}

const intakes = new WeakMap<Kysely<DB>, RsvpIntake>();

/** The process's RSVP intake on this database (one per pool, as the batcher). */
export function rsvpIntake(deps: PublicDeps): RsvpIntake {
  let intake = intakes.get(deps.db);
  if (!intake) {
    intake = new RsvpIntake(deps);
    intakes.set(deps.db, intake);
  }
  return intake;
}

/** The intake this process made for the database, if it made one. */
export function existingRsvpIntake(db: Kysely<DB>): RsvpIntake | undefined {
  return intakes.get(db);
}
