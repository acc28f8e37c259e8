import { type ReactNode, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, type Page, type Person, type Provenance, type TimelineEntry } from '../api.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import { displayName } from '../names.js';
import { errorText, useApi } from '../useApi.js';
import { PersonConsent, PersonOneOnOne, PersonOrganizing, TIMELINE_CHANGED } from './organizing/index.js';

const TIMELINE_PAGE = 20;
/** Activity kinds with a label in the catalogs (src/notes ACTIVITY_KINDS); others read "Activity". */
const KINDS = new Set(['note', 'one_on_one', 'call', 'door_knock', 'meeting', 'other']);
/** Source kinds with a label in the catalogs (src/people SOURCE_KINDS). */
const SOURCES = new Set(['import', 'api', 'user', 'form', 'signup', 'system', 'merge', 'partner']);

/**
 * One person as the API shows them to this user: a section appears only when its field came back;
 * a masked value is shown masked and labelled; the capabilities are the actions offered.
 */
export function PersonPage({ id }: { id: string }) {
  const { t } = useI18n();
  const loaded = useApi<Person>(`/api/v1/people/${encodeURIComponent(id)}`);
  const name = loaded.state === 'ok' ? displayName(loaded.data) : null;

  useEffect(() => {
    if (loaded.state === 'ok') document.title = `${name ?? t('person.noName')} · ${t('app.name')}`;
  }, [loaded.state, name, t]);

  const back = (
    <p className="back">
      <Link href="/people">{t('person.back')}</Link>
    </p>
  );
  if (loaded.state === 'loading')
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  if (loaded.state === 'error') {
    const missing =
      loaded.error instanceof ApiError && (loaded.error.status === 404 || loaded.error.status === 400);
    return (
      <>
        {back}
        <h1>{missing ? t('notFound.title') : t('app.error', { detail: '' })}</h1>
        <p role="alert" className={missing ? undefined : 'error'}>
          {missing ? t('person.notFound') : errorText(loaded.error, t('app.offline'))}
        </p>
      </>
    );
  }
  const person = loaded.data;
  return (
    <>
      {back}
      <h1>{name ?? <em>{t('person.noName')}</em>}</h1>
      <Flags person={person} />
      <Actions person={person} />
      <PersonOneOnOne person={person} />
      <Details person={person} />
      <Contacts person={person} />
      <PersonConsent person={person} />
      <PersonOrganizing person={person} />
      <Timeline id={person.id} />
    </>
  );
}

function Flags({ person }: { person: Person }) {
  const { t } = useI18n();
  const flags: MessageKey[] = [];
  if (person.do_not_contact) flags.push('person.flag.doNotContact');
  if (person.sensitive) flags.push('person.flag.sensitive');
  if (person.legal_hold) flags.push('person.flag.legalHold');
  if (flags.length === 0) return null;
  return (
    <ul className="flags">
      {flags.map((flag) => (
        <li key={flag}>{t(flag)}</li>
      ))}
    </ul>
  );
}

function Actions({ person }: { person: Person }) {
  const { t } = useI18n();
  const [notice, setNotice] = useState(false);
  const caps = person.capabilities;
  if (!caps?.message && !caps?.call) return null;
  return (
    <section aria-labelledby="actions-heading" className="card">
      <h2 id="actions-heading">{t('person.actions')}</h2>
      <div className="actions">
        {caps.message && (
          <button type="button" onClick={() => setNotice(true)} data-capability="message">
            {t('person.message')}
          </button>
        )}
        {caps.call && (
          <button type="button" onClick={() => setNotice(true)} data-capability="call">
            {t('person.call')}
          </button>
        )}
      </div>
      <p role="status" className="hint">
        {notice ? t('person.actionSoon') : ''}
      </p>
    </section>
  );
}

