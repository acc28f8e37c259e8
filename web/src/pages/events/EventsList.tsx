import { type FormEvent, lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { type Page, query } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText, useApi } from '../../useApi.js';
import { type Campaign, type EventView, formatWhen, STATUSES } from './api.js';
import { useMapPoints } from './useMapPoints.js';
import './events.css';

/** MapLibre is a chunk of its own, fetched when a map is first shown. */
const EventsMap = lazy(() => import('./EventsMap.js'));

const PER_PAGE = 25;
const WHENS = ['upcoming', 'past', 'all'] as const;
type When = (typeof WHENS)[number];

interface Filters {
  when: When;
  status: string;
  campaign: string;
  page: number;
  view: 'list' | 'map';
}

function filtersOf(search: string): Filters {
  const params = new URLSearchParams(search);
  const when = params.get('when');
  const page = Number(params.get('page') ?? '1');
  return {
    when: WHENS.includes(when as When) ? (when as When) : 'upcoming',
    status: params.get('status') ?? '',
    campaign: params.get('campaign') ?? '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
    view: params.get('view') === 'map' ? 'map' : 'list',
  };
}

const href = (f: Partial<Filters>) =>
  `/events${query({
    when: f.when === 'upcoming' ? undefined : f.when,
    status: f.status,
    campaign: f.campaign,
    page: f.page && f.page > 1 ? f.page : undefined,
    view: f.view === 'map' ? 'map' : undefined,
  })}`;

/** The API's filter for "upcoming" and "past", from the moment the page was opened. */
export function apiFilter(f: Pick<Filters, 'when' | 'status' | 'campaign'>, now: string) {
  return {
    from: f.when === 'upcoming' ? now : undefined,
    to: f.when === 'past' ? now : undefined,
    status: f.status || undefined,
    campaign_id: f.campaign || undefined,
  };
}

/** The events the user may see, soonest first (upcoming by default), as a list or on a map. */
export function EventsList() {
  const { t, tn, language } = useI18n();
  const { me } = useSession();
  const search = useSearch();
  const [, navigate] = useLocation();
  const applied = filtersOf(search);
  const [form, setForm] = useState(applied);
  const now = useMemo(() => new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString(), []);
  const campaigns = useApi<{ items: Campaign[] }>('/api/v1/campaigns');
  useEffect(() => setForm(filtersOf(search)), [search]);
  useEffect(() => {
    document.title = `${t('events.title')} · ${t('app.name')}`;
  }, [t]);

  const filter = apiFilter(applied, now);
  const results = useApi<Page<EventView>>(
    `/api/v1/events${query({ ...filter, page: applied.page, per_page: PER_PAGE })}`,
  );
  const mapPoints = useMapPoints(applied.view === 'map' ? filter : null);
  const pages = results.state === 'ok' ? Math.max(1, Math.ceil(results.data.total / PER_PAGE)) : 1;
  const mayCreate = me?.role_actions?.includes('events.write') ?? false;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(href({ ...form, page: 1, view: applied.view }));
  };

  return (
    <>
      <div className="page-head">
        <h1>{t('events.title')}</h1>
        <div className="actions">
          {mayCreate && (
            <Link className="button" href="/events/new">
              {t('events.new')}
            </Link>
          )}
          <Link className="button secondary" href="/campaigns">
            {t('nav.campaigns')}
          </Link>
        </div>
      </div>
      <search>
        <form className="search" onSubmit={submit}>
          <fieldset className="filters">
            <legend>{t('search.filters')}</legend>
            <div className="field">
              <label htmlFor="ev-when">{t('events.when')}</label>
              <select
                id="ev-when"
                value={form.when}
                onChange={(e) => setForm({ ...form, when: e.target.value as When })}
              >
                {WHENS.map((w) => (
                  <option key={w} value={w}>
                    {t(`events.when.${w}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="ev-status">{t('events.status')}</label>
              <select
                id="ev-status"
                value={form.status}
                onChange={(e) => setForm({ ...form, status: e.target.value })}
              >
                <option value="">{t('search.any')}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`events.status.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
            {campaigns.state === 'ok' && campaigns.data.items.length > 0 && (
              <div className="field">
                <label htmlFor="ev-campaign">{t('events.campaign')}</label>
                <select
                  id="ev-campaign"
                  value={form.campaign}
                  onChange={(e) => setForm({ ...form, campaign: e.target.value })}
                >
                  <option value="">{t('search.any')}</option>
                  {campaigns.data.items.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.title}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </fieldset>
          <div className="actions">
            <button type="submit">{t('events.filter')}</button>
            <Link
              className="button secondary"
              href={href({ ...applied, view: applied.view === 'map' ? 'list' : 'map' })}
            >
              {applied.view === 'map' ? t('events.hideMap') : t('events.showMap')}
            </Link>
          </div>
        </form>
      </search>

      {applied.view === 'map' && (
        <Suspense fallback={<p className="loading">{t('map.loading')}</p>}>
          {mapPoints.state === 'ok' ? (
            <>
              <EventsMap points={mapPoints.data.points} label={t('map.label')} />
              {mapPoints.data.unplaced > 0 && (
                <p className="hint">{tn('map.unplaced', mapPoints.data.unplaced)}</p>
              )}
            </>
          ) : mapPoints.state === 'error' ? (
            <p className="error" role="alert">
              {t('app.error', { detail: errorText(mapPoints.error, t('app.offline')) })}
            </p>
          ) : (
            <p className="loading">{t('map.loading')}</p>
          )}
        </Suspense>
      )}

      <section aria-labelledby="events-results">
        <h2 id="events-results" className="visually-hidden">
          {t('search.results')}
        </h2>
        <div role="status" aria-live="polite" className="count">
          {results.state === 'loading' && t('app.loading')}
          {results.state === 'ok' && tn('events.total', results.data.total)}
        </div>
        {results.state === 'error' && (
          <p className="error" role="alert">
            {t('app.error', { detail: errorText(results.error, t('app.offline')) })}
          </p>
        )}
        {results.state === 'ok' && results.data.items.length === 0 && <p>{t('events.none')}</p>}
        {results.state === 'ok' && results.data.items.length > 0 && (
          <ul className="events">
            {results.data.items.map((e) => (
              <EventItem key={e.id} event={e} language={language} />
            ))}
          </ul>
        )}
        {results.state === 'ok' && pages > 1 && (
          <nav className="paging" aria-label={t('search.paging')}>
            {applied.page > 1 ? (
              <Link href={href({ ...applied, page: applied.page - 1 })}>{t('search.previous')}</Link>
            ) : (
              <span className="disabled">{t('search.previous')}</span>
            )}
            <span>{t('search.page', { page: applied.page, pages })}</span>
            {applied.page < pages ? (
              <Link href={href({ ...applied, page: applied.page + 1 })}>{t('search.next')}</Link>
            ) : (
              <span className="disabled">{t('search.next')}</span>
            )}
          </nav>
        )}
      </section>
    </>
  );
}

export function EventItem({ event, language }: { event: EventView; language: string }) {
  const { t } = useI18n();
  const place = event.virtual_url
    ? t('events.online')
    : [event.location_name, event.locality, event.region].filter(Boolean).join(', ');
  return (
    <li>
      <Link href={`/events/${event.id}`} className="event-link">
        {event.title}
      </Link>
      <span className={`badge status-${event.status}`}>
        {t(`events.status.${event.status}` as MessageKey)}
      </span>
      <span className="when">{formatWhen(language, event.starts_at, event.timezone)}</span>
      {place && <span className="unit">{place}</span>}
    </li>
  );
}
