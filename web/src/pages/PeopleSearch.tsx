import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { type Grouping, type Page, type Person, query, type Unit } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { displayName } from '../names.js';
import { errorText, useApi } from '../useApi.js';

const PER_PAGE = 25;
const FILTERS = ['q', 'tag', 'list', 'unit', 'zip'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function filtersOf(search: string): Filters & { page: number } {
  const params = new URLSearchParams(search);
  const page = Number(params.get('page') ?? '1');
  return {
    q: params.get('q') ?? '',
    tag: params.get('tag') ?? '',
    list: params.get('list') ?? '',
    unit: params.get('unit') ?? '',
    zip: params.get('zip') ?? '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
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
  const units = useOptions<Unit>('/api/v1/units');

  // The form follows the address when it changes from outside (back, forward, a link).
  useEffect(() => setForm(filtersOf(search)), [search]);
  useEffect(() => {
    document.title = `${t('search.title')} · ${t('app.name')}`;
  }, [t]);

  const results = useApi<Page<Person>>(
    `/api/v1/people${query({ ...applied, page: applied.page, per_page: PER_PAGE })}`,
  );
  const href = (filters: Partial<Filters>, page = 1) =>
    `/people${query({ ...filters, page: page > 1 ? page : undefined })}`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = Object.fromEntries(FILTERS.map((k) => [k, form[k].trim()])) as Filters;
    navigate(href(trimmed));
  };
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const pages = results.state === 'ok' ? Math.max(1, Math.ceil(results.data.total / PER_PAGE)) : 1;

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
            {t('app.error', { detail: errorText(results.error, t('app.offline')) })}
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
              <Link href={href(applied, applied.page - 1)} rel="prev">
                {t('search.previous')}
              </Link>
            ) : (
              <span aria-hidden="true" className="disabled">
                {t('search.previous')}
              </span>
            )}
            <span>{t('search.page', { page: applied.page, pages })}</span>
            {applied.page < pages ? (
              <Link href={href(applied, applied.page + 1)} rel="next">
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
    </>
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
