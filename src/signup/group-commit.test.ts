import { describe, expect, it } from 'vitest';
import { type BatchOutcome, GroupCommit } from './group-commit.js';

/** A commit that records its batches, fails a batch holding 'poison', and refuses 'bad' alone. */
function recorder() {
  const batches: string[][] = [];
  const committed: string[] = [];
  const commit = async (items: string[]): Promise<BatchOutcome<string>[]> => {
    batches.push(items);
    await new Promise((r) => setTimeout(r, 1));
    if (items.includes('poison')) throw new Error('the transaction failed');
    committed.push(...items.filter((i) => i !== 'bad'));
    return items.map((i) =>
      i === 'bad' ? { ok: false, error: new Error('bad') } : { ok: true, value: i.toUpperCase() },
    );
  };
  return { batches, committed, commit };
}

describe('group commit', () => {
  it('commits submissions that arrive together in one batch and answers each with its own outcome', async () => {
    const r = recorder();
    const gc = new GroupCommit({ maxBatch: 100, maxWaitMs: 5, commit: r.commit });
    const answers = await Promise.allSettled(['a', 'b', 'bad', 'c'].map((x) => gc.submit('org', x)));
    expect(r.batches).toEqual([['a', 'b', 'bad', 'c']]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : 'rejected'))).toEqual([
      'A',
      'B',
      'rejected',
      'C',
    ]);
  });

  it('cuts batches at maxBatch and keys them apart', async () => {
    const r = recorder();
    const gc = new GroupCommit({ maxBatch: 3, maxWaitMs: 5, commit: r.commit });
    const items = ['1', '2', '3', '4', '5', '6', '7'];
    await Promise.all([...items.map((x) => gc.submit('one', x)), gc.submit('two', 'x')]);
    expect(r.batches.every((b) => b.length <= 3)).toBe(true);
    expect(r.batches.flat().sort()).toEqual([...items, 'x'].sort());
    expect(r.batches.some((b) => b.includes('x') && b.length > 1)).toBe(false);
  });

  it('retries a failed batch one by one: the bad submission fails alone, nothing else is lost', async () => {
    const r = recorder();
    const gc = new GroupCommit({ maxBatch: 100, maxWaitMs: 5, commit: r.commit });
    const items = ['a', 'b', 'poison', 'c', 'd'];
    const answers = await Promise.allSettled(items.map((x) => gc.submit('org', x)));
    expect(answers.map((a) => a.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(r.committed.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(gc.stats.retried).toBe(5);
  });

  it('collects what arrives during a commit into the next batch', async () => {
    const r = recorder();
    const gc = new GroupCommit({ maxBatch: 100, maxWaitMs: 1, commit: r.commit });
    const first = gc.submit('org', 'a');
    await new Promise((resolve) => setTimeout(resolve, 2));
    const rest = ['b', 'c', 'd'].map((x) => gc.submit('org', x));
    await Promise.all([first, ...rest]);
    expect(r.batches.flat()).toEqual(['a', 'b', 'c', 'd']);
    expect(gc.stats.submissions).toBe(4);
  });
});
