import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { errorText, useApi } from '../../useApi.js';
import type { Campaign, Moderator } from './api.js';
import { useUserChoices } from './EventHosts.js';

/**
 * A campaign's moderators (any one of them may approve its events) and trusted hosts (their
 * proposals are published at once). Those who moderate events may add and remove both; the API
 * decides over which campaigns, and its refusals (another unit's campaign, leaving a single
 * moderator as the only path to approval) are shown as it words them.
 */
export function CampaignPeople({ campaign, manage }: { campaign: Campaign; manage: boolean }) {
  const { t } = useI18n();
  const base = `/api/v1/campaigns/${campaign.id}`;
  const [round, setRound] = useState(0);
  const moderators = useApi<{ items: Moderator[] }>(`${base}/moderators?_=${round}`);
  const [trusted, setTrusted] = useState(campaign.trusted_host_emails);
  const choices = useUserChoices();
  const listId = useId();
  const [moderatorEmail, setModeratorEmail] = useState('');
  const [hostEmail, setHostEmail] = useState('');
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
  const saveTrusted = (emails: string[], done: string) =>
    run(done, async () => {
      const saved = await api<Campaign>('PUT', `${base}/trusted-hosts`, { emails });
      setTrusted(saved.trusted_host_emails);
    });
  const addModerator = async (e: FormEvent) => {
    e.preventDefault();
    const email = moderatorEmail.trim();
    if (
      await run(t('campaigns.moderatorAdded', { email }), () => api('POST', `${base}/moderators`, { email }))
    )
      setModeratorEmail('');
  };
  const addTrusted = async (e: FormEvent) => {
    e.preventDefault();
    const email = hostEmail.trim();
    if (await saveTrusted([...trusted, email], t('campaigns.trustedAdded', { email }))) setHostEmail('');
  };
  const mods = moderators.state === 'ok' ? moderators.data.items : [];
  return (
    <>
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
      <section className="card" aria-labelledby="cp-moderators">
        <h2 id="cp-moderators">{t('campaigns.moderators')}</h2>
        <p className="hint">{t('campaigns.moderatorsHelp')}</p>
        {moderators.state === 'ok' && mods.length === 0 && (
          <p className="hint">{t('campaigns.noModerators')}</p>
        )}
        {mods.length > 0 && (
          <ul className="values moderators">
            {mods.map((m) => (
              <li key={m.user_id}>
                {m.email}{' '}
                {manage && (
                  <button
                    type="button"
                    className="secondary danger"
                    disabled={busy}
                    aria-label={t('campaigns.moderatorRemoveThis', { email: m.email })}
                    onClick={() =>
                      run(t('campaigns.moderatorRemoved', { email: m.email }), () =>
                        api('DELETE', `${base}/moderators/${m.user_id}`),
                      )
                    }
                  >
                    {t('campaigns.remove')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {manage && (
          <form onSubmit={addModerator} className="add-moderator">
            <div className="field">
              <label htmlFor="moderator-email">{t('campaigns.moderatorAdd')}</label>
              <input
                id="moderator-email"
                type="email"
                required
                autoComplete="off"
                list={choices.length > 0 ? listId : undefined}
                value={moderatorEmail}
                onChange={(e) => setModeratorEmail(e.target.value)}
              />
              <p className="hint">{t('campaigns.moderatorAddHint')}</p>
              {choices.length > 0 && (
                <datalist id={listId}>
                  {choices
                    .filter((u) => !mods.some((m) => m.user_id === u.id))
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
                {t('campaigns.add')}
              </button>
            </div>
          </form>
        )}
      </section>
      <section className="card" aria-labelledby="cp-trusted">
        <h2 id="cp-trusted">{t('campaigns.trustedHosts')}</h2>
        <p className="hint">{t('campaigns.trustedHelp')}</p>
        {trusted.length === 0 ? (
          <p className="hint">{t('campaigns.noTrusted')}</p>
        ) : (
          <ul className="values trusted">
            {trusted.map((email) => (
              <li key={email}>
                {email}{' '}
                {manage && (
                  <button
                    type="button"
                    className="secondary danger"
                    disabled={busy}
                    aria-label={t('campaigns.trustedRemoveThis', { email })}
                    onClick={() =>
                      saveTrusted(
                        trusted.filter((x) => x !== email),
                        t('campaigns.trustedRemoved', { email }),
                      )
                    }
                  >
                    {t('campaigns.remove')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {manage && (
          <form onSubmit={addTrusted} className="add-trusted">
            <div className="field">
              <label htmlFor="trusted-email">{t('campaigns.trustedAdd')}</label>
              <input
                id="trusted-email"
                type="email"
                required
                autoComplete="off"
                value={hostEmail}
                onChange={(e) => setHostEmail(e.target.value)}
              />
            </div>
            <div className="actions">
              <button type="submit" disabled={busy}>
                {t('campaigns.add')}
              </button>
            </div>
          </form>
        )}
      </section>
    </>
  );
}
