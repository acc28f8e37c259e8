import { type FormEvent, useId, useState } from 'react';
import { Link } from 'wouter';
import { api, type Page, type Person } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { displayName } from '../../names.js';
import { useSession } from '../../session.js';
import {
  type Assessment,
  can,
  GROUPING_PATHS,
  type GroupingKind,
  type GroupingView,
  type Ladder,
  localDay,
  type PersonGrouping,
  type PersonLadder,
} from './api.js';
import { failure, useLoaded } from './hooks.js';
import { OneOnOneForm } from './OneOnOneForm.js';
import './organizing.css';

/** "Log a one-on-one" on a person's page: one tap opens the form with the person chosen. */
export function PersonOneOnOne({ person }: { person: Person }) {
  const { t, formatDay } = useI18n();
  const { me } = useSession();
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  if (!can(me, 'people.write')) return null;
  const picked = { id: person.id, name: displayName(person), unit: person.home_unit?.name ?? null };
  return (
    <section aria-labelledby="one-on-one-heading" className="card organizing">
      <h2 id="one-on-one-heading">{t('oneOnOne.title')}</h2>
      <div role="status" aria-live="polite">
        {saved && <p className="notice">{saved}</p>}
      </div>
      {open ? (
        <OneOnOneForm
          person={picked}
          autoFocus
          onCancel={() => setOpen(false)}
          onLogged={({ result }) => {
            setOpen(false);
            setSaved(
              [
                t('oneOnOne.saved', { name: picked.name ?? t('person.noName') }),
                result.follow_up
                  ? t('oneOnOne.followUpSaved', {
                      date: formatDay(localDay(new Date(result.follow_up.due_at))),
                    })
                  : '',
              ]
                .filter(Boolean)
                .join(' '),
            );
          }}
        />
      ) : (
        <button
          type="button"
          className="big"
          onClick={() => {
            setSaved(null);
            setOpen(true);
          }}
        >
          {t('oneOnOne.start')}
        </button>
      )}
    </section>
  );
}

/** A person's lists and tags, and their ladders, on their page. */
export function PersonOrganizing({ person }: { person: Person }) {
  const { me } = useSession();
  return (
    <>
      {(can(me, 'lists.read') || can(me, 'tags.read')) && <PersonGroupings person={person} />}
      {can(me, 'ladders.read') && <PersonLadders person={person} />}
    </>
  );
}

function PersonGroupings({ person }: { person: Person }) {
  const { t } = useI18n();
  const { me } = useSession();
  const kinds = (['list', 'tag'] as const).filter((kind) => can(me, GROUPING_PATHS[kind].read));
  return (
    <section aria-labelledby="groupings-heading" className="card organizing">
      <h2 id="groupings-heading">{t('groupings.ofPerson')}</h2>
      {kinds.map((kind) => (
        <PersonGroupingKind key={kind} kind={kind} person={person} />
      ))}
    </section>
  );
}

