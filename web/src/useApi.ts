import { useEffect, useState } from 'react';
import { ApiError, api } from './api.js';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'error'; error: ApiError | Error };

/** GETs `path` (null: nothing to load) and reloads when it changes; a stale answer is dropped. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setResult({ state: 'loading' });
    api<T>('GET', path).then(
      (data) => live && setResult({ state: 'ok', data }),
      (error: unknown) =>
        live &&
        setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
  }, [path]);
  return result;
}

/** The user's message for a failed request (the API's own detail for a 4xx). */
export function errorText(error: ApiError | Error, offline: string): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.message;
  return offline;
}
