import { type FormEvent, lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, type Page, type Person } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { displayName } from '../../names.js';
import { errorText, useApi } from '../../useApi.js';
import { type Attendee, type EventDetail, formatWhen, type WhatNext } from './api.js';
import { EventHosts } from './EventHosts.js';
import { EventShifts } from './EventShifts.js';
import './events.css';

const EventsMap = lazy(() => import('./EventsMap.js'));
const ATTENDEES_PAGE = 100;

/** Reloads a GET on demand (after a write), keeping the last answer while it loads. */
function useReloadable<T>(path: string | null) {
  const [version, setVersion] = useState(0);
  const loaded = useApi<T>(path === null ? null : `${path}${path.includes('?') ? '&' : '?'}_=${version}`);
  const [last, setLast] = useState(loaded);
  useEffect(() => {
    if (loaded.state !== 'loading') setLast(loaded);
  }, [loaded]);
  return {
    loaded: loaded.state === 'loading' && last.state !== 'loading' ? last : loaded,
    reload: () => setVersion((v) => v + 1),
  };
}

/**
 * One event: details, shifts, headcounts; its attendees as this user may see them (a host: their
 * guests' first names), check-in and walk-ins from a phone; "what next" after it. Actions follow
 * what the API says this user may do (`can`).
 */
export function EventPage({ id }: { id: string }) {
  const { t, language } = useI18n();
  const base = `/api/v1/events/${encodeURIComponent(id)}`;
  const event = useReloadable<EventDetail>(base);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const refresh = () => {
    event.reload();
    setRound((r) => r + 1);
  };

  useEffect(() => {
    if (event.loaded.state === 'ok') document.title = `${event.loaded.data.title} · ${t('app.name')}`;
  }, [event.loaded, t]);

  const back = (
    <p className="back">
      <Link href="/events">{t('events.back')}</Link>
    </p>
  );
  if (event.loaded.state === 'loading')
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  if (event.loaded.state === 'error') {
    const missing = event.loaded.error instanceof ApiError && [400, 404].includes(event.loaded.error.status);
    return (
      <>
        {back}
        <h1>{missing ? t('notFound.title') : t('app.error', { detail: '' })}</h1>
        <p role="alert" className={missing ? undefined : 'error'}>
          {missing ? t('events.notFound') : errorText(event.loaded.error, t('app.offline'))}
        </p>
      </>
    );
  }
  const e = event.loaded.data;
  const act = async (label: string, run: () => Promise<unknown>) => {
    setFailure(null);
    setMessage(null);
    try {
      await run();
      setMessage(label);
      refresh();
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
    }
  };
  const setStatus = (status: string, done: MessageKey) => () =>
    act(t(done), () => api('PATCH', base, { status }));
  const place = [
    e.location_name,
    ...e.address_lines,
    [e.locality, e.region, e.postal_code].filter(Boolean).join(' '),
  ]
    .filter(Boolean)
    .join(', ');

  return (
    <>
      {back}
      <h1>{e.title}</h1>
      <p>
        <span className={`badge status-${e.status}`}>{t(`events.status.${e.status}` as MessageKey)}</span>{' '}
        <span className="badge">{t(`events.visibility.${e.visibility}` as MessageKey)}</span>
      </p>
      <div aria-live="polite">
        {message && (
          <p className="notice" role="status">
            {message}
          </p>
        )}
      </div>
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      {e.can.edit && !e.can.manage && <p className="notice">{t('events.hostView')}</p>}
      {(e.can.edit || e.can.manage || e.can.moderate) && (
        <div className="actions event-actions">
          {e.can.edit && (
            <Link className="button secondary" href={`/events/${e.id}/edit`}>
              {t('events.edit')}
            </Link>
          )}
          {e.can.moderate && e.status === 'pending_approval' && (
            <button
              type="button"
              onClick={() => act(t('events.approved'), () => api('POST', `${base}/approve`))}
            >
              {t('events.approve')}
            </button>
          )}
          {e.can.manage && e.status === 'draft' && (
            <button type="button" onClick={setStatus('published', 'events.published')}>
              {t('events.publish')}
            </button>
          )}
          {e.can.manage && e.status !== 'cancelled' && (
            <button
              type="button"
              className="secondary danger"
              onClick={() => {
                if (window.confirm(t('events.cancelConfirm')))
                  void setStatus('cancelled', 'events.cancelled')();
              }}
            >
              {t('events.cancel')}
            </button>
          )}
        </div>
      )}

      <section className="card" aria-labelledby="ev-details">
        <h2 id="ev-details">{t('person.details')}</h2>
        <dl>
          <div>
            <dt>{t('events.starts')}</dt>
            <dd>{formatWhen(language, e.starts_at, e.timezone)}</dd>
          </div>
          <div>
            <dt>{t('events.ends')}</dt>
            <dd>{formatWhen(language, e.ends_at, e.timezone)}</dd>
          </div>
          {place && (
            <div>
              <dt>{t('events.where')}</dt>
              <dd>
                <address>{place}</address>
              </dd>
            </div>
          )}
          {e.virtual_url && (
            <div>
              <dt>{t('events.online')}</dt>
              <dd>
                <a href={e.virtual_url} rel="noopener noreferrer" target="_blank">
                  {e.virtual_url}
                </a>
              </dd>
            </div>
          )}
          <div>
            <dt>{t('events.capacity')}</dt>
            <dd>{e.capacity === null ? t('events.noLimit') : e.capacity}</dd>
          </div>
          {e.campaign_id && (
            <div>
              <dt>{t('events.campaign')}</dt>
              <dd>
                <Link href={`/campaigns/${e.campaign_id}`}>{t('events.openCampaign')}</Link>
              </dd>
            </div>
          )}
        </dl>
        {e.description && <p className="body">{e.description}</p>}
        <ul className="counts" aria-label={t('events.headcount')}>
          <li>{t('events.count.going', { count: e.counts.going })}</li>
          <li>{t('events.count.waitlisted', { count: e.counts.waitlisted })}</li>
          <li>{t('events.count.attended', { count: e.counts.attended })}</li>
          <li>{t('events.count.noShow', { count: e.counts.no_show })}</li>
          <li>{t('events.count.walkIns', { count: e.counts.walk_ins })}</li>
        </ul>
      </section>

      {e.latitude !== null && e.longitude !== null && <EventMap event={e} />}

      <EventShifts event={e} onChange={refresh} />

      <Attendees id={e.id} canCheckIn={e.can.edit} round={round} onChange={refresh} />
      {e.can.edit && <WalkIn id={e.id} onDone={refresh} />}
      <WhatNextLists id={e.id} round={round} />
      {e.can.manage && <EventHosts id={e.id} />}
    </>
  );
}

