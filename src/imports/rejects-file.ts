import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { type RejectRow, rejectsPage } from './imports.queries.js';

/**
 * The header of a rejects CSV: `line` and `reason` first (so that a row with the wrong number of
 * fields still lines up), then the file's own columns, whose values are copied verbatim. A header
 * that already has a `line` or `reason` column gets `_line` / `_reason`.
 */
export function rejectsHeader(header: string[]): string[] {
  const taken = new Set(header.map((h) => h.trim().toLowerCase()));
  const name = (base: string) => {
    let n = base;
    while (taken.has(n)) n = `_${n}`;
    return n;
  };
  return [name('line'), name('reason'), ...header];
}

export const rejectLine = (r: RejectRow): string[] => [String(r.line), r.reason, ...r.fields];

/** A rejects CSV written as batches commit; created on the first reject only. */
export class RejectsFile {
  private stream: WriteStream | undefined;
  written = false;

  constructor(
    readonly path: string,
    private readonly header: string[],
  ) {}

  private async write(text: string): Promise<void> {
    if (!this.stream) {
      this.stream = createWriteStream(this.path, { flags: 'w' });
      this.written = true;
      this.stream.write(stringify([rejectsHeader(this.header)]));
    }
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async append(rejects: RejectRow[]): Promise<void> {
    if (rejects.length === 0) return;
    await this.write(stringify(rejects.map(rejectLine)));
  }

  /** Writes every reject the table already holds for this import (a resumed run starts here). */
  async copyFrom(db: Kysely<DB>, orgId: string, importId: string): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await rejectsPage(db, orgId, importId, after, 2000);
      if (page.length === 0) return;
      await this.append(page);
      after = (page[page.length - 1] as RejectRow).line;
    }
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}
