import { useEffect } from 'react';
import { Link } from 'wouter';
import type { Page } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { useApi } from '../../useApi.js';
import type { CallList, PhoneTreeSummary } from './api.js';
import { mayManageCalls } from './nav.js';
import { LoadState, Progress } from './parts.js';

/** "My call lists": those the user calls for (all of them with calls.manage), and phone trees for managers. */
export function CallLists() {
  const { t } = useI18n();
  const { me } = useSession();
  const loaded = useApi<Page<CallList>>('/api/v1/call-lists?per_page=100');
  const managing = mayManageCalls(me);
  useEffect(() => {
    document.title = `${t('field.call.title')} · ${t('app.name')}`;
  }, [t]);

  return (
    <>
      <h1>{t('field.call.title')}</h1>
      <LoadState loaded={loaded} notFound={t('field.call.none')} />
      {loaded.state === 'ok' &&
        (loaded.data.items.length === 0 ? (
          <p>{t('field.call.none')}</p>
        ) : (
          <ul className="field-lists">
            {loaded.data.items.map((c) => (
              <li key={c.id} className="card">
                <h2>
                  <Link href={`/call/${c.id}`}>{c.name}</Link>
                </h2>
                {c.status === 'closed' && <p className="badge field-closed">{t('field.closed')}</p>}
                <Progress
                  value={c.progress.done}
                  max={c.progress.total}
                  label={t('field.call.progress', { done: c.progress.done, total: c.progress.total })}
                />
              </li>
            ))}
          </ul>
        ))}
      {managing && <PhoneTrees />}
    </>
  );
}

function PhoneTrees() {
  const { t, formatDate } = useI18n();
  const loaded = useApi<Page<PhoneTreeSummary>>('/api/v1/phone-trees?per_page=50');
  if (loaded.state !== 'ok' || loaded.data.items.length === 0) return null;
  return (
    <section aria-labelledby="trees-heading">
      <h2 id="trees-heading">{t('field.tree.all')}</h2>
      <ul className="field-lists">
        {loaded.data.items.map((tree) => (
          <li key={tree.id} className="card">
            <Link href={`/phone-trees/${tree.id}`}>{tree.name}</Link>
            <p className="hint">
              {t('field.tree.summary', { people: tree.people, deadline: formatDate(tree.deadline, true) })}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
