import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, query as queryString } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { errorText } from '../useApi.js';

/** A saved search as GET /api/v1/saved-searches returns it: its query is a people-search filter. */
export interface SavedSearch {
  id: string;
  name: string;
  description: string | null;
  query: Record<string, string | number>;
}

/** The search page's address for a saved search's query (what opening it does). */
export function savedSearchHref(saved: SavedSearch): string {
  const { sort, ...filters } = saved.query;
  return `/people${queryString({ ...filters, ...(sort && sort !== 'newest' ? { sort } : {}) })}`;
}

/** The organization's saved searches, reloadable after a change. */
export function useSavedSearches() {
  const [items, setItems] = useState<SavedSearch[] | undefined>();
  const [error, setError] = useState<string | null>(null);
  const { t } = useI18n();
  const reload = useCallback(async () => {
    try {
      const page = await api<{ items: SavedSearch[] }>('GET', '/api/v1/saved-searches?per_page=100');
      setItems(page.items);
      setError(null);
    } catch (e) {
      // No people.read: no saved searches either; the panel stays away.
      if (e instanceof ApiError && e.status === 403) setItems(undefined);
      else setError(errorText(e instanceof Error ? e : new Error(String(e)), t('app.offline')));
    }
  }, [t]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, error, reload };
}

/** "Save this search": a name for the filters applied now. */
export function SaveSearchForm(props: {
  filters: Record<string, string>;
  onSaved: (saved: SavedSearch) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    try {
      const query: Record<string, string | number> = {};
      for (const [key, value] of Object.entries(props.filters))
        if (value !== '') query[key] = key === 'radius_km' ? Number(value) : value;
      const saved = await api<SavedSearch>('POST', '/api/v1/saved-searches', { name: name.trim(), query });
      setStatus({ ok: true, text: t('savedSearch.saved', { name: saved.name }) });
      setName('');
      props.onSaved(saved);
    } catch (e) {
      setStatus({
        ok: false,
        text: errorText(e instanceof Error ? e : new Error(String(e)), t('app.offline')),
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="save-search" onSubmit={submit}>
      <div className="field grow">
        <label htmlFor="f-save-name">{t('savedSearch.name')}</label>
        <input
          id="f-save-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          required
        />
      </div>
      <button type="submit" className="secondary" disabled={busy}>
        {t('savedSearch.save')}
      </button>
      <p role="status" className={status && !status.ok ? 'error' : 'hint'}>
        {status?.text}
      </p>
    </form>
  );
}

/** The saved searches: open one (its filters fill the search), rename or delete it. */
export function SavedSearchList(props: {
  items: SavedSearch[];
  error: string | null;
  reload: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [renaming, setRenaming] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      setStatus({ ok: true, text: done });
      setRenaming(null);
      await props.reload();
    } catch (e) {
      setStatus({
        ok: false,
        text: errorText(e instanceof Error ? e : new Error(String(e)), t('app.offline')),
      });
    }
  };

  return (
    <section aria-labelledby="saved-heading" className="saved-searches">
      <h2 id="saved-heading">{t('savedSearch.title')}</h2>
      {props.error && (
        <p className="error" role="alert">
          {props.error}
        </p>
      )}
      <p role="status" className={status && !status.ok ? 'error' : 'hint'}>
        {status?.text}
      </p>
      {props.items.length === 0 ? (
        <p className="hint">{t('savedSearch.none')}</p>
      ) : (
        <ul className="saved-list">
          {props.items.map((saved) => (
            <li key={saved.id}>
              {renaming === saved.id ? (
                <form
                  className="rename"
                  onSubmit={(event) => {
                    event.preventDefault();
                    const name = newName.trim();
                    if (!name) return;
                    void act(
                      () => api('PATCH', `/api/v1/saved-searches/${saved.id}`, { name }),
                      t('savedSearch.renamed', { name }),
                    );
                  }}
                >
                  <div className="field grow">
                    <label htmlFor={`rename-${saved.id}`}>
                      {t('savedSearch.renameLabel', { name: saved.name })}
                    </label>
                    <input
                      id={`rename-${saved.id}`}
                      value={newName}
                      onChange={(e) => setNewName(e.target.value)}
                      maxLength={200}
                      required
                      // biome-ignore lint/a11y/noAutofocus: the field the user just asked for
                      autoFocus
                    />
                  </div>
                  <div className="actions">
                    <button type="submit">{t('savedSearch.saveName')}</button>
                    <button type="button" className="secondary" onClick={() => setRenaming(null)}>
                      {t('savedSearch.cancel')}
                    </button>
                  </div>
                </form>
              ) : (
                <>
                  <Link href={savedSearchHref(saved)} className="person-link">
                    {saved.name}
                  </Link>
                  <div className="actions">
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t('savedSearch.renameLabel', { name: saved.name })}
                      onClick={() => {
                        setRenaming(saved.id);
                        setNewName(saved.name);
                      }}
                    >
                      {t('savedSearch.rename')}
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t('savedSearch.deleteLabel', { name: saved.name })}
                      onClick={() => {
                        if (!window.confirm(t('savedSearch.confirmDelete', { name: saved.name }))) return;
                        void act(
                          () => api('DELETE', `/api/v1/saved-searches/${saved.id}`),
                          t('savedSearch.deleted', { name: saved.name }),
                        );
                      }}
                    >
                      {t('savedSearch.delete')}
                    </button>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
