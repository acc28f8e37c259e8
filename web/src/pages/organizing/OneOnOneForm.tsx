import { type FormEvent, useId, useState } from 'react';
import { ApiError, api } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import {
  announceTimelineChange,
  endOfLocalDay,
  localDateTime,
  localDay,
  type OneOnOne,
  type OneOnOneInput,
} from './api.js';
import { PersonPicker, type Picked } from './PersonPicker.js';

/** Quick picks for the follow-up's day: days from today. */
const QUICK_DAYS: [MessageKey, number][] = [
  ['oneOnOne.tomorrow', 1],
  ['oneOnOne.inThreeDays', 3],
  ['oneOnOne.nextWeek', 7],
];

export interface Logged {
  person: Picked;
  result: OneOnOne;
}

/**
 * A one-on-one in as few touches as possible: who (unless the page is about one person), notes,
 * interests, a next step and, if it has a day, a follow-up for the user; when defaults to now.
 * One submit writes it all (POST /people/:id/one-on-ones, one transaction).
 */
export function OneOnOneForm(props: {
  /** The person, when the form is on their page; otherwise the form asks who. */
  person?: Picked;
  onLogged: (logged: Logged) => void;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  const id = useId();
  const [who, setWho] = useState<Picked | null>(props.person ?? null);
  // "Now" unless the user changes it: an untouched field sends nothing and the server uses its clock.
  const [when, setWhen] = useState(() => localDateTime(new Date()));
  const [whenChanged, setWhenChanged] = useState(false);
  const [notes, setNotes] = useState('');
  const [interests, setInterests] = useState('');
  const [nextStep, setNextStep] = useState('');
  const [due, setDue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!who) return setError(t('oneOnOne.needWho'));
    if (due && !nextStep.trim()) return setError(t('oneOnOne.needNextStep'));
    const body: OneOnOneInput = {};
    if (whenChanged && when) body.occurred_at = new Date(when).toISOString();
    if (notes.trim()) body.notes = notes.trim();
    const list = interests
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length > 0) body.interests = list;
    if (nextStep.trim()) body.next_step = nextStep.trim();
    if (due) body.follow_up = { due_at: endOfLocalDay(due).toISOString() };
    setBusy(true);
    setError(null);
    try {
      const result = await api<OneOnOne>(
        'POST',
        `/api/v1/people/${encodeURIComponent(who.id)}/one-on-ones`,
        body,
      );
      announceTimelineChange(who.id);
      props.onLogged({ person: who, result });
    } catch (caught) {
      setError(
        caught instanceof ApiError
          ? (caught.problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') ?? caught.message)
          : t('app.offline'),
      );
    } finally {
      setBusy(false);
    }
  };

  const inDays = (days: number) => {
    const date = new Date();
    date.setDate(date.getDate() + days);
    return localDay(date);
  };

  return (
    <form className="one-on-one" onSubmit={submit} noValidate>
      {!props.person && (
        <PersonPicker label={t('oneOnOne.who')} value={who} onChange={setWho} autoFocus={props.autoFocus} />
      )}
      <div className="field">
        <label htmlFor={`${id}-when`}>{t('oneOnOne.when')}</label>
        <input
          id={`${id}-when`}
          type="datetime-local"
          value={when}
          onChange={(e) => {
            setWhen(e.target.value);
            setWhenChanged(true);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-notes`}>{t('oneOnOne.notes')}</label>
        <textarea
          id={`${id}-notes`}
          rows={3}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
          // biome-ignore lint/a11y/noAutofocus: on a person's page the form opens to write
          autoFocus={props.autoFocus && !!props.person}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-interests`}>{t('oneOnOne.interests')}</label>
        <input
          id={`${id}-interests`}
          value={interests}
          onChange={(e) => setInterests(e.target.value)}
          aria-describedby={`${id}-interests-hint`}
          autoComplete="off"
        />
        <p className="hint" id={`${id}-interests-hint`}>
          {t('oneOnOne.interestsHint')}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-next`}>{t('oneOnOne.nextStep')}</label>
        <input
          id={`${id}-next`}
          value={nextStep}
          onChange={(e) => setNextStep(e.target.value)}
          autoComplete="off"
        />
      </div>
      <fieldset className="due">
        <legend>{t('oneOnOne.followUpBy')}</legend>
        <div className="quick">
          {QUICK_DAYS.map(([label, days]) => {
            const day = inDays(days);
            return (
              <button
                key={label}
                type="button"
                className={due === day ? 'chip on' : 'chip'}
                aria-pressed={due === day}
                onClick={() => setDue(due === day ? '' : day)}
              >
                {t(label)}
              </button>
            );
          })}
        </div>
        <div className="field">
          <label htmlFor={`${id}-due`}>{t('oneOnOne.dueDate')}</label>
          <input
            id={`${id}-due`}
            type="date"
            value={due}
            min={localDay(new Date())}
            onChange={(e) => setDue(e.target.value)}
            aria-describedby={`${id}-due-hint`}
          />
          <p className="hint" id={`${id}-due-hint`}>
            {t('oneOnOne.dueHint')}
          </p>
        </div>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions submit-row">
        <button type="submit" className="big" disabled={busy}>
          {busy ? t('oneOnOne.saving') : t('oneOnOne.save')}
        </button>
        {props.onCancel && (
          <button type="button" className="secondary" onClick={props.onCancel}>
            {t('oneOnOne.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
