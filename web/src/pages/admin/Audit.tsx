import { type FormEvent, useEffect, useState } from 'react';
import { api, query } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText, useApi } from '../../useApi.js';
import { AdminBack } from './AdminBack.js';
import { AUDIT_ACTIONS, type AuditEvent, type AuditVerify, type User } from './api.js';

interface Filters {
  action: string;
  actor: string;
  person: string;
  since: string;
  until: string;
}
const EMPTY: Filters = { action: '', actor: '', person: '', since: '', until: '' };

/** The audit trail, newest first, with filters and older pages; and verifying its hash chain. */
export function Audit() {
  const { t, formatDate } = useI18n();
  const { me } = useSession();
  const users = useApi<{ items: User[] }>(me?.actions.includes('users.manage') ? '/api/v1/users' : null);
  const emailOf = (id: string | null) =>
    (users.state === 'ok' && users.data.items.find((u) => u.id === id)?.email) || id;
  const [form, setForm] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<AuditVerify | null>(null);

  const load = async (filters: Filters, cursor: string | null) => {
    setError(null);
    try {
      const page = await api<{ items: AuditEvent[]; next: string | null }>(
        'GET',
        `/api/v1/audit${query({
          action: filters.action,
          actor: filters.actor,
          person: filters.person.trim(),
          since: filters.since ? new Date(`${filters.since}T00:00:00Z`).toISOString() : '',
          until: filters.until ? new Date(`${filters.until}T00:00:00Z`).toISOString() : '',
          cursor,
          limit: 50,
        })}`,
      );
      setItems((old) => (cursor && old ? [...old, ...page.items] : page.items));
      setNext(page.next);
    } catch (caught) {
      setError(errorText(caught as Error, t('app.offline')));
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once; filters reload on submit
  useEffect(() => {
    void load(EMPTY, null);
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(form);
    void load(form, null);
  };
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const runVerify = async () => {
    setError(null);
    try {
      setVerify(await api<AuditVerify>('GET', '/api/v1/audit/verify'));
    } catch (caught) {
      setError(errorText(caught as Error, t('app.offline')));
    }
  };

  return (
    <>
      <AdminBack />
      <h1>{t('admin.audit')}</h1>
      <form className="search" onSubmit={submit}>
        <fieldset className="filters">
          <legend>{t('search.filters')}</legend>
          <div className="field">
            <label htmlFor="audit-action">{t('admin.auditAction')}</label>
            <select id="audit-action" value={form.action} onChange={set('action')}>
              <option value="">{t('search.any')}</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-actor">{t('admin.auditActor')}</label>
            <select id="audit-actor" value={form.actor} onChange={set('actor')}>
              <option value="">{t('search.any')}</option>
              {(users.state === 'ok' ? users.data.items : []).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.email}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-person">{t('admin.auditPerson')}</label>
            <input
              id="audit-person"
              value={form.person}
              pattern="[0-9a-fA-F-]{36}"
              aria-describedby="audit-person-hint"
              onChange={set('person')}
            />
            <p className="hint" id="audit-person-hint">
              {t('admin.auditPersonHint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="audit-since">{t('admin.since')}</label>
            <input id="audit-since" type="date" value={form.since} onChange={set('since')} />
          </div>
          <div className="field">
            <label htmlFor="audit-until">{t('admin.until')}</label>
            <input id="audit-until" type="date" value={form.until} onChange={set('until')} />
          </div>
        </fieldset>
        <div className="actions">
          <button type="submit">{t('search.submit')}</button>
          <button type="button" className="secondary" onClick={runVerify}>
            {t('admin.verify')}
          </button>
        </div>
      </form>
      {verify && (
        <p className={verify.ok ? 'notice' : 'error'} role="status" id="audit-verify">
          {verify.ok
            ? t('admin.verifyOk', { count: verify.checked, seq: verify.heads[0]?.seq ?? 0 })
            : t('admin.verifyBad', {
                problems: verify.problems.map((p) => `#${p.seq} ${p.problem}`).join('; '),
              })}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items && items.length === 0 && <p>{t('admin.auditNone')}</p>}
      {items && items.length > 0 && (
        <ol className="audit" aria-label={t('admin.auditEntries')}>
          {items.map((e) => (
            <li key={e.id} className="card">
              <div>
                <strong className="audit-action">{e.action}</strong> <span className="hint">#{e.seq}</span>
              </div>
              <div>
                {formatDate(e.at, true)} ·{' '}
                {e.actor.kind === 'user'
                  ? emailOf(e.actor.id)
                  : e.actor.kind === 'system'
                    ? t('admin.system')
                    : t('admin.anonymous')}
                {e.actor.label ? ` (${e.actor.label})` : ''}
              </div>
              {Object.keys(e.detail).length > 0 && (
                <div className="audit-detail">
                  {Object.entries(e.detail).map(([k, v]) => (
                    <span key={k}>
                      {k}: {describe(k, v, emailOf)}{' '}
                    </span>
                  ))}
                </div>
              )}
              {e.fields.length > 0 && (
                <div className="hint">{t('admin.auditFields', { fields: e.fields.join(', ') })}</div>
              )}
            </li>
          ))}
        </ol>
      )}
      {next && (
        <button type="button" className="secondary" onClick={() => load(applied, next)}>
          {t('admin.older')}
        </button>
      )}
    </>
  );
}

function describe(key: string, value: unknown, emailOf: (id: string | null) => string | null): string {
  if (typeof value === 'string' && /user_id$/.test(key)) return emailOf(value) ?? value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