/** The event's own place on the map (the same lazy map as the list's). */
function EventMap({ event }: { event: EventDetail }) {
  const { t } = useI18n();
  const { id, title, starts_at, timezone, status, latitude, longitude } = event;
  const points = useMemo(
    () =>
      latitude === null || longitude === null
        ? []
        : [{ id, title, starts_at, timezone, status, latitude, longitude }],
    [id, title, starts_at, timezone, status, latitude, longitude],
  );
  return (
    <Suspense fallback={<p className="loading">{t('map.loading')}</p>}>
      <EventsMap label={t('map.eventLabel')} points={points} />
    </Suspense>
  );
}

/** An email or phone as the API gives it: the value, or masked and labelled hidden. */
function Contact({ person }: { person: Person }) {
  const { t } = useI18n();
  const email = person.emails?.[0];
  const phone = person.phones?.[0];
  const shown: { key: string; value?: string; masked?: string }[] = [];
  if (email) shown.push({ key: 'e', value: email.address, masked: email.address_masked });
  if (phone) shown.push({ key: 'p', value: phone.number, masked: phone.number_masked });
  if (shown.length === 0) return null;
  return (
    <span className="contact">
      {shown.map((c) =>
        c.value ? (
          <span key={c.key}>{c.value}</span>
        ) : (
          <span key={c.key} className="masked" title={t('person.maskedHelp')}>
            <span aria-hidden="true">{c.masked ?? '•••'}</span>
            <span className="badge">{t('person.masked')}</span>
          </span>
        ),
      )}
    </span>
  );
}

