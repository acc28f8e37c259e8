import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { ApiError, api } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { errorText, useApi } from '../../useApi.js';
import {
  DOOR_RESULTS,
  type Door,
  type DoorInput,
  type DoorResult,
  type Survey,
  type WalkSheet,
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

const resultKey = (result: DoorResult) => `field.door.${result}` as MessageKey;

/**
 * A walk list on a phone, one door at a time in walking order: the household's people as the
 * canvasser may see them, the result and the survey, then on to the next door. The door is in the
 * address (`?door=3`), so a reload or the back button keeps the place.
 */
export function WalkRunner({ id }: { id: string }) {
  const { t } = useI18n();
  const search = useSearch();
  const [, navigate] = useLocation();
  const [version, setVersion] = useState(0);
  const [saved, setSaved] = useState<string | null>(null);
  const [moved, setMoved] = useState(false);
  const loaded = useReloadable<WalkSheet>(`/api/v1/walk-lists/${encodeURIComponent(id)}/sheet`, version);
  const shown = loaded.data ?? null;
  const survey = useApi<Survey>(shown?.survey_id ? `/api/v1/surveys/${shown.survey_id}` : null);
  const name = shown?.name;

  useEffect(() => {
    if (name) document.title = `${name} · ${t('app.name')}`;
  }, [name, t]);

  const back = (
    <p className="back">
      <Link href="/walk">{t('field.walk.back')}</Link>
    </p>
  );
  if (!shown)
    return (
      <>
        {back}
        <LoadState loaded={loaded} notFound={t('field.walk.notFound')} />
      </>
    );

  const doors = shown.doors;
  const asked = Number(new URLSearchParams(search).get('door'));
  const firstPending = doors.find((d) => d.status === 'pending') ?? doors[0];
  const door = doors.find((d) => d.position === asked) ?? firstPending;
  const index = door ? doors.indexOf(door) : -1;
  const go = (d: Door | undefined) => {
    if (!d) return;
    setMoved(true);
    navigate(`/walk/${id}?door=${d.position}`);
  };
  const done = doors.filter((d) => d.status === 'done').length;

  return (
    <>
      {back}
      <h1>{shown.name}</h1>
      <Progress
        value={done}
        max={doors.length}
        label={t('field.walk.doorsDone', { done, doors: doors.length })}
      />
      <p>
        <a href={`/api/v1/walk-lists/${shown.id}/sheet.html`} target="_blank" rel="noopener">
          {t('field.walk.sheet')}
        </a>
      </p>
      {shown.status === 'closed' && <p className="notice">{t('field.walk.closed')}</p>}
      <p role="status" className="field-saved">
        {saved ?? ''}
      </p>
      {!door ? (
        <p>{t('field.walk.noDoors')}</p>
      ) : (
        <>
          <nav className="field-steps" aria-label={t('field.walk.doors')}>
            <button
              type="button"
              className="secondary"
              disabled={index <= 0}
              onClick={() => go(doors[index - 1])}
            >
              {t('field.previous')}
            </button>
            <span className="field-step">{t('field.walk.doorOf', { n: index + 1, m: doors.length })}</span>
            <button
              type="button"
              className="secondary"
              disabled={index >= doors.length - 1}
              onClick={() => go(doors[index + 1])}
            >
              {t('field.next')}
            </button>
          </nav>
          <DoorCard
            key={`${door.id}-${door.status}-${door.last_result}`}
            walkListId={shown.id}
            door={door}
            open={shown.status === 'open'}
            focus={moved}
            survey={survey.state === 'ok' ? survey.data : null}
            onSaved={(result) => {
              setSaved(t('field.walk.saved', { n: index + 1, result: t(resultKey(result)) }));
              setVersion((v) => v + 1);
              // On to the next door still to knock, after this one; else the next one.
              const after = doors.slice(index + 1);
              go(after.find((d) => d.status === 'pending') ?? after[0] ?? door);
            }}
          />
        </>
      )}
    </>
  );
}

function DoorCard(props: {
  walkListId: string;
  door: Door;
  open: boolean;
  /** Take the focus (the canvasser moved here), so a screen reader hears the new door. */
  focus: boolean;
  survey: Survey | null;
  onSaved: (result: DoorResult) => void;
}) {
  const { t, tn } = useI18n();
  const { door, survey } = props;
  const [result, setResult] = useState<DoorResult | null>(null);
  const [note, setNote] = useState('');
  const [answers, setAnswers] = useState<Record<string, Answers>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const { focus } = props;
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!result) {
      setError(t('field.door.pick'));
      return;
    }
    setBusy(true);
    setError(null);
    const body: DoorInput = {
      result,
      ...(note.trim() ? { note: note.trim() } : {}),
      answers:
        result === 'talked' && survey
          ? door.people
              .map((p) => ({ person_id: p.id, answers: answerList(answers[p.id]) }))
              .filter((a) => a.answers.length > 0)
          : [],
    };
    try {
      await api('POST', `/api/v1/walk-lists/${props.walkListId}/doors/${door.id}`, body);
      props.onSaved(result);
    } catch (caught) {
      setError(caught instanceof ApiError ? errorText(caught, '') : t('app.offline'));
      setBusy(false);
    }
  };

  const address = door.address
    ? [
        door.address.lines.join(', '),
        [door.address.locality, door.address.postal_code].filter(Boolean).join(' '),
      ]
        .filter(Boolean)
        .join(', ')
    : null;
  return (
    <section className="card field-door" aria-labelledby="door-heading">
      <h2 id="door-heading" ref={heading} tabIndex={-1}>
        {address ?? t('field.door.noAddress')}
      </h2>
      {door.status === 'done' && door.last_result && (
        <p className="field-done">{t('field.door.done', { result: t(resultKey(door.last_result)) })}</p>
      )}
      <h3 className="field-subhead">{tn('field.door.people', door.people.length)}</h3>
      {door.people.length === 0 ? (
        <p className="hint">{t('field.door.nobody')}</p>
      ) : (
        <ul className="field-people">
          {door.people.map((p) => (
            <li key={p.id}>
              <PersonSummary person={p} />
              <Capabilities person={p} />
            </li>
          ))}
        </ul>
      )}
      {props.open && (
        <form onSubmit={submit} aria-describedby={error ? 'door-error' : undefined}>
          <fieldset className="field-choices field-results">
            <legend>{t('field.door.result')}</legend>
            {DOOR_RESULTS.map((r) => (
              <label key={r} className="field-choice">
                <input
                  type="radio"
                  name="door-result"
                  value={r}
                  checked={result === r}
                  onChange={() => setResult(r)}
                />
                {t(resultKey(r))}
              </label>
            ))}
          </fieldset>
          {result === 'talked' &&
            survey &&
            survey.questions.length > 0 &&
            door.people.map((p) => (
              <SurveyFields
                key={p.id}
                id={`a-${p.id}`}
                survey={survey}
                legend={t('field.survey.for', { name: nameOf(p, t('person.noName')) })}
                answers={answers[p.id] ?? {}}
                onChange={(next) => setAnswers((all) => ({ ...all, [p.id]: next }))}
              />
            ))}
          <div className="field">
            <label htmlFor="door-note">{t('field.note')}</label>
            <textarea id="door-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          {error && (
            <p className="error" role="alert" id="door-error">
              {error}
            </p>
          )}
          <button type="submit" className="field-submit" disabled={busy}>
            {busy ? t('field.saving') : t('field.door.save')}
          </button>
        </form>
      )}
    </section>
  );
}
