import { useEffect, useState } from 'react';
import { Link, useSearch } from 'wouter';
import type { Person } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { displayName } from '../../names.js';
import { useApi } from '../../useApi.js';
import { localDay } from './api.js';
import { type Logged, OneOnOneForm } from './OneOnOneForm.js';
import './organizing.css';

/**
 * "Log a one-on-one": choose who by name, then the few fields and one submit. `?person=<id>`
 * starts with that person chosen (from a follow-up, say).
 */
export function LogOneOnOne() {
  const { t, formatDay } = useI18n();
  const preset = new URLSearchParams(useSearch()).get('person');
  const loaded = useApi<Person>(preset ? `/api/v1/people/${encodeURIComponent(preset)}` : null);
  const [logged, setLogged] = useState<Logged | null>(null);
  // A new form after each one logged (fresh "now", empty fields).
  const [round, setRound] = useState(0);

  useEffect(() => {
    document.title = `${t('oneOnOne.title')} · ${t('app.name')}`;
  }, [t]);

  const person =
    preset && loaded.state === 'ok'
      ? { id: loaded.data.id, name: displayName(loaded.data), unit: loaded.data.home_unit?.name ?? null }
      : undefined;
  if (preset && loaded.state === 'loading')
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );

  return (
    <div className="organizing narrow">
      <h1>{t('oneOnOne.title')}</h1>
      {person && (
        <p className="lead">
          {t('oneOnOne.with')} <Link href={`/people/${person.id}`}>{person.name ?? t('person.noName')}</Link>
        </p>
      )}
      <div role="status" aria-live="polite">
        {logged && (
          <div className="notice saved">
            <p>
              {t('oneOnOne.saved', { name: logged.person.name ?? t('person.noName') })}
              {logged.result.follow_up &&
                ` ${t('oneOnOne.followUpSaved', { date: formatDay(localDay(new Date(logged.result.follow_up.due_at))) })}`}
            </p>
            <p className="actions">
              <Link href={`/people/${logged.person.id}`}>{t('oneOnOne.openPerson')}</Link>
              <Link href="/follow-ups">{t('oneOnOne.openFollowUps')}</Link>
            </p>
          </div>
        )}
      </div>
      <OneOnOneForm
        key={round}
        person={person}
        autoFocus
        onLogged={(done) => {
          setLogged(done);
          setRound((r) => r + 1);
        }}
      />
    </div>
  );
}
