import { type FormEvent, useState } from 'react';
import { api, type Page, type Person, query } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { displayName } from '../../names.js';
import { errorText } from '../../useApi.js';
import type { Explanation } from './api.js';

const ACTIONS = ['people.read', 'people.write', 'person.message', 'person.call', 'people.export'] as const;
const FIELDS = ['', 'given_name', 'emails', 'phones', 'addresses', 'tags', 'ladder_level'] as const;

/** "Why can this user see this person?": find the person, ask the API, show its chain of reasons. */
export function Explain({ userId, email }: { userId: string; email: string }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Person[] | null>(null);
  const [person, setPerson] = useState<Person | null>(null);
  const [action, setAction] = useState<string>('people.read');
  const [field, setField] = useState<string>('');
  const [answer, setAnswer] = useState<Explanation | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setFound(
        (await api<Page<Person>>('GET', `/api/v1/people${query({ q: q.trim(), per_page: 5 })}`)).items,
      );
    } catch (caught) {
      setError(errorText(caught as Error, t('app.offline')));
    }
  };

  const explain = async (chosen: Person, nextAction = action, nextField = field) => {
    setPerson(chosen);
    setError(null);
    try {
      setAnswer(
        await api<Explanation>(
          'GET',
          `/api/v1/access/explain${query({ user: userId, person: chosen.id, action: nextAction, field: nextField })}`,
        ),
      );
    } catch (caught) {
      setAnswer(null);
      setError(errorText(caught as Error, t('app.offline')));
    }
  };

  return (
    <section className="card" aria-labelledby="h-explain">
      <h2 id="h-explain">{t('admin.explainTitle', { email })}</h2>
      <form className="search" onSubmit={search}>
        <div className="field grow">
          <label htmlFor="explain-q">{t('admin.explainPerson')}</label>
          <input id="explain-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <button type="submit">{t('search.submit')}</button>
      </form>
      {found && found.length === 0 && <p>{t('search.none')}</p>}
      {found && found.length > 0 && (
        <ul className="choices">
          {found.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="secondary"
                aria-pressed={person?.id === p.id}
                onClick={() => explain(p)}
              >
                {t('admin.explainWhy', { name: displayName(p) ?? t('person.noName') })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {person && (
        <div className="explain-options">
          <div className="field">
            <label htmlFor="explain-action">{t('admin.action')}</label>
            <select
              id="explain-action"
              value={action}
              onChange={(e) => {
                setAction(e.target.value);
                void explain(person, e.target.value, field);
              }}
            >
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="explain-field">{t('admin.field')}</label>
            <select
              id="explain-field"
              value={field}
              onChange={(e) => {
                setField(e.target.value);
                void explain(person, action, e.target.value);
              }}
            >
              {FIELDS.map((f) => (
                <option key={f} value={f}>
                  {f || t('admin.anyField')}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {answer && person && (
        <div className="explanation" aria-live="polite">
          <p className={answer.allowed ? 'verdict allowed' : 'verdict denied'}>
            <strong>
              {t(answer.allowed ? 'admin.allowed' : 'admin.denied', {
                email: answer.user.email,
                action: answer.action,
                name: displayName(person) ?? t('person.noName'),
              })}
            </strong>
          </p>
          <h3>{t('admin.because')}</h3>
          <ol className="reasons">
            {answer.reasons.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the chain is ordered and fixed
              <li key={i} className={`reason-${r.kind}`}>
                {r.message}
              </li>
            ))}
          </ol>
          <h3>{t('admin.liveGrants')}</h3>
          <ul>
            {answer.grants.map((g) => (
              <li key={g.id}>{g.description}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
