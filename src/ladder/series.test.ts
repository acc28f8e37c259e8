import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { seriesPoints } from './pipeline.service.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const DAY = 86_400_000;

describe('seriesPoints', () => {
  it('steps by week from `from` and ends on `to`, a partial last week included', () => {
    const from = new Date('2026-01-05T00:00:00Z');
    expect(iso(seriesPoints(from, new Date('2026-01-20T12:00:00Z'), 'week'))).toEqual([
      '2026-01-05T00:00:00.000Z',
      '2026-01-12T00:00:00.000Z',
      '2026-01-19T00:00:00.000Z',
      '2026-01-20T12:00:00.000Z',
    ]);
  });

  it('keeps month ends on the last day of shorter months', () => {
    const from = new Date('2026-01-31T00:00:00Z');
    expect(iso(seriesPoints(from, new Date('2026-04-15T00:00:00Z'), 'month'))).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
      '2026-04-15T00:00:00.000Z',
    ]);
  });

  it('gives no second point a moment before `to` when the clock was read twice', () => {
    const from = new Date('2026-01-05T00:00:00Z');
    for (const late of [0, 1, 5, 59_999]) {
      const to = new Date(from.getTime() + 84 * DAY + late);
      const points = seriesPoints(from, to, 'week');
      expect(points).toHaveLength(13);
      expect(points.at(-1)?.getTime()).toBe(to.getTime());
    }
    // A minute or more is a short last period, and keeps its own point.
    expect(seriesPoints(from, new Date(from.getTime() + 84 * DAY + 60_000), 'week')).toHaveLength(14);
  });

  it('is one point when `from` is `to`, and refuses a backwards or overlong series', () => {
    const at = new Date('2026-01-05T00:00:00Z');
    expect(iso(seriesPoints(at, at, 'week'))).toEqual([at.toISOString()]);
    expect(iso(seriesPoints(at, new Date(at.getTime() + 1), 'week'))).toEqual([
      at.toISOString(),
      new Date(at.getTime() + 1).toISOString(),
    ]);
    expect(() => seriesPoints(at, new Date(at.getTime() - 1), 'week')).toThrow(AppError);
    expect(() => seriesPoints(at, new Date(at.getTime() + 400 * 7 * DAY), 'week')).toThrow(
      /at most 60 points/,
    );
  });
});
