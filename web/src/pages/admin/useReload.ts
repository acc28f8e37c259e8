import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api.js';
import type { Loaded } from '../../useApi.js';

/** GETs `path` (null: nothing) like useApi, and again whenever `reload` is called (after a write). */
export function useReloadable<T>(path: string | null): [Loaded<T>, () => void] {
  const [version, setVersion] = useState(0);
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the reason to fetch again
  useEffect(() => {
    if (path === null) return;
    let live = true;
    api<T>('GET', path).then(
      (data) => live && setResult({ state: 'ok', data }),
      (error: unknown) =>
        live &&
        setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  return [result, reload];
}
