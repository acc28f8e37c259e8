import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../useApi.js';
import {
  CALL_OUTCOMES,
  type CallInput,
  type CallList,
  type CallOutcome,
  type CallProgress,
  type NextCall,
} from './api.js';
import {
  type Answers,
  answerList,
  Capabilities,
  LoadState,
  nameOf,
  PersonSummary,
  Progress,
  SurveyFields,
  useReloadable,
} from './parts.js';

const outcomeKey = (outcome: string) => `field.outcome.${outcome}` as MessageKey;

/**
 * A call list on a phone: claim the next person (held for this caller until the claim expires),
 * the script, the number where the caller's grants show it (otherwise the call capability), the
 * outcome and the survey, then the next person.
 */
export function CallRunner({ id }: { id: string }) {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const loaded = useReloadable<CallList>(`/api/v1/call-lists/${encodeURIComponent(id)}`, version);
  const list = loaded.data ?? null;
  const [current, setCurrent] = useState<NextCall | null>(null);
  const [empty, setEmpty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const name = list?.name;

  useEffect(() => {
    if (name) document.title = `${name} · ${t('app.name')}`;
  }, [name, t]);

  const back = (
    <p className="back">
      <Link href="/call">{t('field.call.back')}</Link>
    </p>
  );
  if (!list)
    return (
      <>
        {back}
        <LoadState loaded={loaded} notFound={t('field.call.notFound')} />
      </>
    );

  const claim = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await api<NextCall>('POST', `/api/v1/call-lists/${list.id}/next`);
      setCurrent(next.target ? next : null);
      setEmpty(next.target === null);
      setVersion((v) => v + 1);
    } catch (caught) {
      setError(caught instanceof ApiError ? errorText(caught, '') : t('app.offline'));
    } finally {
      setBusy(false);
    }
  };

  const progress: CallProgress = list.progress;
  return (
    <>
      {back}
      <h1>{list.name}</h1>
      <Progress
        value={progress.done}
        max={progress.total}
        label={t('field.call.progress', { done: progress.done, total: progress.total })}
      />
      <p role="status" className="field-saved">
        {saved ?? ''}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {list.status === 'closed' ? (
        <p className="notice">{t('field.call.closed')}</p>
      ) : current?.target && current.person ? (
        <CallCard
          key={current.target.id}
          listId={list.id}
          call={current}
          onSaved={async (outcome) => {
            setSaved(t('field.call.saved', { outcome: t(outcomeKey(outcome)) }));
            setCurrent(null);
            await claim();
          }}
        />
      ) : (
        <>
          {empty && <p className="notice">{t('field.call.nobody')}</p>}
          {list.script && (
            <section className="card" aria-labelledby="script-heading">
              <h2 id="script-heading">{t('field.call.script')}</h2>
              <p className="field-script">{list.script}</p>
            </section>
          )}
          <button type="button" className="field-submit" onClick={claim} disabled={busy}>
            {busy ? t('app.loading') : t('field.call.next')}
          </button>
        </>
      )}
    </>
  );
}

function CallCard(props: {
  listId: string;
  call: NextCall;
  onSaved: (outcome: CallOutcome) => Promise<void>;
}) {
  const { t, tn } = useI18n();
  const { call } = props;
  const person = call.person as NonNullable<NextCall['person']>;
  const target = call.target as NonNullable<NextCall['target']>;
  const [outcome, setOutcome] = useState<CallOutcome | null>(null);
  const [note, setNote] = useState('');
  const [answers, setAnswers] = useState<Answers>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const shownNumber = person.phones?.some((p) => p.number !== undefined) ?? false;

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!outcome) {
      setError(t('field.call.pick'));
      return;
    }
    setBusy(true);
    setError(null);
    const body: CallInput = {
      target_id: target.id,
      outcome,
      ...(note.trim() ? { note: note.trim() } : {}),
      answers: call.survey ? answerList(answers) : [],
    };
    try {
      await api('POST', `/api/v1/call-lists/${props.listId}/calls`, body);
      await props.onSaved(outcome);
    } catch (caught) {
      setError(caught instanceof ApiError ? errorText(caught, '') : t('app.offline'));
      setBusy(false);
    }
  };

  return (
    <section className="card field-call" aria-labelledby="call-heading">
      <h2 id="call-heading" ref={heading} tabIndex={-1}>
        {nameOf(person, t('person.noName'))}
      </h2>
      {target.attempts > 0 && (
        <p className="hint">
          {tn('field.call.attempts', target.attempts, {
            outcome: target.last_outcome ? t(outcomeKey(target.last_outcome)) : '',
          })}
        </p>
      )}
      <PersonSummary person={person} dial named={false} />
      {!shownNumber && <Capabilities person={person} only="call" />}
      {call.script && (
        <section aria-labelledby="call-script-heading">
          <h3 id="call-script-heading" className="field-subhead">
            {t('field.call.script')}
          </h3>
          <p className="field-script">{call.script}</p>
        </section>
      )}
      <form onSubmit={submit} aria-describedby={error ? 'call-error' : undefined}>
        {call.survey && call.survey.questions.length > 0 && (
          <SurveyFields
            id="call"
            survey={call.survey}
            legend={call.survey.name}
            answers={answers}
            onChange={setAnswers}
          />
        )}
        <fieldset className="field-choices field-results">
          <legend>{t('field.call.outcome')}</legend>
          {CALL_OUTCOMES.map((o) => (
            <label key={o} className="field-choice">
              <input
                type="radio"
                name="call-outcome"
                value={o}
                checked={outcome === o}
                onChange={() => setOutcome(o)}
              />
              {t(outcomeKey(o))}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="call-note">{t('field.note')}</label>
          <textarea id="call-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        {error && (
          <p className="error" role="alert" id="call-error">
            {error}
          </p>
        )}
        <button type="submit" className="field-submit" disabled={busy}>
          {busy ? t('field.saving') : t('field.call.save')}
        </button>
      </form>
    </section>
  );
}