function Attendees(props: { id: string; canCheckIn: boolean; round: number; onChange: () => void }) {
  const { t, tn } = useI18n();
  const [page, setPage] = useState(1);
  const list = useApi<Page<Attendee>>(
    `/api/v1/events/${props.id}/attendees?page=${page}&per_page=${ATTENDEES_PAGE}&_=${props.round}`,
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const checkIn = async (personId: string, attendance: 'attended' | 'no_show') => {
    setBusy(personId);
    setFailure(null);
    try {
      await api('POST', `/api/v1/events/${props.id}/check-ins`, { person_id: personId, attendance });
      props.onChange();
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
    } finally {
      setBusy(null);
    }
  };

  const pages = list.state === 'ok' ? Math.max(1, Math.ceil(list.data.total / ATTENDEES_PAGE)) : 1;
  return (
    <section className="card" aria-labelledby="ev-attendees">
      <h2 id="ev-attendees">{t('events.attendees')}</h2>
      <p className="hint">{t('events.attendeesHint')}</p>
      {list.state === 'ok' && <p className="count">{tn('events.attendeesTotal', list.data.total)}</p>}
      {list.state === 'error' && (
        <p className="error" role="alert">
          {t('app.error', { detail: errorText(list.error, t('app.offline')) })}
        </p>
      )}
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      {list.state === 'ok' && list.data.items.length === 0 && <p>{t('events.noAttendees')}</p>}
      {list.state === 'ok' && list.data.items.length > 0 && (
        <ul className="attendees">
          {list.data.items.map((a) => {
            const name = displayName(a.person);
            return (
              <li key={a.id} data-person={a.person_id}>
                <div className="who-line">
                  {a.person.given_name !== undefined && a.person.family_name !== undefined ? (
                    <Link href={`/people/${a.person_id}`} className="person-link">
                      {name ?? t('person.noName')}
                    </Link>
                  ) : (
                    <span className="person-link">{name ?? <em>{t('person.noName')}</em>}</span>
                  )}
                  <span className={`badge rsvp-${a.status}`}>
                    {t(`events.rsvp.${a.status}` as MessageKey)}
                  </span>
                  {a.attendance && (
                    <span className={`badge attendance-${a.attendance}`}>
                      {t(`events.attendance.${a.attendance}` as MessageKey)}
                    </span>
                  )}
                  {a.walk_in && <span className="badge">{t('events.walkInBadge')}</span>}
                </div>
                <Contact person={a.person} />
                {props.canCheckIn && a.status !== 'cancelled' && (
                  <div className="actions">
                    <button
                      type="button"
                      disabled={busy === a.person_id || a.attendance === 'attended'}
                      aria-label={t('events.checkInAs', { name: name ?? t('person.noName') })}
                      onClick={() => checkIn(a.person_id, 'attended')}
                    >
                      {t('events.checkIn')}
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy === a.person_id || a.attendance === 'no_show'}
                      aria-label={t('events.noShowAs', { name: name ?? t('person.noName') })}
                      onClick={() => checkIn(a.person_id, 'no_show')}
                    >
                      {t('events.noShow')}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {pages > 1 && (
        <nav className="paging" aria-label={t('search.paging')}>
          <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            {t('search.previous')}
          </button>
          <span>{t('search.page', { page, pages })}</span>
          <button
            type="button"
            className="secondary"
            disabled={page >= pages}
            onClick={() => setPage(page + 1)}
          >
            {t('search.next')}
          </button>
        </nav>
      )}
    </section>
  );
}

function WalkIn({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useI18n();
  const empty = { given_name: '', family_name: '', email: '', phone: '' };
  const [values, setValues] = useState(empty);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    setDone(null);
    const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
    try {
      await api('POST', `/api/v1/events/${id}/walk-ins`, body);
      setDone(t('events.walkInDone', { name: values.given_name }));
      setValues(empty);
      onDone();
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
    } finally {
      setBusy(false);
    }
  };
  const input = (key: keyof typeof empty, label: MessageKey, extra: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`walk-${key}`}>{t(label)}</label>
      <input
        id={`walk-${key}`}
        value={values[key]}
        onChange={(e) => setValues({ ...values, [key]: e.target.value })}
        {...extra}
      />
    </div>
  );
  return (
    <section className="card" aria-labelledby="ev-walkin">
      <h2 id="ev-walkin">{t('events.walkIn')}</h2>
      <form onSubmit={submit} className="walk-in">
        {input('given_name', 'events.walkIn.given', { required: true, autoComplete: 'off' })}
        {input('family_name', 'events.walkIn.family', { autoComplete: 'off' })}
        {input('email', 'events.walkIn.email', { type: 'email', autoComplete: 'off' })}
        {input('phone', 'events.walkIn.phone', { type: 'tel', autoComplete: 'off' })}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('events.walkIn.submit')}
          </button>
        </div>
      </form>
      <div aria-live="polite">{done && <p className="notice">{done}</p>}</div>
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
    </section>
  );
}

function WhatNextLists({ id, round }: { id: string; round: number }) {
  const { t } = useI18n();
  const lists = useApi<WhatNext>(`/api/v1/events/${id}/what-next?_=${round}`);
  if (lists.state !== 'ok') return null;
  const group = (key: MessageKey, people: (Person & { events_attended?: number })[]) => (
    <div className="what-next-group">
      <h3>{t(key)}</h3>
      {people.length === 0 ? (
        <p className="hint">{t('person.none')}</p>
      ) : (
        <ul className="values">
          {people.map((p) => (
            <li key={p.id}>
              {displayName(p) ?? <em>{t('person.noName')}</em>}
              {p.events_attended !== undefined &&
                ` · ${t('events.whatNext.attended', { count: p.events_attended })}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
  return (
    <section className="card" aria-labelledby="ev-next">
      <h2 id="ev-next">{t('events.whatNext')}</h2>
      {group('events.whatNext.noOneOnOne', lists.data.no_one_on_one)}
      {group('events.whatNext.firstTimers', lists.data.first_timers)}
      {group('events.whatNext.regulars', lists.data.regulars)}
    </section>
  );
}
