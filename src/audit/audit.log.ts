import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Log } from '../log.js';
import { type AuditEntry, chainRows, type PendingRow, toPendingRow, ZERO_HASH } from './audit.chain.js';
import { insertRows, lastEvent, lockChain, readHead, saveHead } from './audit.queries.js';

/**
 * Appends rows to one organization's chain inside the caller's transaction: takes the chain's
 * lock, reads its head, assigns seq and hashes, inserts, moves the head. Every write (batched or
 * not) goes through here.
 */
export async function appendToChain(
  trx: Kysely<DB>,
  orgId: string,
  pending: readonly PendingRow[],
): Promise<{ lastSeq: number; headMissing: boolean }> {
  await lockChain(trx, orgId);
  let head = await readHead(trx, orgId);
  let headMissing = false;
  if (!head) {
    // No head yet: a new chain, unless someone removed the head; then continue after the last
    // stored entry (never reuse a seq) and say so, so logging goes on. Verify reports the removal.
    head = await lastEvent(trx, orgId);
    headMissing = head !== undefined;
  }
  const rows = chainRows(head ?? { seq: 0, hash: ZERO_HASH }, pending);
  const last = rows[rows.length - 1];
  if (!last) return { lastSeq: head?.seq ?? 0, headMissing };
  await insertRows(trx, rows);
  await saveHead(trx, orgId, last.seq, last.hash);
  return { lastSeq: last.seq, headMissing };
}

/**
 * Writes one entry now, in the caller's transaction when `db` is one (so that a role, assignment,
 * policy or token change and its record commit or roll back together), else in its own.
 */
export async function recordNow(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  const row = toPendingRow(entry, new Date());
  if (db.isTransaction) {
    await appendToChain(db, row.org_id, [row]);
    return;
  }
  await db.transaction().execute(async (trx) => {
    await appendToChain(trx, row.org_id, [row]);
  });
}

export interface AuditLogOptions {
  /** A flush runs this long after the first entry waits (default 200 ms). */
  flushMs?: number;
  /** ...or as soon as this many entries wait (default 500). */
  maxBatch?: number;
  /** Entries kept while the database refuses them; past this, new entries are dropped and counted. */
  maxPending?: number;
  now?: () => Date;
}

export interface AuditLogStats {
  /** Entries waiting for a flush. */
  pending: number;
  /** Entries written since the log was created. */
  written: number;
  /** Entries lost: recorded while maxPending waited, or still unwritten at close. */
  dropped: number;
  flushes: number;
  failedFlushes: number;
}

const MAX_RETRY_MS = 30_000;

/**
 * The audit log of one process (created where the database is opened). `record` buffers in
 * memory and returns at once, so that logging a read costs the read almost nothing; a flush
 * writes what waits, one transaction per organization. A failed flush is logged and its entries
 * are kept (up to maxPending) and retried with backoff. `close()` flushes and stops the timer.
 */
export class AuditLog {
  private buffer: PendingRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private closed = false;
  private failuresInARow = 0;
  private readonly counts = { written: 0, dropped: 0, flushes: 0, failedFlushes: 0 };
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly log: Log,
    options: AuditLogOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 200;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxPending = options.maxPending ?? 100_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Buffers one entry; returns at once. Throws only for a malformed entry (a bug in the caller). */
  record(entry: AuditEntry): void {
    const row = toPendingRow(entry, this.now());
    if (this.closed || this.buffer.length >= this.maxPending) {
      this.counts.dropped += 1;
      if (this.counts.dropped === 1 || this.counts.dropped % 1000 === 0)
        this.log.error(
          { dropped: this.counts.dropped, action: row.action, orgId: row.org_id },
          this.closed ? 'audit entry recorded after close: dropped' : 'audit buffer full: entries dropped',
        );
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= this.maxBatch && this.failuresInARow === 0) void this.flush();
    else this.schedule(this.flushMs);
  }

  /**
   * Writes every entry recorded so far (those that fail stay for the next flush). Never rejects.
   * Never await it inside a transaction: on PGlite (one session) it would wait for that very
   * transaction to end.
   */
  flush(): Promise<void> {
    // A flush that has not started yet will take everything recorded until it starts.
    if (this.queued) return this.queued;
    const next = this.chain.then(() => {
      this.queued = null;
      return this.flushNow();
    });
    this.queued = next;
    this.chain = next;
    return next;
  }

  /** Flushes and stops the timer; entries still unwritten are counted as dropped and logged. */
  async close(): Promise<void> {
    if (this.closed) return await this.chain;
    this.closed = true;
    this.clearTimer();
    await this.flush();
    if (this.buffer.length > 0) {
      this.counts.dropped += this.buffer.length;
      this.log.error({ lost: this.buffer.length }, 'audit log closed with unwritten entries');
      this.buffer = [];
    }
  }

  stats(): AuditLogStats {
    return { pending: this.buffer.length, ...this.counts };
  }

  private schedule(delay: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
    // A waiting flush must not keep a finished command alive (commands call close()).
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async flushNow(): Promise<void> {
    this.clearTimer();
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.counts.flushes += 1;
    const byOrg = new Map<string, PendingRow[]>();
    for (const row of batch) {
      const rows = byOrg.get(row.org_id);
      if (rows) rows.push(row);
      else byOrg.set(row.org_id, [row]);
    }
    const failed: PendingRow[] = [];
    for (const [orgId, rows] of byOrg) {
      try {
        const result = await this.db
          .transaction()
          .execute(async (trx) => await appendToChain(trx, orgId, rows));
        if (result.headMissing)
          this.log.error(
            { orgId },
            'audit head was missing: chain continued after its last entry (run rhizome audit verify)',
          );
        this.counts.written += rows.length;
      } catch (error) {
        failed.push(...rows);
        this.log.error(
          { err: error, orgId, entries: rows.length },
          'audit flush failed; entries kept for the next flush',
        );
      }
    }
    if (failed.length > 0) {
      this.counts.failedFlushes += 1;
      this.failuresInARow += 1;
      // Order kept: the failed entries were recorded before anything that arrived meanwhile.
      this.buffer = [...failed, ...this.buffer];
      this.schedule(Math.min(MAX_RETRY_MS, this.flushMs * 2 ** this.failuresInARow));
    } else {
      this.failuresInARow = 0;
      if (this.buffer.length > 0) this.schedule(this.flushMs);
    }
  }
}
