import { type FormEvent, useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useApi } from '../../useApi.js';
import type { Host } from './api.js';
import { UserEmailField, useChange } from './user-controls.js';

/**
 * An event's hosts (each one sees this event and its attendees' first names only), for whoever
 * manages the event over its unit: add a host by choosing a user (or typing their sign-in email),
 * remove one.
 */
export function EventHosts({ id }: { id: string }) {
  const { t } = useI18n();
  const { round, busy, message, failure, run } = useChange();
  const hosts = useApi<{ items: Host[] }>(`/api/v1/events/${id}/hosts?_=${round}`);
  const [email, setEmail] = useState('');
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
        <UserEmailField
          id="host-email"
          label={t('events.hostAdd')}
          hint={t('events.hostAddHint')}
          value={email}
          onChange={setEmail}
          exclude={current.map((h) => h.user_id)}
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('events.hostAddSubmit')}
          </button>
        </div>
      </form>
    </section>
  );
}
