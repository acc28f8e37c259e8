import { type FormEvent, useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../useApi.js';
import { type EventDetail, formatWhen, isoToZoned, type Shift, zonedToIso } from './api.js';

interface ShiftValues {
  name: string;
  starts: string;
  ends: string;
  capacity: string;
}

const valuesOf = (shift: Shift, timeZone: string): ShiftValues => ({
  name: shift.name,
  starts: isoToZoned(shift.starts_at, timeZone),
  ends: isoToZoned(shift.ends_at, timeZone),
  capacity: shift.capacity === null ? '' : String(shift.capacity),
});

/**
 * The event's shifts, and for whoever may write the event: add one (name, start, end, capacity),
 * change one, remove one. A shift people RSVPed to is removed only by moving them to another
 * shift; the API refuses otherwise and its message is shown.
 */
export function EventShifts({ event, onChange }: { event: EventDetail; onChange: () => void }) {
  const { t, language } = useI18n();
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [moveTo, setMoveTo] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const base = `/api/v1/events/${event.id}/shifts`;
  const run = async (done: string, request: () => Promise<unknown>) => {
    setFailure(null);
    setMessage(null);
    try {
      await request();
      setMessage(done);
      setEditing(null);
      setRemoving(null);
      setMoveTo('');
      onChange();
      return true;
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
      return false;
    }
  };
  const bodyOf = (v: ShiftValues) => ({
    name: v.name.trim(),
    starts_at: zonedToIso(v.starts, event.timezone),
    ends_at: zonedToIso(v.ends, event.timezone),
    capacity: v.capacity.trim() === '' ? null : Number(v.capacity),
  });
  const editable = event.can.edit;
  if (!editable && event.shifts.length === 0) return null;
  return (
    <section className="card" aria-labelledby="ev-shifts">
      <h2 id="ev-shifts">{t('events.shifts')}</h2>
      <div aria-live="polite">
        {message && (
          <p className="notice" role="status">
            {message}
          </p>
        )}
      </div>
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      {event.shifts.length === 0 && <p className="hint">{t('events.noShifts')}</p>}
      <ul className="values shifts">
        {event.shifts.map((s) => (
          <li key={s.id} data-shift={s.id}>
            {editing === s.id ? (
              <ShiftForm
                idPrefix={`shift-${s.id}`}
                initial={valuesOf(s, event.timezone)}
                submitLabel={t('events.shiftSave')}
                onCancel={() => setEditing(null)}
                onSubmit={(v) =>
                  run(t('events.shiftSaved', { name: v.name }), () =>
                    api('PATCH', `${base}/${s.id}`, bodyOf(v)),
                  )
                }
              />
            ) : (
              <>
                <strong>{s.name}</strong> {formatWhen(language, s.starts_at, event.timezone)} –{' '}
                {formatWhen(language, s.ends_at, event.timezone)}
                {s.capacity !== null && ` · ${t('events.capacity')}: ${s.capacity}`}
                {editable && (
                  <span className="actions inline">
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t('events.shiftEditThis', { name: s.name })}
                      onClick={() => setEditing(s.id)}
                    >
                      {t('events.shiftEdit')}
                    </button>
                    <button
                      type="button"
                      className="secondary danger"
                      aria-label={t('events.shiftRemoveThis', { name: s.name })}
                      onClick={() => {
                        setRemoving(removing === s.id ? null : s.id);
                        setMoveTo('');
                      }}
                    >
                      {t('events.shiftRemove')}
                    </button>
                  </span>
                )}
                {removing === s.id && (
                  <div className="confirm">
                    <p>{t('events.shiftRemoveHelp')}</p>
                    {event.shifts.length > 1 && (
                      <div className="field">
                        <label htmlFor={`move-${s.id}`}>{t('events.shiftMoveTo')}</label>
                        <select
                          id={`move-${s.id}`}
                          value={moveTo}
                          onChange={(e) => setMoveTo(e.target.value)}
                        >
                          <option value="">{t('events.shiftMoveNone')}</option>
                          {event.shifts
                            .filter((o) => o.id !== s.id)
                            .map((o) => (
                              <option key={o.id} value={o.id}>
                                {o.name}
                              </option>
                            ))}
                        </select>
                      </div>
                    )}
                    <div className="actions">
                      <button
                        type="button"
                        className="danger"
                        onClick={() =>
                          run(t('events.shiftRemoved', { name: s.name }), () =>
                            api(
                              'DELETE',
                              `${base}/${s.id}${moveTo ? `?move_to=${encodeURIComponent(moveTo)}` : ''}`,
                            ),
                          )
                        }
                      >
                        {t('events.shiftRemoveConfirm', { name: s.name })}
                      </button>
                      <button type="button" className="secondary" onClick={() => setRemoving(null)}>
                        {t('admin.cancel')}
                      </button>
                    </div>
                  </div>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
      {editable && (
        <details className="add-shift">
          <summary>{t('events.shiftAdd')}</summary>
          <ShiftForm
            idPrefix="shift-new"
            initial={{
              name: '',
              starts: isoToZoned(event.starts_at, event.timezone),
              ends: isoToZoned(event.ends_at, event.timezone),
              capacity: '',
            }}
            submitLabel={t('events.shiftAdd')}
            resetAfter
            onSubmit={(v) =>
              run(t('events.shiftAdded', { name: v.name }), () => api('POST', base, bodyOf(v)))
            }
          />
        </details>
      )}
    </section>
  );
}

function ShiftForm(props: {
  idPrefix: string;
  initial: ShiftValues;
  submitLabel: string;
  resetAfter?: boolean;
  onSubmit: (values: ShiftValues) => Promise<boolean>;
  onCancel?: () => void;
}) {
  const { t } = useI18n();
  const [values, setValues] = useState(props.initial);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const ok = await props.onSubmit(values);
    setBusy(false);
    if (ok && props.resetAfter) setValues({ ...props.initial });
  };
  const field = (key: keyof ShiftValues, label: string, extra: Record<string, unknown>) => (
    <div className="field">
      <label htmlFor={`${props.idPrefix}-${key}`}>{label}</label>
      <input
        id={`${props.idPrefix}-${key}`}
        value={values[key]}
        onChange={(e) => setValues({ ...values, [key]: e.target.value })}
        {...extra}
      />
    </div>
  );
  return (
    <form onSubmit={submit} className="shift-form">
      {field('name', t('events.shiftName'), { required: true, maxLength: 200, autoComplete: 'off' })}
      {field('starts', t('events.starts'), { type: 'datetime-local', required: true })}
      {field('ends', t('events.ends'), { type: 'datetime-local', required: true })}
      {field('capacity', t('events.shiftCapacity'), { type: 'number', min: 0, inputMode: 'numeric' })}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" className="secondary" onClick={props.onCancel}>
            {t('admin.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
