import { useEffect, useState } from 'react';
import { ApiError, api, type Page } from '../../api.js';
import { errorText, type Loaded } from '../../useApi.js';

const PER_PAGE = 50;

/** GETs `path` (null: nothing) again whenever it or `version` changes; a stale answer is dropped. */
export function useLoaded<T>(path: string | null, version = 0): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    // A reload keeps showing what it has until the new answer comes.
    if (version === 0) setResult({ state: 'loading' });
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
  return result;
}

/**
 * A paged list one page at a time, "show more" appending the next (a phone scrolls; it does not
 * page). A new path or version starts again from the first page.
 */
export function usePaged<T>(path: string | null, version = 0, perPage = PER_PAGE) {
  const [items, setItems] = useState<T[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [page, setPage] = useState({ n: 1, path, version });
  const [error, setError] = useState<unknown>(null);
  const current = page.path === path && page.version === version ? page.n : 1;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version reloads the first page
  useEffect(() => {
    if (path === null) return;
    let live = true;
    const sep = path.includes('?') ? '&' : '?';
    api<Page<T>>('GET', `${path}${sep}page=${current}&per_page=${perPage}`).then(
      (data) => {
        if (!live) return;
        setError(null);
        setItems((before) => (current === 1 ? data.items : [...before, ...data.items]));
        setTotal(data.total);
      },
      (caught: unknown) => live && setError(caught),
    );
    return () => {
      live = false;
    };
  }, [path, current, version, perPage]);
  return {
    items,
    total,
    error,
    more: () => setPage({ n: current + 1, path, version }),
  };
}

/** The user's message for a failed request: the API's field messages or detail, else offline. */
export function failure(caught: unknown, offline: string): string {
  if (!(caught instanceof ApiError)) return offline;
  return caught.problem.errors?.map((e) => e.message).join('; ') || errorText(caught, offline);
}
