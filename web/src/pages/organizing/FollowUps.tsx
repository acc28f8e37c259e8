import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { can, type FollowUp, localDay, refName } from './api.js';
import { failure, usePaged } from './hooks.js';
import './organizing.css';

type Due = 'overdue' | 'today' | 'later';
const SECTIONS: [Due, MessageKey][] = [
  ['overdue', 'followUps.overdue'],
  ['today', 'followUps.today'],
  ['later', 'followUps.later'],
];

function dueOf(item: FollowUp, now: Date): Due {
  const due = new Date(item.due_at);
  if (due < now) return 'overdue';
  return localDay(due) === localDay(now) ? 'today' : 'later';
}

/**
 * My follow-ups: the user's open follow-ups about people they may still see, soonest due first
 * (so the overdue come first), grouped as overdue, today and later. Done marks one done (with an
 * undo while the page is open).
 */
export function FollowUps() {
  const { t, tn } = useI18n();
  const { me } = useSession();
  const mayWrite = can(me, 'people.write');
  const { items, total, error: loadError, more } = usePaged<FollowUp>('/api/v1/follow-ups/mine?when=open');
  const [error, setError] = useState<string | null>(null);
  /** Follow-ups marked done on this page: they stay shown, with an undo. */
  const [done, setDone] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<string | null>(null);
  const [now] = useState(() => new Date());

  useEffect(() => {
    document.title = `${t('followUps.title')} · ${t('app.name')}`;
  }, [t]);

  const mark = async (item: FollowUp, status: 'done' | 'open') => {
    setBusy(item.id);
    setError(null);
    try {
      await api('PATCH', `/api/v1/follow-ups/${encodeURIComponent(item.id)}`, { status });
      setDone((before) => {
        const next = new Set(before);
        if (status === 'done') next.add(item.id);
        else next.delete(item.id);
        return next;
      });
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    } finally {
      setBusy(null);
    }
  };

  const open = total === null ? null : total - done.size;
  return (
    <div className="organizing">
      <h1>{t('followUps.title')}</h1>
      <p role="status" className="count">
        {open === null ? t('app.loading') : tn('followUps.open', open)}
      </p>
      {(error || loadError !== null) && (
        <p className="error" role="alert">
          {t('app.error', { detail: error ?? failure(loadError, t('app.offline')) })}
        </p>
      )}
      {total === 0 && <p>{t('followUps.none')}</p>}
      {SECTIONS.map(([due, heading]) => {
        const shown = items.filter((item) => dueOf(item, now) === due);
        if (shown.length === 0) return null;
        return (
          <section key={due} aria-labelledby={`due-${due}`} className={`due-group ${due}`}>
            <h2 id={`due-${due}`}>{t(heading)}</h2>
            <ul className="follow-ups">
              {shown.map((item) => (
                <FollowUpItem
                  key={item.id}
                  item={item}
                  done={done.has(item.id)}
                  busy={busy === item.id}
                  mayWrite={mayWrite}
                  overdue={due === 'overdue'}
                  onMark={(status) => mark(item, status)}
                />
              ))}
            </ul>
          </section>
        );
      })}
      {total !== null && items.length < total && (
        <button type="button" className="secondary" onClick={more}>
          {t('person.more')}
        </button>
      )}
    </div>
  );
}

function FollowUpItem(props: {
  item: FollowUp;
  done: boolean;
  busy: boolean;
  mayWrite: boolean;
  overdue: boolean;
  onMark: (status: 'done' | 'open') => void;
}) {
  const { t, formatDate } = useI18n();
  const { item } = props;
  const name = refName(item.person) ?? t('person.noName');
  return (
    <li className={props.done ? 'done' : undefined}>
      <div className="what">
        <strong className="title">{item.title}</strong>
        <Link href={`/people/${item.person.id}`}>{name}</Link>
        <span className={props.overdue && !props.done ? 'when late' : 'when'}>
          {props.done
            ? t('followUps.doneNow')
            : t(props.overdue ? 'followUps.wasDue' : 'followUps.due', {
                date: formatDate(item.due_at, true),
              })}
        </span>
      </div>
      {props.mayWrite && (
        <div className="actions">
          {props.done ? (
            <button
              type="button"
              className="secondary"
              disabled={props.busy}
              onClick={() => props.onMark('open')}
            >
              {t('followUps.undo')}
            </button>
          ) : (
            <>
              <button
                type="button"
                className="big"
                disabled={props.busy}
                aria-label={t('followUps.markDone', { title: item.title, name })}
                onClick={() => props.onMark('done')}
              >
                {t('followUps.done')}
              </button>
              <Link
                className="button secondary"
                href={`/one-on-ones/new?person=${item.person.id}`}
                aria-label={t('followUps.logWith', { name })}
              >
                {t('followUps.log')}
              </Link>
            </>
          )}
        </div>
      )}
    </li>
  );
}
