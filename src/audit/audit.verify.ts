import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { entryHash, ZERO_HASH } from './audit.chain.js';
import { chainPage, lastEvent, nextChainOrg, readHead } from './audit.queries.js';

/**
 * What verify can find wrong, at one seq:
 * - `edited`: the entry's content no longer matches its hash;
 * - `missing`: entries are absent before this seq (a gap; the first entry should be seq 1);
 * - `out of order`: the entry's prev_hash is not the hash of the entry before it (an entry was
 *   rewritten with a recomputed hash, replaced, or entries were moved);
 * - `head mismatch`: the chain does not end where its head says (the newest entries removed, or
 *   entries written past the head); `seq` is the first entry that should be there but is not.
 */
export type ChainProblemKind = 'edited' | 'missing' | 'head mismatch' | 'out of order';

export interface ChainProblem {
  orgId: string;
  seq: number;
  problem: ChainProblemKind;
  /** One line for a person. */
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries read and rehashed. */
  checked: number;
  /** The chains' ends as stored: write them down elsewhere to detect a rewrite of a whole tail. */
  heads: { orgId: string; seq: number; hash: string }[];
  problems: ChainProblem[];
  /** True when there were more problems than MAX_PROBLEMS (the first ones are listed). */
  truncated: boolean;
}

const PAGE = 1000;
const MAX_PROBLEMS = 1000;

/**
 * Recomputes every hash of one organization's chain, or of every chain, in seq order, reading
 * pages of PAGE entries (keyset on seq): constant memory at any length.
 */
export async function verifyAuditChain(db: Kysely<DB>, orgId?: string): Promise<VerifyResult> {
  const result: VerifyResult = { ok: true, checked: 0, heads: [], problems: [], truncated: false };
  const report = (problem: ChainProblem) => {
    if (result.problems.length < MAX_PROBLEMS) result.problems.push(problem);
    else result.truncated = true;
  };
  if (orgId) await verifyOrg(db, orgId, result, report);
  else {
    let next = await nextChainOrg(db, null);
    while (next) {
      await verifyOrg(db, next, result, report);
      next = await nextChainOrg(db, next);
    }
  }
  result.ok = result.problems.length === 0 && !result.truncated;
  return result;
}

async function verifyOrg(
  db: Kysely<DB>,
  orgId: string,
  result: VerifyResult,
  report: (p: ChainProblem) => void,
): Promise<void> {
  // The head first: every entry up to it was committed with it (one transaction).
  const head = await readHead(db, orgId);
  let seq = 0;
  let prevHash = ZERO_HASH;
  let prevEdited = false;
  for (;;) {
    const page = await chainPage(db, orgId, seq, PAGE);
    for (const row of page) {
      if (head && row.seq > head.seq) break;
      result.checked += 1;
      const edited = entryHash(row) !== row.hash;
      if (row.seq !== seq + 1) {
        const to = row.seq - 1;
        report({
          orgId,
          seq: seq + 1,
          problem: 'missing',
          detail: seq + 1 === to ? `entry ${to} is missing` : `entries ${seq + 1} to ${to} are missing`,
        });
      } else if (!edited && !prevEdited && row.prev_hash !== prevHash) {
        report({
          orgId,
          seq: row.seq,
          problem: 'out of order',
          detail: `prev_hash does not match the hash of entry ${seq || 'zero'}`,
        });
      }
      prevEdited = edited;
      if (edited)
        report({
          orgId,
          seq: row.seq,
          problem: 'edited',
          detail: `entry ${row.seq} does not match its hash`,
        });
      seq = row.seq;
      prevHash = row.hash;
    }
    const last = page[page.length - 1];
    if (page.length < PAGE || !last || (head && last.seq >= head.seq)) break;
  }
  if (!head) {
    if (seq > 0)
      report({ orgId, seq, problem: 'head mismatch', detail: `no head, but entries up to ${seq} exist` });
    return;
  }
  result.heads.push({ orgId, seq: head.seq, hash: head.hash });
  if (seq < head.seq) {
    report({
      orgId,
      seq: seq + 1,
      problem: 'head mismatch',
      detail: `the head says the chain ends at ${head.seq}, the last entry is ${seq}: entries ${seq + 1} to ${head.seq} removed`,
    });
  } else if (head.hash !== prevHash) {
    report({
      orgId,
      seq: head.seq,
      problem: 'head mismatch',
      detail: `the head's hash is not entry ${seq}'s`,
    });
  }
  // Entries past the head (written with the triggers off, or the head moved back). Read the last
  // entry before the head again: an honest writer moves both in one transaction.
  const newest = await lastEvent(db, orgId);
  const headNow = (await readHead(db, orgId)) ?? head;
  if (newest && newest.seq > headNow.seq)
    report({
      orgId,
      seq: headNow.seq + 1,
      problem: 'head mismatch',
      detail: `entries past the head: the head says ${headNow.seq}, entries run to ${newest.seq}`,
    });
}
