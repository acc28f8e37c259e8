import { useEffect, useMemo } from 'react';
import { Link } from 'wouter';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText, useApi } from '../../useApi.js';
import type { Dashboard as DashboardData } from './api.js';
import { BarChart, type Series } from './BarChart.js';
import { DataTable } from './DataTable.js';
import './dashboard.css';

const BLUE = '#0a4f8a';
const LIGHT = '#8fb3d9';
const RED = '#a1162b';

/**
 * The home page: counts over the people the user may count (the API scopes them; an analyst sees
 * aggregates, a local organizer her units). Every chart has its numbers in a table.
 */
export function Dashboard() {
  const { t, language, formatDate } = useI18n();
  const { me } = useSession();
  const loaded = useApi<DashboardData>('/api/v1/dashboard');

  useEffect(() => {
    document.title = `${t('dashboard.title')} · ${t('app.name')}`;
  }, [t]);

  const data = loaded.state === 'ok' ? loaded.data : null;
  const charts = useMemo(() => {
    if (!data) return null;
    const day = new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    const weeks = data.people.new_per_week.map((w) => day.format(new Date(w.week)));
    return {
      weeks,
      newPeople: [
        { label: t('dashboard.newPeople'), data: data.people.new_per_week.map((w) => w.count), color: BLUE },
      ],
      ladderLabels: data.ladders.map((l) => l.name),
      ladders: [
        { label: t('dashboard.up'), data: data.ladders.map((l) => l.up), color: BLUE },
        { label: t('dashboard.down'), data: data.ladders.map((l) => l.down), color: RED },
        { label: t('dashboard.onto'), data: data.ladders.map((l) => l.onto), color: LIGHT },
      ] satisfies Series[],
      eventLabels: data.events.map((e) => e.title),
      events: [
        { label: t('dashboard.rsvps'), data: data.events.map((e) => e.rsvps), color: LIGHT },
        { label: t('dashboard.attended'), data: data.events.map((e) => e.attended), color: BLUE },
      ] satisfies Series[],
    };
  }, [data, language, t]);

  if (loaded.state === 'loading')
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  if (loaded.state === 'error' || !data || !charts)
    return (
      <>
        <h1>{t('dashboard.title')}</h1>
        <p className="error" role="alert">
          {loaded.state === 'error' ? errorText(loaded.error, t('app.offline')) : t('app.offline')}
        </p>
      </>
    );

  const newTotal = data.people.new_per_week.reduce((sum, w) => sum + w.count, 0);
  const up = data.ladders.reduce((sum, l) => sum + l.up, 0);
  const down = data.ladders.reduce((sum, l) => sum + l.down, 0);
  const period = t('dashboard.period', { weeks: data.period.weeks, since: formatDate(data.period.since) });

  return (
    <div className="dashboard">
      <h1>{t('dashboard.title')}</h1>
      <p className="hint">
        {period}{' '}
        {me?.actions.includes('people.read') ? t('dashboard.scopeRead') : t('dashboard.scopeAggregate')}
      </p>

      <dl className="stats">
        <Stat id="stat-total" label={t('dashboard.total')} value={data.people.total} />
        <Stat id="stat-new" label={t('dashboard.newInPeriod')} value={newTotal} />
        <Stat id="stat-up" label={t('dashboard.movedUp')} value={up} />
        <Stat id="stat-down" label={t('dashboard.movedDown')} value={down} />
        <Stat id="stat-due" label={t('dashboard.mineDue')} value={data.follow_ups.mine_due_soon} />
        <Stat
          id="stat-mine-overdue"
          label={t('dashboard.mineOverdue')}
          value={data.follow_ups.mine_overdue}
        />
        <Stat id="stat-overdue" label={t('dashboard.overdue')} value={data.follow_ups.overdue} />
      </dl>

      <section className="card" aria-labelledby="h-new">
        <h2 id="h-new">{t('dashboard.newPeople')}</h2>
        <BarChart
          labels={charts.weeks}
          series={charts.newPeople}
          summary={t('dashboard.newSummary', { count: newTotal, weeks: data.period.weeks })}
        />
        <DataTable
          caption={t('dashboard.newPeople')}
          head={[t('dashboard.week'), t('dashboard.people')]}
          rows={data.people.new_per_week.map((w) => ({
            key: w.week,
            cells: [formatDate(w.week), w.count],
          }))}
        />
      </section>

      <section className="card" aria-labelledby="h-ladders">
        <h2 id="h-ladders">{t('dashboard.ladders')}</h2>
        {data.ladders.length === 0 ? (
          <p>{t('dashboard.noLadders')}</p>
        ) : (
          <>
            <BarChart
              labels={charts.ladderLabels}
              series={charts.ladders}
              summary={t('dashboard.laddersSummary', { up, down })}
            />
            <DataTable
              caption={t('dashboard.ladders')}
              head={[t('dashboard.ladder'), t('dashboard.up'), t('dashboard.down'), t('dashboard.onto')]}
              rows={data.ladders.map((l) => ({ key: l.id, cells: [l.name, l.up, l.down, l.onto] }))}
            />
          </>
        )}
      </section>

      <section className="card" aria-labelledby="h-events">
        <h2 id="h-events">{t('dashboard.events')}</h2>
        {data.events.length === 0 ? (
          <p>{t('dashboard.noEvents')}</p>
        ) : (
          <>
            <BarChart
              labels={charts.eventLabels}
              series={charts.events}
              summary={t('dashboard.eventsSummary', { count: data.events.length })}
            />
            <DataTable
              caption={t('dashboard.events')}
              head={[t('dashboard.event'), t('dashboard.rsvps'), t('dashboard.attended')]}
              rows={data.events.map((e) => ({
                key: e.id,
                cells: [`${e.title} (${formatDate(e.starts_at)})`, e.rsvps, e.attended],
              }))}
            />
          </>
        )}
      </section>

      {me?.actions.includes('people.read') && (
        <p>
          <Link href="/people">{t('dashboard.toPeople')}</Link>
        </p>
      )}
    </div>
  );
}

function Stat({ id, label, value }: { id: string; label: string; value: number }) {
  const { language } = useI18n();
  return (
    <div id={id} className="stat">
      <dt>{label}</dt>
      <dd>{new Intl.NumberFormat(language).format(value)}</dd>
    </div>
  );
}
