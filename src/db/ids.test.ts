import { describe, expect, it } from 'vitest';
import { isUuid, newId, newIds } from './ids.js';

describe('UUIDv7 ids', () => {
  it('are version 7, variant 10, with the current Unix milliseconds in the first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after + 1);
  });

  it('sort in creation order and never repeat, many to a millisecond', () => {
    const ids = [...newIds(50_000), newId(), ...newIds(3)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || (ids[i - 1] as string) < id)).toBe(true);
    const form = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(ids.filter((id) => !form.test(id))).toEqual([]);
  });
});
