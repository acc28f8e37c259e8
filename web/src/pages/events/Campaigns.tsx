import { lazy, Suspense, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, type Page } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText, useApi } from '../../useApi.js';
import { type Campaign, type EventView, formatWhen } from './api.js';
import { CampaignPeople } from './CampaignPeople.js';
import { EventItem } from './EventsList.js';
import { useMapPoints } from './useMapPoints.js';
import './events.css';

const EventsMap = lazy(() => import('./EventsMap.js'));

/** The organization's campaigns (distributed days of action), newest first. */
export function Campaigns() {
  const { t, formatDay } = useI18n();
  const list = useApi<{ items: Campaign[] }>('/api/v1/campaigns');
  useEffect(() => {
    document.title = `${t('campaigns.title')} · ${t('app.name')}`;
  }, [t]);
  return (
    <>
      <h1>{t('campaigns.title')}</h1>
      {list.state === 'loading' && (
        <p role="status" className="loading">
          {t('app.loading')}
        </p>
      )}
      {list.state === 'error' && (
        <p className="error" role="alert">
          {t('app.error', { detail: errorText(list.error, t('app.offline')) })}
        </p>
      )}
      {list.state === 'ok' && list.data.items.length === 0 && <p>{t('campaigns.none')}</p>}
      {list.state === 'ok' && list.data.items.length > 0 && (
        <ul className="events">
          {list.data.items.map((c) => (
            <li key={c.id}>
              <Link href={`/campaigns/${c.id}`} className="event-link">
                {c.title}
              </Link>
              <span className="when">
                {t('campaigns.dates', { from: formatDay(c.starts_on), to: formatDay(c.ends_on) })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** One campaign: its details, its events on a list and a map, the moderation queue, moderators. */
export function CampaignPage({ id }: { id: string }) {
  const { t, tn, formatDay } = useI18n();
  const { me } = useSession();
  const base = `/api/v1/campaigns/${encodeURIComponent(id)}`;
  const campaign = useApi<Campaign>(base);
  const [round, setRound] = useState(0);
  const events = useApi<Page<EventView>>(
    `/api/v1/events?campaign_id=${encodeURIComponent(id)}&per_page=100&_=${round}`,
  );
  const [showMap, setShowMap] = useState(true);
  const points = useMapPoints(
    showMap && campaign.state === 'ok' ? { campaign_id: id, _: String(round) } : null,
  );

  useEffect(() => {
    if (campaign.state === 'ok') document.title = `${campaign.data.title} · ${t('app.name')}`;
  }, [campaign, t]);

  const back = (
    <p className="back">
      <Link href="/campaigns">{t('campaigns.back')}</Link>
    </p>
  );
  if (campaign.state === 'loading')
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  if (campaign.state === 'error') {
    const missing = campaign.error instanceof ApiError && [400, 404].includes(campaign.error.status);
    return (
      <>
        {back}
        <h1>{missing ? t('notFound.title') : t('app.error', { detail: '' })}</h1>
        <p role="alert" className={missing ? undefined : 'error'}>
          {missing ? t('campaigns.notFound') : errorText(campaign.error, t('app.offline'))}
        </p>
      </>
    );
  }
  const c = campaign.data;
  const moderates = me?.actions?.includes('events.moderate') ?? false;
  return (
    <>
      {back}
      <h1>{c.title}</h1>
      <p>{t('campaigns.dates', { from: formatDay(c.starts_on), to: formatDay(c.ends_on) })}</p>
      {c.description && <p className="body">{c.description}</p>}
      <p className="hint">
        {t('campaigns.publicForm')} <code>/api/v1/public/campaigns/{c.id}/events</code>
      </p>

      {moderates && <Queue id={c.id} onApproved={() => setRound((r) => r + 1)} />}

      <section className="card" aria-labelledby="cp-events">
        <h2 id="cp-events">{t('campaigns.events')}</h2>
        <div className="actions">
          <button
            type="button"
            className="secondary"
            aria-pressed={showMap}
            onClick={() => setShowMap(!showMap)}
          >
            {t('events.showMap')}
          </button>
        </div>
        {showMap && (
          <Suspense fallback={<p className="loading">{t('map.loading')}</p>}>
            {points.state === 'ok' ? (
              <>
                <EventsMap points={points.data.points} label={t('map.campaignLabel')} />
                {points.data.unplaced > 0 && (
                  <p className="hint">{tn('map.unplaced', points.data.unplaced)}</p>
                )}
              </>
            ) : (
              <p className="loading">{t('map.loading')}</p>
            )}
          </Suspense>
        )}
        {events.state === 'ok' && <p className="count">{tn('events.total', events.data.total)}</p>}
        {events.state === 'ok' && events.data.items.length > 0 && <EventRows items={events.data.items} />}
      </section>

      <CampaignPeople campaign={c} manage={c.can?.manage ?? false} />
    </>
  );
}

function EventRows({ items }: { items: EventView[] }) {
  const { language } = useI18n();
  return (
    <ul className="events">
      {items.map((e) => (
        <EventItem key={e.id} event={e} language={language} />
      ))}
    </ul>
  );
}

/** Proposed events waiting for a moderator; approving one publishes it. */
function Queue({ id, onApproved }: { id: string; onApproved: () => void }) {
  const { t, tn, language } = useI18n();
  const [round, setRound] = useState(0);
  const queue = useApi<{ items: EventView[] }>(`/api/v1/campaigns/${id}/queue?_=${round}`);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // A 403 means this user moderates no event here: no queue to show.
  if (queue.state === 'error' && queue.error instanceof ApiError && queue.error.status === 403) return null;

  const approve = async (event: EventView) => {
    setBusy(event.id);
    setFailure(null);
    setMessage(null);
    try {
      await api('POST', `/api/v1/events/${event.id}/approve`);
      setMessage(t('campaigns.approvedOne', { title: event.title }));
      setRound((r) => r + 1);
      onApproved();
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card" aria-labelledby="cp-queue">
      <h2 id="cp-queue">{t('campaigns.queue')}</h2>
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
      {queue.state === 'error' && (
        <p className="error" role="alert">
          {t('app.error', { detail: errorText(queue.error, t('app.offline')) })}
        </p>
      )}
      {queue.state === 'ok' && <p className="count">{tn('campaigns.waiting', queue.data.items.length)}</p>}
      {queue.state === 'ok' && queue.data.items.length > 0 && (
        <ul className="events queue">
          {queue.data.items.map((e) => (
            <li key={e.id}>
              <Link href={`/events/${e.id}`} className="event-link">
                {e.title}
              </Link>
              <span className="when">{formatWhen(language, e.starts_at, e.timezone)}</span>
              <span className="unit">{[e.locality, e.region, e.postal_code].filter(Boolean).join(', ')}</span>
              <button
                type="button"
                disabled={busy === e.id}
                aria-label={t('campaigns.approveThis', { title: e.title })}
                onClick={() => approve(e)}
              >
                {t('events.approve')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
