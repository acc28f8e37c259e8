import { type FormEvent, useId, useState } from 'react';
import { api, type Person } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { can } from './api.js';
import { failure, useLoaded } from './hooks.js';
import './organizing.css';

/** GET /api/v1/people/:id/consent (src/consent/consent.person.ts) as JSON. */
export interface PersonConsentView {
  person_id: string;
  do_not_contact: boolean;
  emails: {
    id: string;
    primary: boolean;
    address?: string;
    address_masked?: string;
    status: 'subscribed' | 'unsubscribed' | 'bouncing' | 'spam_complaint';
  }[];
  phones: {
    id: string;
    primary: boolean;
    number?: string;
    number_masked?: string;
    sms_capable: boolean;
    do_not_call: boolean;
  }[];
  sms: { status: 'opted_in' | 'opted_out'; changed_at: string; source: Source } | null;
  history: Receipt[];
  can_record_opt_out: boolean;
}

interface Source {
  kind: string;
  ref: string | null;
}

interface Receipt {
  id: string;
  at: string;
  source: Source;
  recorded_by: { id: string; name: string } | null;
  note: string | null;
  language: string | null;
  changes: {
    choice: 'email' | 'sms' | 'do_not_call' | 'do_not_contact';
    target: string | null;
    before: string | boolean | null;
    after: string | boolean | null;
  }[];
}

type OptOut =
  | { channel: 'email'; email_id: string }
  | { channel: 'sms' }
  | { channel: 'call'; phone_id: string }
  | { channel: 'all' };

/** Sources a user records for the person (src/context actorSource). */
const RECORDED = new Set(['user', 'api', 'system']);
const SIGNUPS = new Set(['event', 'form', 'petition']);

/** A value the user may read, or its masked form labelled as hidden. */
function Value({ value, masked }: { value: string | undefined; masked: string | undefined }) {
  const { t } = useI18n();
  if (value !== undefined) return <span className="value">{value}</span>;
  return (
    <span className="masked" title={t('person.maskedHelp')}>
      <span aria-hidden="true">{masked ?? '•••'}</span> <span className="badge">{t('person.masked')}</span>
    </span>
  );
}

/**
 * A person's consent on their page: each channel's state in plain words, how and when each choice
 * was given or withdrawn, and (for users who may change status fields) recording an opt-out the
 * person asked for. Without the status class the API answers 403 and there is no section.
 */
export function PersonConsent({ person }: { person: Person }) {
  const { t, formatDate } = useI18n();
  const { me } = useSession();
  const [version, setVersion] = useState(0);
  const loaded = useLoaded<PersonConsentView>(
    can(me, 'people.read') ? `/api/v1/people/${encodeURIComponent(person.id)}/consent` : null,
    version,
  );
  const [notice, setNotice] = useState<string | null>(null);
  if (loaded.state !== 'ok') return null;
  const consent = loaded.data;

  // The receipt of the text-message choice in place (the newest that set it), for who made it.
  const smsReceipt = consent.history.find((r) =>
    r.changes.some((c) => c.choice === 'sms' && c.after === consent.sms?.status),
  );
  const how = (r: { source: Source; recorded_by?: Receipt['recorded_by'] }): string => {
    if (r.source.kind === 'consent_link') return t('consent.how.consent_link');
    if (RECORDED.has(r.source.kind))
      return r.recorded_by?.name
        ? t('consent.how.recordedBy', { name: r.recorded_by.name })
        : t('consent.how.recorded');
    if (SIGNUPS.has(r.source.kind)) return t(`consent.how.${r.source.kind}` as MessageKey);
    return t('consent.how.other', { source: r.source.kind });
  };

  return (
    <section aria-labelledby="consent-heading" className="card organizing consent">
      <h2 id="consent-heading">{t('consent.title')}</h2>
      <p className="hint">{t('consent.intro')}</p>
      {consent.do_not_contact && <p className="flag-line">{t('consent.doNotContact')}</p>}

      <h3>{t('consent.emailHeading')}</h3>
      {consent.emails.length === 0 ? (
        <p>{t('consent.noEmails')}</p>
      ) : (
        <ul className="values" aria-label={t('consent.emailHeading')}>
          {consent.emails.map((e) => (
            <li key={e.id} data-status={e.status}>
              <Value value={e.address} masked={e.address_masked} />:{' '}
              {t(`consent.email.${e.status}` as MessageKey)}
            </li>
          ))}
        </ul>
      )}

      <h3>{t('consent.textsHeading')}</h3>
      <p data-sms={consent.sms?.status ?? 'none'}>
        {consent.sms ? t(`consent.sms.${consent.sms.status}` as MessageKey) : t('consent.sms.none')}
        {consent.sms && (
          <span className="hint">
            {' '}
            (
            {t('consent.since', {
              date: formatDate(consent.sms.changed_at),
              how: how(smsReceipt ?? consent.sms),
            })}
            )
          </span>
        )}
      </p>

      <h3>{t('consent.callsHeading')}</h3>
      {consent.phones.length === 0 ? (
        <p>{t('consent.noPhones')}</p>
      ) : (
        <ul className="values" aria-label={t('consent.callsHeading')}>
          {consent.phones.map((p) => (
            <li key={p.id} data-do-not-call={p.do_not_call}>
              <Value value={p.number} masked={p.number_masked} />:{' '}
              {[
                t(p.sms_capable ? 'consent.phone.sms' : 'consent.phone.noSms'),
                t(p.do_not_call ? 'consent.phone.doNotCall' : 'consent.phone.call'),
              ].join(', ')}
            </li>
          ))}
        </ul>
      )}

      <h3 id="consent-history-heading">{t('consent.historyHeading')}</h3>
      {consent.history.length === 0 ? (
        <p className="hint">{t('consent.historyEmpty')}</p>
      ) : (
        <ol className="timeline consent-history" aria-labelledby="consent-history-heading">
          {consent.history.map((r) => (
            <li key={r.id}>
              <div className="when">
                <time dateTime={r.at}>{formatDate(r.at, true)}</time> · {how(r)}
              </div>
              <ul>
                {r.changes.map((c, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a receipt's changes never reorder
                  <li key={i}>{changeText(t, c, SIGNUPS.has(r.source.kind))}</li>
                ))}
              </ul>
              {r.note && <p className="body">“{r.note}”</p>}
            </li>
          ))}
        </ol>
      )}

      <div role="status" aria-live="polite">
        {notice && <p className="notice">{notice}</p>}
      </div>
      {consent.can_record_opt_out && (
        <OptOutForm
          consent={consent}
          onRecorded={(changed) => {
            setNotice(t(changed > 0 ? 'consent.recorded' : 'consent.already'));
            setVersion((v) => v + 1);
          }}
        />
      )}
    </section>
  );
}

