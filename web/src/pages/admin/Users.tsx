import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText, useApi } from '../../useApi.js';
import { AdminBack } from './AdminBack.js';
import type { AdminUnit, Role, User } from './api.js';
import { useReloadable } from './useReload.js';

/** The organization's users, and a form to add one (with a first role if wanted). */
export function Users() {
  const { t } = useI18n();
  const { me } = useSession();
  const [loaded, reload] = useReloadable<{ items: User[] }>('/api/v1/users');
  const canManageAccess = !!me?.actions.includes('access.manage');
  const roles = useApi<{ items: Role[] }>(canManageAccess ? '/api/v1/roles' : null);
  const units = useApi<{ items: AdminUnit[] }>('/api/v1/units');
  const [form, setForm] = useState({ email: '', display_name: '', password: '', role: '', unit: '' });
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    const body: Record<string, string> = { email: form.email.trim() };
    if (form.display_name.trim()) body.display_name = form.display_name.trim();
    if (form.password) body.password = form.password;
    if (form.role) body.role = form.role;
    if (form.role && form.unit) body.unit = form.unit;
    try {
      const user = await api<User>('POST', '/api/v1/users', body);
      setDone(t('admin.userAdded', { email: user.email }));
      setForm({ email: '', display_name: '', password: '', role: '', unit: '' });
      reload();
    } catch (caught) {
      setError(errorText(caught as Error, t('app.offline')));
    }
  };

  return (
    <>
      <AdminBack />
      <h1>{t('admin.users')}</h1>
      {loaded.state === 'error' && (
        <p className="error" role="alert">
          {errorText(loaded.error, t('app.offline'))}
        </p>
      )}
      {loaded.state === 'ok' && (
        <ul className="users">
          {loaded.data.items.map((user) => (
            <li key={user.id} className="card">
              {canManageAccess ? (
                <Link href={`/users/${user.id}`} className="person-link">
                  {user.display_name ?? user.email}
                </Link>
              ) : (
                <strong>{user.display_name ?? user.email}</strong>
              )}
              <div className="hint">{user.email}</div>
              {user.disabled && <span className="badge">{t('admin.disabled')}</span>}
              <ul className="tags">
                {user.roles.map((r) => (
                  <li key={r.binding_id}>{roleText(t, r.role, r.unit)}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}

      <form className="card" onSubmit={add} aria-labelledby="h-add-user">
        <h2 id="h-add-user">{t('admin.addUser')}</h2>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {done && (
          <p className="notice" role="status">
            {done}
          </p>
        )}
        <div className="field">
          <label htmlFor="user-email">{t('signIn.email')}</label>
          <input id="user-email" type="email" required value={form.email} onChange={set('email')} />
        </div>
        <div className="field">
          <label htmlFor="user-name">{t('admin.displayName')}</label>
          <input id="user-name" value={form.display_name} onChange={set('display_name')} />
        </div>
        <div className="field">
          <label htmlFor="user-password">{t('admin.initialPassword')}</label>
          <input
            id="user-password"
            type="password"
            autoComplete="new-password"
            aria-describedby="user-password-hint"
            value={form.password}
            onChange={set('password')}
          />
          <p className="hint" id="user-password-hint">
            {t('admin.initialPasswordHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="user-role">{t('admin.firstRole')}</label>
          <select id="user-role" value={form.role} onChange={set('role')}>
            <option value="">{t('admin.noRole')}</option>
            {(roles.state === 'ok' ? roles.data.items : []).map((r) => (
              <option key={r.key} value={r.key}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="user-unit">{t('admin.over')}</label>
          <select id="user-unit" value={form.unit} onChange={set('unit')} disabled={!form.role}>
            <option value="">{t('admin.wholeOrg')}</option>
            {(units.state === 'ok' ? units.data.items : []).map((u) => (
              <option key={u.id} value={u.path}>
                {u.path}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t('admin.addUser')}</button>
      </form>
    </>
  );
}

export function roleText(
  t: (key: 'admin.roleOver' | 'admin.roleOrg', vars?: Record<string, string>) => string,
  role: string,
  unit: string | null,
): string {
  return unit ? t('admin.roleOver', { role, unit }) : t('admin.roleOrg', { role });
}