function Details({ person }: { person: Person }) {
  const { t, formatDay } = useI18n();
  const rows: [MessageKey, string][] = [];
  if (person.pronouns) rows.push(['person.pronouns', person.pronouns]);
  if (person.preferred_language) rows.push(['person.language', person.preferred_language]);
  if (person.birthdate) rows.push(['person.birthdate', formatDay(person.birthdate)]);
  if (person.home_unit) rows.push(['person.homeUnit', person.home_unit.name]);
  const custom = Object.entries(person.custom_fields ?? {});
  if (rows.length === 0 && person.tags === undefined && custom.length === 0) return null;
  return (
    <section aria-labelledby="details-heading" className="card">
      <h2 id="details-heading">{t('person.details')}</h2>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{t(label)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        {person.tags !== undefined && (
          <div>
            <dt>{t('person.tags')}</dt>
            <dd>
              {person.tags.length === 0 ? (
                t('person.noTags')
              ) : (
                <ul className="tags">
                  {person.tags.map((tag) => (
                    <li key={tag}>{tag}</li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        )}
        {custom.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** A value the user may not read: shown masked, labelled as hidden for eyes and screen readers. */
function Masked({ value }: { value: string }) {
  const { t } = useI18n();
  return (
    <span className="masked" title={t('person.maskedHelp')}>
      <span aria-hidden="true">{value}</span>
      <span className="badge">{t('person.masked')}</span>
    </span>
  );
}

/** An email address or phone number: a link when the user may read it, masked when they may not. */
function Reachable(props: { value: string | undefined; masked: string | undefined; scheme: string }) {
  return props.value !== undefined ? (
    <a href={`${props.scheme}${props.value}`}>{props.value}</a>
  ) : (
    <Masked value={props.masked ?? '•••'} />
  );
}

function Contacts({ person }: { person: Person }) {
  const { t } = useI18n();
  const { formatDate } = useI18n();
  // Where a value came from and when ("from an import, Nov 20, 2025"); the raw reference is an id.
  const source = (v: Provenance) => {
    if (!v.source) return null;
    const key = `person.source.${v.source.kind}` as MessageKey;
    const from = SOURCES.has(v.source.kind) ? t(key) : v.source.kind;
    const when = v.confirmed_at ?? v.observed_at;
    return (
      <span className="source">
        {when ? t('person.source', { source: from, date: formatDate(when) }) : from}
      </span>
    );
  };
  const primary = (p: boolean) => (p ? <span className="badge">{t('person.primary')}</span> : null);
  return (
    <>
      {person.emails !== undefined && (
        <ContactList title={t('person.emails')} id="emails" empty={person.emails.length === 0}>
          {person.emails.map((e) => (
            <li key={e.id}>
              <Reachable value={e.address} masked={e.address_masked} scheme="mailto:" /> {primary(e.primary)}{' '}
              {source(e)}
            </li>
          ))}
        </ContactList>
      )}
      {person.phones !== undefined && (
        <ContactList title={t('person.phones')} id="phones" empty={person.phones.length === 0}>
          {person.phones.map((p) => (
            <li key={p.id}>
              <Reachable value={p.number} masked={p.number_masked} scheme="tel:" /> {primary(p.primary)}{' '}
              {source(p)}
            </li>
          ))}
        </ContactList>
      )}
      {person.addresses !== undefined && (
        <ContactList title={t('person.addresses')} id="addresses" empty={person.addresses.length === 0}>
          {person.addresses.map((a) => (
            <li key={a.id}>
              <address>
                {[
                  ...(a.lines ?? []),
                  [a.locality, a.region, a.postal_code].filter(Boolean).join(' '),
                  a.country,
                ]
                  .filter(Boolean)
                  .join(', ')}
              </address>{' '}
              {primary(a.primary)} {source(a)}
            </li>
          ))}
        </ContactList>
      )}
    </>
  );
}

function ContactList(props: { title: string; id: string; empty: boolean; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby={`${props.id}-heading`} className="card">
      <h2 id={`${props.id}-heading`}>{props.title}</h2>
      {props.empty ? <p>{t('person.none')}</p> : <ul className="values">{props.children}</ul>}
    </section>
  );
}

/** A one-on-one's interests and next step (GET /people/:id/one-on-ones), by its activity's id. */
interface OneOnOneExtra {
  activity: { id: string };
  interests: string[];
  next_step: string | null;
}

function Timeline({ id }: { id: string }) {
  const { t, formatDate } = useI18n();
  const [entries, setEntries] = useState<TimelineEntry[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<string | null>(null);
  // Bumped when another part of the page adds to the timeline (a one-on-one logged here).
  const [version, setVersion] = useState(0);
  const [extras, setExtras] = useState<Map<string, OneOnOneExtra>>(new Map());

  useEffect(() => {
    const changed = (event: Event) => {
      if ((event as CustomEvent<string>).detail !== id) return;
      setPage(1);
      setVersion((v) => v + 1);
    };
    window.addEventListener(TIMELINE_CHANGED, changed);
    return () => window.removeEventListener(TIMELINE_CHANGED, changed);
  }, [id]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version reloads the first page
  useEffect(() => {
    let live = true;
    api<Page<TimelineEntry>>(
      'GET',
      `/api/v1/people/${encodeURIComponent(id)}/timeline?page=${page}&per_page=${TIMELINE_PAGE}`,
    ).then(
      (data) => {
        if (!live) return;
        setEntries((before) => (page === 1 ? data.items : [...before, ...data.items]));
        setTotal(data.total);
      },
      (caught: unknown) =>
        live && setError(caught instanceof ApiError ? errorText(caught, '') : t('app.offline')),
    );
    return () => {
      live = false;
    };
  }, [id, page, t, version]);

  const hasOneOnOne = entries.some((entry) => entry.kind === 'one_on_one');
  // biome-ignore lint/correctness/useExhaustiveDependencies: version reloads them with the timeline
  useEffect(() => {
    if (!hasOneOnOne) return;
    let live = true;
    api<{ items: OneOnOneExtra[] }>('GET', `/api/v1/people/${encodeURIComponent(id)}/one-on-ones`).then(
      (data) => live && setExtras(new Map(data.items.map((item) => [item.activity.id, item]))),
      () => {}, // the entries still show without them
    );
    return () => {
      live = false;
    };
  }, [id, hasOneOnOne, version]);

  const label = (entry: TimelineEntry): string => {
    if (entry.type === 'note') return t('person.note');
    const kind = entry.kind && KINDS.has(entry.kind) ? entry.kind : 'other';
    return t(`person.activity.${kind}` as MessageKey);
  };

  return (
    <section aria-labelledby="timeline-heading" className="card">
      <h2 id="timeline-heading">{t('person.timeline')}</h2>
      {error && (
        <p className="error" role="alert">
          {t('app.error', { detail: error })}
        </p>
      )}
      {total === 0 && <p>{t('person.timelineEmpty')}</p>}
      {entries.length > 0 && (
        <ol className="timeline">
          {entries.map((entry) => (
            <li key={`${entry.type}-${entry.id}`}>
              <div className="when">
                <strong>{label(entry)}</strong> <time dateTime={entry.at}>{formatDate(entry.at, true)}</time>
              </div>
              {entry.body && <p className="body">{entry.body}</p>}
              <OneOnOneDetails extra={extras.get(entry.id)} />
              {entry.outcome && <p className="hint">{t('person.outcome', { outcome: entry.outcome })}</p>}
            </li>
          ))}
        </ol>
      )}
      {total !== null && entries.length < total && (
        <button type="button" className="secondary" onClick={() => setPage((p) => p + 1)}>
          {t('person.more')}
        </button>
      )}
    </section>
  );
}

function OneOnOneDetails({ extra }: { extra: OneOnOneExtra | undefined }) {
  const { t } = useI18n();
  if (!extra || (extra.interests.length === 0 && !extra.next_step)) return null;
  return (
    <dl className="one-on-one-details">
      {extra.interests.length > 0 && (
        <div>
          <dt>{t('oneOnOne.interests')}</dt>
          <dd>{extra.interests.join(', ')}</dd>
        </div>
      )}
      {extra.next_step && (
        <div>
          <dt>{t('oneOnOne.nextStep')}</dt>
          <dd>{extra.next_step}</dd>
        </div>
      )}
    </dl>
  );
}