function changeText(
  t: (key: MessageKey, vars?: Record<string, string | number>) => string,
  c: Receipt['changes'][number],
  signup: boolean,
): string {
  const target = c.target ?? t('consent.unknownTarget');
  switch (c.choice) {
    case 'email':
      if (signup)
        return t(c.after === 'subscribed' ? 'consent.change.signupEmailOn' : 'consent.change.signupEmailOff');
      return t(c.after === 'subscribed' ? 'consent.change.emailOn' : 'consent.change.emailOff', { target });
    case 'sms':
      if (signup)
        return t(c.after === 'opted_in' ? 'consent.change.signupSmsOn' : 'consent.change.signupSmsOff');
      return t(c.after === 'opted_in' ? 'consent.change.smsOn' : 'consent.change.smsOff');
    case 'do_not_call':
      return t('consent.change.doNotCall', { target });
    case 'do_not_contact':
      return t(c.after === true ? 'consent.change.doNotContactOn' : 'consent.change.doNotContactOff');
  }
}

/**
 * Recording an opt-out for the person: only withdrawals are offered (the hint says why), and only
 * the ones not already in place.
 */
function OptOutForm(props: { consent: PersonConsentView; onRecorded: (changed: number) => void }) {
  const { t } = useI18n();
  const id = useId();
  const { consent } = props;
  const [choice, setChoice] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const options: { key: string; label: string; body: OptOut }[] = [
    ...consent.emails
      .filter((e) => e.status === 'subscribed' || e.status === 'bouncing')
      .map((e) => ({
        key: `email-${e.id}`,
        label: t('consent.opt.email', { address: e.address ?? e.address_masked ?? '' }),
        body: { channel: 'email', email_id: e.id } as const,
      })),
    ...(consent.sms?.status === 'opted_out'
      ? []
      : [{ key: 'sms', label: t('consent.opt.sms'), body: { channel: 'sms' } as const }]),
    ...consent.phones
      .filter((p) => !p.do_not_call)
      .map((p) => ({
        key: `call-${p.id}`,
        label: t('consent.opt.call', { number: p.number ?? p.number_masked ?? '' }),
        body: { channel: 'call', phone_id: p.id } as const,
      })),
    ...(consent.do_not_contact
      ? []
      : [{ key: 'all', label: t('consent.opt.all'), body: { channel: 'all' } as const }]),
  ];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const picked = options.find((o) => o.key === choice);
    if (!picked) return setError(t('consent.choose'));
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ changed: number }>(
        'POST',
        `/api/v1/people/${encodeURIComponent(consent.person_id)}/consent/opt-out`,
        { ...picked.body, ...(note.trim() ? { note: note.trim() } : {}) },
      );
      setChoice('');
      setNote('');
      props.onRecorded(result.changed);
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="opt-out" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t('consent.recordHeading')}</h3>
      <p className="hint" id={`${id}-hint`}>
        {t('consent.recordHint')}
      </p>
      {options.length === 0 ? (
        <p>{t('consent.nothingLeft')}</p>
      ) : (
        <>
          <fieldset
            className="levels-choice"
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
            aria-invalid={error ? true : undefined}
          >
            <legend>{t('consent.what')}</legend>
            {options.map((o) => (
              <label key={o.key} className="choice">
                <input
                  type="radio"
                  name={`${id}-choice`}
                  value={o.key}
                  checked={choice === o.key}
                  onChange={() => setChoice(o.key)}
                />
                <span>{o.label}</span>
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={`${id}-note`}>{t('consent.note')}</label>
            <textarea
              id={`${id}-note`}
              rows={2}
              maxLength={500}
              placeholder={t('consent.noteHint')}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </div>
          {error && (
            <p className="error" role="alert" id={`${id}-error`}>
              {error}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {t('consent.record')}
          </button>
        </>
      )}
    </form>
  );
}