function PersonGroupingKind({ kind, person }: { kind: GroupingKind; person: Person }) {
  const { t } = useI18n();
  const { me } = useSession();
  const id = useId();
  const paths = GROUPING_PATHS[kind];
  const mayWrite = can(me, paths.write) && can(me, 'people.write');
  const [version, setVersion] = useState(0);
  const mine = useLoaded<Page<PersonGrouping>>(
    `/api/v1/people/${encodeURIComponent(person.id)}/${paths.plural}?per_page=100`,
    version,
  );
  const all = useLoaded<Page<GroupingView>>(mayWrite ? `/api/v1/${paths.plural}?per_page=100` : null);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const heading = t(kind === 'list' ? 'groupings.lists' : 'groupings.tags');

  if (mine.state === 'error') return null; // not the user's to see (403/404): no section
  const held = mine.state === 'ok' ? mine.data.items : [];
  const options = all.state === 'ok' ? all.data.items.filter((g) => !held.some((h) => h.id === g.id)) : [];

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const target = options.find((g) => g.id === choice);
    if (!target) return setError(t(kind === 'list' ? 'groupings.chooseList' : 'groupings.chooseTag'));
    setError(null);
    try {
      await api('POST', `/api/v1/${paths.plural}/${encodeURIComponent(target.id)}/${paths.member}`, {
        person_id: person.id,
      });
      setChoice('');
      setNotice(t('groupings.addedTo', { name: target.name }));
      setVersion((v) => v + 1);
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    }
  };
  const remove = async (g: PersonGrouping) => {
    setError(null);
    try {
      await api(
        'DELETE',
        `/api/v1/${paths.plural}/${encodeURIComponent(g.id)}/${paths.member}/${encodeURIComponent(g.member_id)}`,
      );
      setNotice(t('groupings.removedFrom', { name: g.name }));
      setVersion((v) => v + 1);
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    }
  };

  return (
    <div className="grouping-kind">
      <h3 id={`${id}-heading`}>{heading}</h3>
      {mine.state === 'ok' && held.length === 0 && <p className="hint">{t('groupings.noneOfPerson')}</p>}
      {held.length > 0 && (
        <ul className="chips" aria-labelledby={`${id}-heading`}>
          {held.map((g) => (
            <li key={g.id}>
              <Link href={`/${paths.plural}/${g.id}`}>{g.name}</Link>
              {mayWrite && (
                <button
                  type="button"
                  className="remove"
                  aria-label={t('groupings.removeFrom', { name: g.name })}
                  onClick={() => remove(g)}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div role="status" aria-live="polite">
        {notice && <p className="hint">{notice}</p>}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {mayWrite && options.length > 0 && (
        <form className="inline-form" onSubmit={add} noValidate>
          <div className="field grow">
            <label htmlFor={`${id}-add`}>
              {t(kind === 'list' ? 'groupings.addToList' : 'groupings.addTag')}
            </label>
            <select id={`${id}-add`} value={choice} onChange={(e) => setChoice(e.target.value)}>
              <option value="">{t('groupings.choose')}</option>
              {options.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t('groupings.add')}</button>
        </form>
      )}
    </div>
  );
}

/** The person's level on each ladder, its history, and (for those who may) a new assessment. */
function PersonLadders({ person }: { person: Person }) {
  const { t, formatDate } = useI18n();
  const { me } = useSession();
  const [version, setVersion] = useState(0);
  const base = `/api/v1/people/${encodeURIComponent(person.id)}`;
  const current = useLoaded<{ items: PersonLadder[] }>(`${base}/ladders`, version);
  const history = useLoaded<{ items: Assessment[] }>(`${base}/assessments`, version);
  const ladders = useLoaded<{ items: Ladder[] }>(can(me, 'people.write') ? '/api/v1/ladders' : null);
  const [notice, setNotice] = useState<string | null>(null);

  // Without the status class the level is not the user's to read (403): no section.
  if (current.state === 'error' || (current.state === 'ok' && current.data.items.length === 0)) return null;
  const assessable =
    ladders.state === 'ok' ? ladders.data.items.filter((l) => !l.archived_at && l.levels.length > 0) : [];

  return (
    <section aria-labelledby="ladders-heading" className="card organizing">
      <h2 id="ladders-heading">{t('ladders.ofPerson')}</h2>
      {current.state === 'ok' && (
        <ul className="levels">
          {current.data.items.map((l) => (
            <li key={l.ladder_id}>
              <Link href={`/ladders/${l.ladder_id}`}>{l.ladder_name}</Link>:{' '}
              <strong>{l.current ? l.current.level_name : t('ladders.notAssessed')}</strong>{' '}
              {l.current && l.days_since_assessed !== null && (
                <span className="hint">{t('ladders.daysAgo', { days: l.days_since_assessed })}</span>
              )}
              {l.stale && <span className="badge">{t('ladders.stale')}</span>}
            </li>
          ))}
        </ul>
      )}
      <div role="status" aria-live="polite">
        {notice && <p className="notice">{notice}</p>}
      </div>
      {assessable.length > 0 && !person.legal_hold && (
        <AssessForm
          person={person}
          ladders={assessable}
          onAssessed={(a) => {
            setNotice(t('ladders.assessed', { level: a.level_name }));
            setVersion((v) => v + 1);
          }}
        />
      )}
      {history.state === 'ok' && history.data.items.length > 0 && (
        <details className="history">
          <summary>{t('ladders.history', { count: history.data.items.length })}</summary>
          <ol>
            {history.data.items.map((a) => (
              <li key={a.id}>
                <strong>{a.level_name}</strong>{' '}
                <span className="hint">
                  {current.state === 'ok' &&
                    current.data.items.length > 1 &&
                    `${current.data.items.find((l) => l.ladder_id === a.ladder_id)?.ladder_name ?? ''} · `}
                  <time dateTime={a.assessed_at}>{formatDate(a.assessed_at)}</time> ·{' '}
                  {t(a.source === 'suggestion' ? 'ladders.fromSuggestion' : 'ladders.byOrganizer')}
                </span>
                {a.evidence && <p className="body">{a.evidence}</p>}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}

function AssessForm(props: { person: Person; ladders: Ladder[]; onAssessed: (a: Assessment) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [ladderId, setLadderId] = useState(props.ladders[0]?.id ?? '');
  const [levelId, setLevelId] = useState('');
  const [evidence, setEvidence] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ladder = props.ladders.find((l) => l.id === ladderId);
  const levels = ladder?.levels.filter((v) => !v.retired_at) ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!levelId) return setError(t('ladders.chooseLevel'));
    setBusy(true);
    setError(null);
    try {
      const assessment = await api<Assessment>(
        'POST',
        `/api/v1/people/${encodeURIComponent(props.person.id)}/assessments`,
        { ladder_id: ladderId, level_id: levelId, ...(evidence.trim() ? { evidence: evidence.trim() } : {}) },
      );
      setLevelId('');
      setEvidence('');
      props.onAssessed(assessment);
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="assess" onSubmit={submit} noValidate>
      {props.ladders.length > 1 && (
        <div className="field">
          <label htmlFor={`${id}-ladder`}>{t('ladders.ladder')}</label>
          <select
            id={`${id}-ladder`}
            value={ladderId}
            onChange={(e) => {
              setLadderId(e.target.value);
              setLevelId('');
            }}
          >
            {props.ladders.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <fieldset className="levels-choice">
        <legend>{t('ladders.assess', { ladder: ladder?.name ?? '' })}</legend>
        {levels.map((v) => (
          <label key={v.id} className="choice">
            <input
              type="radio"
              name={`${id}-level`}
              value={v.id}
              checked={levelId === v.id}
              onChange={() => setLevelId(v.id)}
            />
            <span>{v.name}</span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-evidence`}>{t('ladders.evidenceLabel')}</label>
        <textarea
          id={`${id}-evidence`}
          rows={2}
          value={evidence}
          onChange={(e) => setEvidence(e.target.value)}
        />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('ladders.saveLevel')}
      </button>
    </form>
  );
}
