import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { ApiError, type Grouping, type Page, type Person, query, type Unit } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { displayName } from '../names.js';
import { errorText, useApi } from '../useApi.js';
import { SavedSearchList, SaveSearchForm, useSavedSearches } from './SavedSearches.js';
import './search.css';

const PER_PAGE = 25;
/** The filters this screen edits, as GET /api/v1/people names them. */
const FILTERS = [
  'q',
  'tag',
  'list',
  'unit',
  'zip',
  'ladder_level',
  'near_zip',
  'radius_km',
  'contacted_since',
  'not_contacted_since',
] as const;
/** Filters the API takes that this screen has no control for: kept as they are (a saved search's). */
const KEPT = ['name', 'fuzzy', 'email', 'phone', 'updated_since', 'sort'] as const;
type Filters = Record<(typeof FILTERS)[number] | (typeof KEPT)[number], string>;
const RADIUS_CHOICES_KM = [2, 5, 10, 25, 50, 100];
const DEFAULT_RADIUS_KM = '10';

function filtersOf(search: string): Filters & { page: number } {
  const params = new URLSearchParams(search);
  const page = Number(params.get('page') ?? '1');
  const filters = Object.fromEntries([...FILTERS, ...KEPT].map((k) => [k, params.get(k) ?? ''])) as Filters;
  return { ...filters, page: Number.isInteger(page) && page > 0 ? page : 1 };
}

/** The filters that are set (what the address, the API and a saved search hold). */
function setOnly(filters: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...FILTERS, ...KEPT]) {
    const value = filters[key].trim();
    if (value) out[key] = value;
  }
  // A radius means nothing without its ZIP code (the API refuses it).
  if (!out.near_zip) delete out.radius_km;
  return out;
}

interface LadderOption {
  id: string;
  name: string;
  levels: { id: string; name: string; retired_at?: string | null }[];
}

/** Options for a filter the user may use; a 403 (no tags.read, say) hides that filter. */
function useOptions<T>(path: string): T[] | undefined {
  const loaded = useApi<{ items: T[] }>(path);
  return loaded.state === 'ok' ? loaded.data.items : undefined;
}

