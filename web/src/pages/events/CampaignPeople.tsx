import { type FormEvent, useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useApi } from '../../useApi.js';
import type { Campaign, Moderator } from './api.js';
import { UserEmailField, useChange } from './user-controls.js';

/**
 * A campaign's moderators (any one of them may approve its events) and trusted hosts (their
 * proposals are published at once). Those who moderate events may add and remove both; the API
 * decides over which campaigns, and its refusals (another unit's campaign, leaving a single
 * moderator as the only path to approval) are shown as it words them.
 */
export function CampaignPeople({ campaign, manage }: { campaign: Campaign; manage: boolean }) {
  const { t } = useI18n();
  const base = `/api/v1/campaigns/${campaign.id}`;
  const { round, busy, message, failure, run } = useChange();
  const moderators = useApi<{ items: Moderator[] }>(`${base}/moderators?_=${round}`);
  const [trusted, setTrusted] = useState(campaign.trusted_host_emails);
  const [moderatorEmail, setModeratorEmail] = useState('');
  const [hostEmail, setHostEmail] = useState('');
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
            <UserEmailField
              id="moderator-email"
              label={t('campaigns.moderatorAdd')}
              hint={t('campaigns.moderatorAddHint')}
              value={moderatorEmail}
              onChange={setModeratorEmail}
              exclude={mods.map((m) => m.user_id)}
            />
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
