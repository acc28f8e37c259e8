import { useEffect } from 'react';
import { Link } from 'wouter';
import { useI18n } from '../../i18n/index.js';
import { useApi } from '../../useApi.js';
import type { WalkList } from './api.js';
import { LoadState, Progress } from './parts.js';

/** "My walk lists": those the user canvasses, and those of the turf they manage. */
export function WalkLists() {
  const { t, tn } = useI18n();
  const loaded = useApi<{ items: WalkList[] }>('/api/v1/walk-lists');
  useEffect(() => {
    document.title = `${t('field.walk.title')} · ${t('app.name')}`;
  }, [t]);

  return (
    <>
      <h1>{t('field.walk.title')}</h1>
      <LoadState loaded={loaded} notFound={t('field.walk.none')} />
      {loaded.state === 'ok' &&
        (loaded.data.items.length === 0 ? (
          <p>{t('field.walk.none')}</p>
        ) : (
          <ul className="field-lists">
            {loaded.data.items.map((w) => (
              <li key={w.id} className="card">
                <h2>
                  <Link href={`/walk/${w.id}`}>{w.name}</Link>
                </h2>
                {w.status === 'closed' && <p className="badge field-closed">{t('field.closed')}</p>}
                <Progress
                  value={w.progress.done}
                  max={w.progress.doors}
                  label={t('field.walk.doorsDone', { done: w.progress.done, doors: w.progress.doors })}
                />
                <p className="hint">{tn('field.walk.people', w.progress.people)}</p>
                <p>
                  <a href={`/api/v1/walk-lists/${w.id}/sheet.html`} target="_blank" rel="noopener">
                    {t('field.walk.sheet')}
                  </a>
                </p>
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}
