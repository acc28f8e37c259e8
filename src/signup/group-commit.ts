/**
 * Group commit for public signups ([adr/0019](../../docs/adr/0019-group-commit-for-public-signups.md)).
 *
 * Each request enqueues its submission and waits. A batch is cut when `maxBatch` submissions wait,
 * or `maxWaitMs` after the first one arrived, and only one batch per key is in flight at a time:
 * submissions that arrive while a batch commits form the next one. `commit` writes the whole
 * batch in one transaction and answers each submission (a value, or an error of that submission
 * alone); a request is answered only after its batch's transaction committed. When the batch's
 * transaction fails as a whole, each of its submissions is committed again on its own, so one bad
 * submission fails alone and the others are still stored.
 */

/** One submission's answer from a batch: its value, or the error that is its own. */
export type BatchOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitOptions<I, O> {
  /** Most submissions in one transaction. */
  maxBatch: number;
  /** How long the first submission of a batch waits for company. */
  maxWaitMs: number;
  /** Commits the submissions in one transaction; one outcome per submission, in order. */
  commit: (items: I[]) => Promise<BatchOutcome<O>[]>;
  /** Told when a whole batch failed and its submissions are retried one by one. */
  onBatchFailure?: (error: unknown, size: number) => void;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

interface Lane<I, O> {
  queue: Waiting<I, O>[];
  timer: NodeJS.Timeout | null;
  busy: boolean;
}

export interface GroupCommitStats {
  batches: number;
  submissions: number;
  retried: number;
  largest: number;
}

/** A batcher: `submit` resolves once the submission's batch committed. Keys (e.g. an organization) batch apart. */
export class GroupCommit<I, O> {
  readonly stats: GroupCommitStats = { batches: 0, submissions: 0, retried: 0, largest: 0 };
  private readonly lanes = new Map<string, Lane<I, O>>();

  constructor(private readonly options: GroupCommitOptions<I, O>) {}

  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      let lane = this.lanes.get(key);
      if (!lane) {
        lane = { queue: [], timer: null, busy: false };
        this.lanes.set(key, lane);
      }
      lane.queue.push({ item, resolve, reject });
      this.schedule(key, lane);
    });
  }

  private schedule(key: string, lane: Lane<I, O>): void {
    if (lane.busy || lane.queue.length === 0) return;
    if (lane.queue.length >= this.options.maxBatch) {
      void this.flush(key, lane);
      return;
    }
    if (!lane.timer) lane.timer = setTimeout(() => void this.flush(key, lane), this.options.maxWaitMs);
  }

  private async flush(key: string, lane: Lane<I, O>): Promise<void> {
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = null;
    }
    if (lane.busy) return;
    const batch = lane.queue.splice(0, this.options.maxBatch);
    if (batch.length === 0) return;
    lane.busy = true;
    this.stats.batches += 1;
    this.stats.submissions += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    try {
      await this.commitBatch(batch);
    } finally {
      lane.busy = false;
      if (lane.queue.length === 0) this.lanes.delete(key);
      // What arrived while this batch committed goes at once: it has already waited.
      else if (lane.queue.length > 0) void this.flush(key, lane);
    }
  }

  private async commitBatch(batch: Waiting<I, O>[]): Promise<void> {
    let outcomes: BatchOutcome<O>[];
    try {
      outcomes = await this.options.commit(batch.map((w) => w.item));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      this.options.onBatchFailure?.(error, batch.length);
      this.stats.retried += batch.length;
      // Alone, each submission either commits or fails with its own error.
      for (const waiting of batch) await this.commitBatch([waiting]);
      return;
    }
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i];
      if (!outcome) waiting.reject(new Error('group commit: no outcome for a submission'));
      else if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    });
  }
}
