import { useEffect, useState } from 'react';
import { ApiError, api, type Person } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { displayName } from '../../names.js';
import type { Loaded } from '../../useApi.js';
import { errorText } from '../../useApi.js';
import type { Answer, AnswerValue, Question, Survey } from './api.js';
import './field.css';

/** The loading line, or the error of a failed load (404 reads as "not found or not yours"). */
export function LoadState({ loaded, notFound }: { loaded: Loaded<unknown>; notFound: string }) {
  const { t } = useI18n();
  if (loaded.state === 'loading')
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  if (loaded.state === 'error') {
    const missing = loaded.error instanceof ApiError && [400, 403, 404].includes(loaded.error.status);
    return (
      <p role="alert" className={missing ? 'notice' : 'error'}>
        {missing ? notFound : t('app.error', { detail: errorText(loaded.error, t('app.offline')) })}
      </p>
    );
  }
  return null;
}

/**
 * GETs `path` like useApi, and again whenever `version` changes (after a save). The last answer
 * stays in `data` while the next one loads, so the screen does not blink.
 */
export function useReloadable<T>(path: string | null, version: number): Loaded<T> & { data?: T } {
  const [result, setResult] = useState<Loaded<T> & { data?: T }>({ state: 'loading' });
  useEffect(() => {
    if (path === null || version < 0) return;
    let live = true;
    setResult((before) => ({
      state: 'loading',
      ...(before.data !== undefined ? { data: before.data } : {}),
    }));
    api<T>('GET', path).then(
      (data) => live && setResult({ state: 'ok', data }),
      (error: unknown) =>
        live &&
        setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  return result;
}

/** A value the user may reach but not read: shown masked and labelled hidden, for eyes and screen readers. */
export function Masked({ value }: { value: string }) {
  const { t } = useI18n();
  return (
    <span className="masked" title={t('person.maskedHelp')}>
      <span aria-hidden="true">{value}</span>
      <span className="badge">{t('person.masked')}</span>
    </span>
  );
}

export function nameOf(person: Person | null | undefined, fallback: string): string {
  return (person && displayName(person)) ?? fallback;
}

/**
 * A person as the API shows them to this user: the name, pronouns and language when shown; their
 * numbers and email addresses in full, masked, or not at all. `dial` makes a number a big button
 * to dial (a caller's screen).
 */
export function PersonSummary({
  person,
  dial = false,
  named = true,
}: {
  person: Person;
  dial?: boolean;
  /** Show the name (false where a heading already says it). */
  named?: boolean;
}) {
  const { t } = useI18n();
  const name = displayName(person);
  const details = [person.pronouns, person.preferred_language].filter(Boolean).join(' · ');
  return (
    <div className="field-person">
      {named && <p className="field-person-name">{name ?? <em>{t('person.noName')}</em>}</p>}
      {details && <p className="hint">{details}</p>}
      {person.phones && person.phones.length > 0 && (
        <ul className="values" aria-label={t('person.phones')}>
          {person.phones.map((p) => (
            <li key={p.id}>
              {p.number !== undefined ? (
                dial ? (
                  <a className="button field-dial" href={`tel:${p.number}`}>
                    {t('field.call.dial', { number: p.number })}
                  </a>
                ) : (
                  <a href={`tel:${p.number}`}>{p.number}</a>
                )
              ) : (
                <Masked value={p.number_masked ?? '•••'} />
              )}
            </li>
          ))}
        </ul>
      )}
      {person.emails && person.emails.length > 0 && (
        <ul className="values" aria-label={t('person.emails')}>
          {person.emails.map((e) => (
            <li key={e.id}>
              {e.address !== undefined ? (
                <a href={`mailto:${e.address}`}>{e.address}</a>
              ) : (
                <Masked value={e.address_masked ?? '•••'} />
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The capability actions the API offers for a person (reach them through Rhizome, unseen). */
export function Capabilities({ person, only }: { person: Person; only?: 'call' | 'message' }) {
  const { t } = useI18n();
  const [notice, setNotice] = useState(false);
  const caps = person.capabilities;
  const call = caps?.call && only !== 'message';
  const message = caps?.message && only !== 'call';
  if (!call && !message) return null;
  return (
    <div className="field-capabilities">
      <div className="actions">
        {call && (
          <button type="button" onClick={() => setNotice(true)} data-capability="call">
            {t('field.call.relay')}
          </button>
        )}
        {message && (
          <button
            type="button"
            className="secondary"
            onClick={() => setNotice(true)}
            data-capability="message"
          >
            {t('person.message')}
          </button>
        )}
      </div>
      <p role="status" className="hint">
        {notice ? t('person.actionSoon') : ''}
      </p>
    </div>
  );
}

export type Answers = Record<string, AnswerValue>;

/** The answers given, as the API takes them (unanswered questions left out). */
export function answerList(answers: Answers | undefined): Answer[] {
  return Object.entries(answers ?? {})
    .filter(([, value]) => value !== '' && !(Array.isArray(value) && value.length === 0))
    .map(([question, value]) => ({ question, value }));
}

/** A survey's questions as form controls, each labelled; `id` keeps two people's answers apart. */
export function SurveyFields(props: {
  survey: Survey;
  id: string;
  legend: string;
  answers: Answers;
  onChange: (answers: Answers) => void;
}) {
  const { t } = useI18n();
  const set = (key: string, value: AnswerValue | undefined) => {
    const next = { ...props.answers };
    if (value === undefined) delete next[key];
    else next[key] = value;
    props.onChange(next);
  };
  return (
    <fieldset className="field-survey">
      <legend>{props.legend}</legend>
      {props.survey.questions.map((q) => (
        <QuestionField
          key={q.id}
          id={`${props.id}-${q.key}`}
          question={q}
          value={props.answers[q.key]}
          onChange={(value) => set(q.key, value)}
          noAnswer={t('field.survey.noAnswer')}
          yes={t('field.survey.yes')}
          no={t('field.survey.no')}
        />
      ))}
    </fieldset>
  );
}

function QuestionField(props: {
  id: string;
  question: Question;
  value: AnswerValue | undefined;
  onChange: (value: AnswerValue | undefined) => void;
  noAnswer: string;
  yes: string;
  no: string;
}) {
  const { id, question: q, value, onChange } = props;
  if (q.type === 'text' || q.type === 'number')
    return (
      <div className="field">
        <label htmlFor={id}>{q.prompt}</label>
        <input
          id={id}
          type={q.type === 'number' ? 'number' : 'text'}
          inputMode={q.type === 'number' ? 'decimal' : undefined}
          value={value === undefined ? '' : String(value)}
          onChange={(e) => {
            const raw = e.target.value;
            if (raw.trim() === '') onChange(undefined);
            else onChange(q.type === 'number' ? Number(raw) : raw);
          }}
        />
      </div>
    );
  if (q.type === 'multiple_choice') {
    const chosen = Array.isArray(value) ? value : [];
    return (
      <fieldset className="field-choices">
        <legend>{q.prompt}</legend>
        {q.choices.map((c) => (
          <label key={c.key} className="field-choice">
            <input
              type="checkbox"
              checked={chosen.includes(c.key)}
              onChange={(e) =>
                onChange(e.target.checked ? [...chosen, c.key] : chosen.filter((k) => k !== c.key))
              }
            />
            {c.label}
          </label>
        ))}
      </fieldset>
    );
  }
  const options: { key: string; label: string; value: AnswerValue | undefined }[] =
    q.type === 'yes_no'
      ? [
          { key: 'yes', label: props.yes, value: true },
          { key: 'no', label: props.no, value: false },
        ]
      : q.choices.map((c) => ({ key: c.key, label: c.label, value: c.key }));
  return (
    <fieldset className="field-choices">
      <legend>{q.prompt}</legend>
      {[...options, { key: '', label: props.noAnswer, value: undefined }].map((o) => (
        <label key={o.key} className="field-choice">
          <input type="radio" name={id} checked={value === o.value} onChange={() => onChange(o.value)} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/** "n of m" as a bar and words: the words are what a screen reader reads. */
export function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <div className="field-progress">
      <progress value={value} max={Math.max(max, 1)} aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
