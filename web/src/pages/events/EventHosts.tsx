import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { errorText, useApi } from '../../useApi.js';
import type { Host } from './api.js';

/** Users to choose from, for those who may list them (users.manage); others type the email. */
export function useUserChoices(): { id: string; email: string; display_name: string | null }[] {
  const users = useApi<{
    items: { id: string; email: string; display_name: string | null; disabled: boolean }[];
  }>('/api/v1/users');
  return users.state === 'ok' ? users.data.items.filter((u) => !u.disabled) : [];
}

/**
 * An event's hosts (each one sees this event and its attendees' first names only), for whoever
 * manages the event over its unit: add a host by choosing a user (or typing their sign-in email),
 * remove one.
 */
export function EventHosts({ id }: { id: string }) {
  const { t } = useI18n();
  const [round, setRound] = useState(0);
  const hosts = useApi<{ items: Host[] }>(`/api/v1/events/${id}/hosts?_=${round}`);
  const choices = useUserChoices();
  const listId = useId();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (done: string, request: () => Promise<unknown>) => {
    setBusy(true);
    setFailure(null);
    setMessage(null);
    try {
      await request();
      setMessage(done);
      setRound((r) => r + 1);
      return true;
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const chosen = email.trim();
    if (
      await run(t('events.hostAdded', { email: chosen }), () =>
        api('POST', `/api/v1/events/${id}/hosts`, { email: chosen }),
      )
    )
      setEmail('');
  };
  const current = hosts.state === 'ok' ? hosts.data.items : [];
  return (
    <section className="card" aria-labelledby="ev-hosts">
      <h2 id="ev-hosts">{t('events.hosts')}</h2>
      <p className="hint">{t('events.hostsHelp')}</p>
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
      {hosts.state === 'ok' && current.length === 0 && <p className="hint">{t('events.noHosts')}</p>}
      {current.length > 0 && (
        <ul className="values hosts">
          {current.map((h) => (
            <li key={h.user_id}>
              {h.email}{' '}
              <button
                type="button"
                className="secondary danger"
                disabled={busy}
                aria-label={t('events.hostRemoveThis', { email: h.email })}
                onClick={() =>
                  run(t('events.hostRemoved', { email: h.email }), () =>
                    api('DELETE', `/api/v1/events/${id}/hosts/${h.user_id}`),
                  )
                }
              >
                {t('events.hostRemove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} className="add-host">
        <div className="field">
          <label htmlFor="host-email">{t('events.hostAdd')}</label>
          <input
            id="host-email"
            type="email"
            required
            autoComplete="off"
            list={choices.length > 0 ? listId : undefined}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <p className="hint">{t('events.hostAddHint')}</p>
          {choices.length > 0 && (
            <datalist id={listId}>
              {choices
                .filter((u) => !current.some((h) => h.user_id === u.id))
                .map((u) => (
                  <option key={u.id} value={u.email}>
                    {u.display_name ?? u.email}
                  </option>
                ))}
            </datalist>
          )}
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('events.hostAddSubmit')}
          </button>
        </div>
      </form>
    </section>
  );
}
