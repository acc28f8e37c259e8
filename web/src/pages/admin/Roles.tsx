import { useI18n } from '../../i18n/index.js';
import { errorText, useApi } from '../../useApi.js';
import { AdminBack } from './AdminBack.js';
import type { Role } from './api.js';

/** Built-in and custom roles: the actions each gives and the field classes it shows. */
export function Roles() {
  const { t } = useI18n();
  const loaded = useApi<{ items: Role[] }>('/api/v1/roles');
  return (
    <>
      <AdminBack />
      <h1>{t('admin.roles')}</h1>
      <p className="hint">{t('admin.rolesHelp')}</p>
      {loaded.state === 'loading' && (
        <p role="status" className="loading">
          {t('app.loading')}
        </p>
      )}
      {loaded.state === 'error' && (
        <p className="error" role="alert">
          {errorText(loaded.error, t('app.offline'))}
        </p>
      )}
      {loaded.state === 'ok' &&
        loaded.data.items.map((role) => (
          <section key={role.id} className="card" aria-labelledby={`role-${role.key}`}>
            <h2 id={`role-${role.key}`}>
              {role.name} <code>{role.key}</code>{' '}
              <span className="badge">{t(role.builtin ? 'admin.builtin' : 'admin.custom')}</span>
            </h2>
            <dl>
              <div>
                <dt>{t('admin.actions')}</dt>
                <dd>
                  <ul className="tags">
                    {role.actions.map((a) => (
                      <li key={a}>{a}</li>
                    ))}
                  </ul>
                </dd>
              </div>
              <div>
                <dt>{t('admin.fieldClasses')}</dt>
                <dd>
                  {role.field_classes.length === 0 ? (
                    t('admin.noFieldClasses')
                  ) : (
                    <ul className="tags">
                      {role.field_classes.map((c) => (
                        <li key={c}>{c}</li>
                      ))}
                    </ul>
                  )}
                </dd>
              </div>
            </dl>
          </section>
        ))}
    </>
  );
}
