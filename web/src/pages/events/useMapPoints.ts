import { useEffect, useState } from 'react';
import type { Loaded } from '../../useApi.js';
import { loadMapPoints, type MapPoint } from './api.js';

/** The placed events of a filter for the map (null: no map shown, nothing loaded). */
export function useMapPoints(
  filter: Record<string, string | undefined> | null,
): Loaded<{ points: MapPoint[]; total: number; unplaced: number }> {
  const key = filter ? JSON.stringify(filter) : null;
  const [result, setResult] = useState<Loaded<{ points: MapPoint[]; total: number; unplaced: number }>>({
    state: 'loading',
  });
  useEffect(() => {
    if (key === null) return;
    let live = true;
    setResult({ state: 'loading' });
    loadMapPoints(JSON.parse(key) as Record<string, string | undefined>).then(
      (data) => live && setResult({ state: 'ok', data }),
      (error: unknown) =>
        live &&
        setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return result;
}