/** People search: the filters the API supports, kept in the address (shareable, back works). */
export function PeopleSearch() {
  const { t, tn } = useI18n();
  const search = useSearch();
  const [, navigate] = useLocation();
  const applied = filtersOf(search);
  const [form, setForm] = useState<Filters>(applied);
  const tags = useOptions<Grouping>('/api/v1/tags?per_page=100');
  const lists = useOptions<Grouping>('/api/v1/lists?per_page=100');
  const units = useOptions<Unit>('/api/v1/units?reach=people.read');
  // No ladders yet (or no way to read them): no ladder filter.
  const ladders = useOptions<LadderOption>('/api/v1/ladders')?.filter((l) => l.levels.length > 0);
  const saved = useSavedSearches();
  // The ladder whose levels the level select offers: the applied level's, until the user picks one.
  const [ladderId, setLadderId] = useState('');
  const levelLadder = ladders?.find((l) => l.levels.some((v) => v.id === form.ladder_level))?.id ?? '';
  const ladder = ladders?.find((l) => l.id === (ladderId || levelLadder));

  // The form follows the address when it changes from outside (back, forward, a link).
  useEffect(() => {
    setForm(filtersOf(search));
    setLadderId('');
  }, [search]);
  useEffect(() => {
    document.title = `${t('search.title')} · ${t('app.name')}`;
  }, [t]);

  const filters = setOnly(applied);
  const results = useApi<Page<Person>>(
    `/api/v1/people${query({ ...filters, page: applied.page, per_page: PER_PAGE })}`,
  );
  const href = (f: Record<string, string>, page = 1) =>
    `/people${query({ ...f, page: page > 1 ? page : undefined })}`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(href(setOnly(form)));
  };
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const pages = results.state === 'ok' ? Math.max(1, Math.ceil(results.data.total / PER_PAGE)) : 1;
  const radiusChoices = [
    ...new Set([...RADIUS_CHOICES_KM.map(String), form.radius_km || DEFAULT_RADIUS_KM]),
  ].sort((a, b) => Number(a) - Number(b));

  return (
    <>
      <h1>{t('search.title')}</h1>
      <search>
        <form className="search" onSubmit={submit}>
          <div className="field grow">
            <label htmlFor="f-q">{t('search.q')}</label>
            <input id="f-q" type="search" value={form.q} onChange={set('q')} autoComplete="off" />
          </div>
          <fieldset className="filters">
            <legend>{t('search.filters')}</legend>
            <FilterSelect
              id="f-tag"
              label={t('search.tag')}
              value={form.tag}
              onChange={set('tag')}
              options={tags?.map((tag) => ({ value: tag.name, label: tag.name }))}
            />
            <FilterSelect
              id="f-list"
              label={t('search.list')}
              value={form.list}
              onChange={set('list')}
              options={lists?.map((list) => ({ value: list.id, label: list.name }))}
            />
            <FilterSelect
              id="f-unit"
              label={t('search.unit')}
              value={form.unit}
              onChange={set('unit')}
              // Indented by depth: the tree reads in a plain select.
              options={units?.map((unit) => ({
                value: unit.path,
                label: '\u2003'.repeat(unit.path.split('.').length - 1) + unit.name,
              }))}
            />
            <div className="field">
              <label htmlFor="f-zip">{t('search.zip')}</label>
              <input
                id="f-zip"
                value={form.zip}
                onChange={set('zip')}
                inputMode="numeric"
                autoComplete="postal-code"
                size={8}
              />
            </div>
            <FilterSelect
              id="f-ladder"
              label={t('searchFilters.ladder')}
              value={ladder?.id ?? ''}
              onChange={(e) => {
                setLadderId(e.target.value);
                setForm((f) => ({ ...f, ladder_level: '' }));
              }}
              options={ladders?.length ? ladders.map((l) => ({ value: l.id, label: l.name })) : undefined}
            />
            {!!ladders?.length && (
              <div className="field">
                <label htmlFor="f-level">{t('searchFilters.level')}</label>
                <select
                  id="f-level"
                  value={form.ladder_level}
                  onChange={set('ladder_level')}
                  disabled={!ladder}
                >
                  <option value="">{ladder ? t('search.any') : t('searchFilters.chooseLadder')}</option>
                  {ladder?.levels
                    .filter((v) => !v.retired_at || v.id === form.ladder_level)
                    .map((v) => (
                      <option key={v.id} value={v.id}>
                        {v.name}
                      </option>
                    ))}
                </select>
              </div>
            )}
            <div className="field">
              <label htmlFor="f-near-zip">{t('searchFilters.nearZip')}</label>
              <input
                id="f-near-zip"
                value={form.near_zip}
                onChange={set('near_zip')}
                inputMode="numeric"
                pattern="\d{5}(-\d{4})?"
                size={8}
                aria-describedby="f-near-zip-hint"
              />
              <span id="f-near-zip-hint" className="hint">
                {t('searchFilters.nearZipHint')}
              </span>
            </div>
            <div className="field">
              <label htmlFor="f-radius">{t('searchFilters.radius')}</label>
              <select id="f-radius" value={form.radius_km || DEFAULT_RADIUS_KM} onChange={set('radius_km')}>
                {radiusChoices.map((km) => (
                  <option key={km} value={km}>
                    {t('searchFilters.km', { km })}
                  </option>
                ))}
              </select>
            </div>
            <DateFilter
              id="f-contacted"
              label={t('searchFilters.contactedSince')}
              value={form.contacted_since}
              onChange={set('contacted_since')}
            />
            <DateFilter
              id="f-not-contacted"
              label={t('searchFilters.notContactedSince')}
              value={form.not_contacted_since}
              onChange={set('not_contacted_since')}
            />
            <p className="hint span-all">{t('searchFilters.contactMeans')}</p>
          </fieldset>
          <div className="actions">
            <button type="submit">{t('search.submit')}</button>
            <Link className="button secondary" href="/people">
              {t('search.clear')}
            </Link>
          </div>
        </form>
      </search>

      <section aria-labelledby="results-heading">
        <h2 id="results-heading" className="visually-hidden">
          {t('search.results')}
        </h2>
        <div role="status" aria-live="polite" className="count">
          {results.state === 'loading' && t('app.loading')}
          {results.state === 'ok' && tn('search.total', results.data.total)}
        </div>
        {results.state === 'error' && (
          <p className="error" role="alert">
            {t(
              results.error instanceof ApiError && results.error.status === 400
                ? 'search.invalid'
                : 'app.error',
              {
                detail: errorText(results.error, t('app.offline')),
              },
            )}
          </p>
        )}
        {results.state === 'ok' && results.data.items.length === 0 && <p>{t('search.none')}</p>}
        {results.state === 'ok' && results.data.items.length > 0 && (
          <ul className="people">
            {results.data.items.map((person) => (
              <li key={person.id}>
                <Link href={`/people/${person.id}`} className="person-link">
                  {displayName(person) ?? <em>{t('person.noName')}</em>}
                </Link>
                {person.home_unit && <span className="unit">{person.home_unit.name}</span>}
                {person.tags && person.tags.length > 0 && (
                  <ul className="tags" aria-label={t('person.tags')}>
                    {person.tags.map((tag) => (
                      <li key={tag}>{tag}</li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
        {results.state === 'ok' && pages > 1 && (
          <nav className="paging" aria-label={t('search.paging')}>
            {applied.page > 1 ? (
              <Link href={href(filters, applied.page - 1)} rel="prev">
                {t('search.previous')}
              </Link>
            ) : (
              <span aria-hidden="true" className="disabled">
                {t('search.previous')}
              </span>
            )}
            <span>{t('search.page', { page: applied.page, pages })}</span>
            {applied.page < pages ? (
              <Link href={href(filters, applied.page + 1)} rel="next">
                {t('search.next')}
              </Link>
            ) : (
              <span aria-hidden="true" className="disabled">
                {t('search.next')}
              </span>
            )}
          </nav>
        )}
      </section>

      {saved.items && (
        <aside className="saved-panel" aria-label={t('savedSearch.title')}>
          {Object.keys(filters).length > 0 && (
            <SaveSearchForm filters={filters} onSaved={() => void saved.reload()} />
          )}
          <SavedSearchList items={saved.items} error={saved.error} reload={saved.reload} />
        </aside>
      )}
    </>
  );
}

/** A date filter (a calendar day); a value with a time (from a saved search) is kept until changed. */
function DateFilter(props: {
  id: string;
  label: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input id={props.id} type="date" value={props.value.slice(0, 10)} onChange={props.onChange} />
    </div>
  );
}

/** A filter's select; absent when its options could not be loaded (the user may not read them). */
function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  options: { value: string; label: string }[] | undefined;
}) {
  const { t } = useI18n();
  if (!props.options) return null;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={props.onChange}>
        <option value="">{t('search.any')}</option>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
