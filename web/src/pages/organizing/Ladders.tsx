import { useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { api, type Unit } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import {
  can,
  type Ladder,
  type LadderPerson,
  type Level,
  type Movement,
  type Pipeline,
  type PipelineCount,
  refName,
  type Suggestion,
} from './api.js';
import { failure, useLoaded, usePaged } from './hooks.js';
import './organizing.css';

/** The ladders to choose from (one board each). */
export function LaddersPage() {
  const { t } = useI18n();
  const ladders = useLoaded<{ items: Ladder[] }>('/api/v1/ladders');
  useEffect(() => {
    document.title = `${t('ladders.title')} · ${t('app.name')}`;
  }, [t]);
  return (
    <div className="organizing">
      <h1>{t('ladders.title')}</h1>
      {ladders.state === 'loading' && (
        <p role="status" className="loading">
          {t('app.loading')}
        </p>
      )}
      {ladders.state === 'error' && (
        <p className="error" role="alert">
          {t('app.error', { detail: failure(ladders.error, t('app.offline')) })}
        </p>
      )}
      {ladders.state === 'ok' && ladders.data.items.length === 0 && <p>{t('ladders.none')}</p>}
      {ladders.state === 'ok' && ladders.data.items.length > 0 && (
        <ul className="groupings">
          {ladders.data.items.map((ladder) => (
            <li key={ladder.id}>
              <Link href={`/ladders/${ladder.id}`} className="person-link">
                {ladder.name}
              </Link>
              <span className="unit">
                {ladder.archived_at
                  ? t('ladders.archived')
                  : ladder.levels
                      .filter((v) => !v.retired_at)
                      .map((v) => v.name)
                      .join(' → ')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const PERIODS: [number, MessageKey][] = [
  [7, 'ladders.period7'],
  [30, 'ladders.period30'],
  [90, 'ladders.period90'],
];

/**
 * The pipeline board of one ladder: a column per level with how many people hold it now in each
 * unit (counts, GET /ladders/:id/pipeline) and who they are (names the user may read), who moved
 * in a period, and the open suggestions to accept or dismiss.
 */
export function LadderBoard({ id }: { id: string }) {
  const { t, formatDate } = useI18n();
  const { me } = useSession();
  const [version, setVersion] = useState(0);
  const base = `/api/v1/ladders/${encodeURIComponent(id)}`;
  const ladder = useLoaded<Ladder>(base);
  const mayCount = can(me, 'people.aggregate');
  const mayRead = can(me, 'people.read');
  const pipeline = useLoaded<Pipeline>(mayCount ? `${base}/pipeline` : null, version);
  const people = useLoaded<{ items: LadderPerson[]; total: number }>(
    mayRead ? `${base}/people?per_page=100` : null,
    version,
  );
  const units = useLoaded<{ items: Unit[] }>(can(me, 'units.read') ? '/api/v1/units' : null);
  const name = ladder.state === 'ok' ? ladder.data.name : null;

  useEffect(() => {
    if (name) document.title = `${name} · ${t('app.name')}`;
  }, [name, t]);

  const back = (
    <p className="back">
      <Link href="/ladders">{t('ladders.back')}</Link>
    </p>
  );
  if (ladder.state === 'loading')
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  if (ladder.state === 'error')
    return (
      <div className="organizing">
        {back}
        <h1>{t('notFound.title')}</h1>
        <p role="alert">{failure(ladder.error, t('app.offline'))}</p>
      </div>
    );

  const unitNames = new Map<string, string>(
    units.state === 'ok' ? units.data.items.map((u) => [u.id, u.name]) : [],
  );
  const latest = pipeline.state === 'ok' ? pipeline.data.points.at(-1) : undefined;
  const first = pipeline.state === 'ok' ? pipeline.data.points[0] : undefined;
  const levels = ladder.data.levels.filter(
    (v) => !v.retired_at || latest?.counts.some((c) => c.level_id === v.id && c.people > 0),
  );
  const changed = () => setVersion((v) => v + 1);

  return (
    <div className="organizing wide">
      {back}
      <h1>{ladder.data.name}</h1>
      {ladder.data.description && <p>{ladder.data.description}</p>}
      {pipeline.state === 'error' && (
        <p className="error" role="alert">
          {t('app.error', { detail: failure(pipeline.error, t('app.offline')) })}
        </p>
      )}
      <section aria-labelledby="board-heading">
        <h2 id="board-heading">{t('ladders.board')}</h2>
        {first && latest && <p className="hint">{t('ladders.since', { date: formatDate(first.at) })}</p>}
        <ol className="board">
          {levels.map((level) => (
            <LevelColumn
              key={level.id}
              level={level}
              now={latest?.counts.filter((c) => c.level_id === level.id)}
              before={first?.counts.filter((c) => c.level_id === level.id)}
              unitName={(c) => (c.unit_id ? (unitNames.get(c.unit_id) ?? c.unit_path) : null)}
              people={
                people.state === 'ok' ? people.data.items.filter((p) => p.level_id === level.id) : undefined
              }
            />
          ))}
        </ol>
        {people.state === 'ok' && people.data.total > people.data.items.length && (
          <p className="hint">
            {t('ladders.morePeople', { shown: people.data.items.length, total: people.data.total })}
          </p>
        )}
      </section>
      {mayRead && <Suggestions ladder={ladder.data} version={version} onDecided={changed} />}
      {mayRead && <Movements ladder={ladder.data} version={version} />}
    </div>
  );
}

function LevelColumn(props: {
  level: Level;
  now: PipelineCount[] | undefined;
  before: PipelineCount[] | undefined;
  unitName: (c: PipelineCount) => string | null;
  people: LadderPerson[] | undefined;
}) {
  const { t, tn } = useI18n();
  const headingId = useId();
  const sum = (counts: PipelineCount[] | undefined) => counts?.reduce((n, c) => n + c.people, 0);
  const total = sum(props.now);
  const change = total !== undefined ? total - (sum(props.before) ?? 0) : 0;
  return (
    <li className="column" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {props.level.name}
        {props.level.retired_at && <span className="badge">{t('ladders.retired')}</span>}
      </h3>
      {total !== undefined && (
        <p className="total">
          <strong>{tn('ladders.people', total)}</strong>
          {change !== 0 && (
            <span className="change">
              {t(change > 0 ? 'ladders.up' : 'ladders.down', { n: Math.abs(change) })}
            </span>
          )}
        </p>
      )}
      {props.now && props.now.length > 0 && (
        <ul className="units" aria-label={t('ladders.byUnit')}>
          {props.now.map((c) => (
            <li key={c.unit_id ?? 'none'}>
              <span>{props.unitName(c) ?? t('ladders.noUnit')}</span> <strong>{c.people}</strong>
            </li>
          ))}
        </ul>
      )}
      {props.people && props.people.length > 0 && (
        <ul className="names" aria-label={t('ladders.who')}>
          {props.people.map((p) => (
            <li key={p.person.id}>
              <Link href={`/people/${p.person.id}`}>{refName(p.person) ?? t('person.noName')}</Link>
              {p.stale && <span className="badge">{t('ladders.stale')}</span>}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function Suggestions(props: { ladder: Ladder; version: number; onDecided: () => void }) {
  const { t, tn } = useI18n();
  const { me } = useSession();
  const mayWrite = can(me, 'people.write');
  const [own, setOwn] = useState(0);
  const list = usePaged<Suggestion>(
    `/api/v1/suggestions?status=open&ladder_id=${encodeURIComponent(props.ladder.id)}`,
    props.version + own,
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (s: Suggestion, verb: 'accept' | 'dismiss') => {
    const name = refName(s.person) ?? t('person.noName');
    setBusy(s.id);
    setError(null);
    try {
      await api('POST', `/api/v1/suggestions/${encodeURIComponent(s.id)}/${verb}`, {});
      setNotice(
        t(verb === 'accept' ? 'ladders.accepted' : 'ladders.dismissed', { name, level: s.level_name }),
      );
      props.onDecided();
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    } finally {
      setBusy(null);
    }
  };
  const run = async () => {
    setError(null);
    try {
      const result = await api<{ created: number }>(
        'POST',
        `/api/v1/ladders/${encodeURIComponent(props.ladder.id)}/suggestions/run`,
      );
      setNotice(tn('ladders.found', result.created));
      setOwn((n) => n + 1);
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    }
  };

  return (
    <section aria-labelledby="suggestions-heading" className="card">
      <h2 id="suggestions-heading">{t('ladders.suggestions')}</h2>
      <p className="count">{list.total === null ? t('app.loading') : tn('ladders.open', list.total)}</p>
      <div role="status" aria-live="polite">
        {notice && <p className="notice">{notice}</p>}
      </div>
      {(error || list.error !== null) && (
        <p className="error" role="alert">
          {error ?? failure(list.error, t('app.offline'))}
        </p>
      )}
      {list.items.length > 0 && (
        <ul className="suggestions">
          {list.items.map((s) => {
            const name = refName(s.person) ?? t('person.noName');
            return (
              <li key={s.id}>
                <div className="what">
                  <Link href={`/people/${s.person.id}`}>{name}</Link>
                  <span>{t('ladders.suggested', { level: s.level_name })}</span>
                  {s.evidence.count !== undefined && (
                    <span className="hint">
                      {t('ladders.evidence', {
                        count: s.evidence.count,
                        rule: s.evidence.rule ?? '',
                        days: s.evidence.window_days ?? '',
                      })}
                    </span>
                  )}
                </div>
                {mayWrite && (
                  <div className="actions">
                    <button
                      type="button"
                      disabled={busy === s.id}
                      aria-label={t('ladders.acceptNamed', { name, level: s.level_name })}
                      onClick={() => act(s, 'accept')}
                    >
                      {t('ladders.accept')}
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy === s.id}
                      aria-label={t('ladders.dismissNamed', { name, level: s.level_name })}
                      onClick={() => act(s, 'dismiss')}
                    >
                      {t('ladders.dismiss')}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {list.total !== null && list.items.length < list.total && (
        <button type="button" className="secondary" onClick={list.more}>
          {t('person.more')}
        </button>
      )}
      {mayWrite && !props.ladder.archived_at && (
        <p>
          <button type="button" className="secondary" onClick={run}>
            {t('ladders.run')}
          </button>
        </p>
      )}
    </section>
  );
}

function Movements(props: { ladder: Ladder; version: number }) {
  const { t, tn, formatDate } = useI18n();
  const id = useId();
  const [days, setDays] = useState(30);
  // The period ends now and starts `days` before (the API's default end is now too).
  const [since, setSince] = useState(() => new Date(Date.now() - 30 * 86_400_000).toISOString());
  const list = usePaged<Movement>(
    `/api/v1/ladders/${encodeURIComponent(props.ladder.id)}/movements?since=${encodeURIComponent(since)}`,
    props.version,
  );
  const levelName = (levelId: string | null) =>
    props.ladder.levels.find((v) => v.id === levelId)?.name ?? t('ladders.noLevel');

  return (
    <section aria-labelledby="movements-heading" className="card">
      <h2 id="movements-heading">{t('ladders.movements')}</h2>
      <div className="field">
        <label htmlFor={`${id}-period`}>{t('ladders.period')}</label>
        <select
          id={`${id}-period`}
          value={days}
          onChange={(e) => {
            const n = Number(e.target.value);
            setDays(n);
            setSince(new Date(Date.now() - n * 86_400_000).toISOString());
          }}
        >
          {PERIODS.map(([n, label]) => (
            <option key={n} value={n}>
              {t(label)}
            </option>
          ))}
        </select>
      </div>
      <p className="count" aria-live="polite">
        {list.total === null ? t('app.loading') : tn('ladders.moved', list.total)}
      </p>
      {list.error !== null && (
        <p className="error" role="alert">
          {failure(list.error, t('app.offline'))}
        </p>
      )}
      {list.items.length > 0 && (
        <ul className="movements">
          {list.items.map((m) => (
            <li key={m.person.id} className={m.direction}>
              <span className="arrow" aria-hidden="true">
                {m.direction === 'up' ? '▲' : m.direction === 'down' ? '▼' : '●'}
              </span>
              <Link href={`/people/${m.person.id}`}>{refName(m.person) ?? t('person.noName')}</Link>
              <span>
                {t(`ladders.direction.${m.direction}`, {
                  from: levelName(m.from_level_id),
                  to: levelName(m.to_level_id),
                })}
              </span>
              <time className="hint" dateTime={m.at}>
                {formatDate(m.at)}
              </time>
            </li>
          ))}
        </ul>
      )}
      {list.total !== null && list.items.length < list.total && (
        <button type="button" className="secondary" onClick={list.more}>
          {t('person.more')}
        </button>
      )}
    </section>
  );
}
