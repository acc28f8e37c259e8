import { type ReactNode, useEffect } from 'react';
import { Link, Route, Switch } from 'wouter';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { Audit } from './Audit.js';
import { mayAdmin } from './home.js';
import { Roles } from './Roles.js';
import { Units } from './Units.js';
import { UserDetail } from './UserDetail.js';
import { Users } from './Users.js';
import './admin.css';

const SECTIONS: { path: string; action: string; title: MessageKey; body: MessageKey }[] = [
  { path: '/units', action: 'units.manage', title: 'admin.units', body: 'admin.unitsHelp' },
  { path: '/users', action: 'users.manage', title: 'admin.users', body: 'admin.usersHelp' },
  { path: '/roles', action: 'access.manage', title: 'admin.roles', body: 'admin.rolesHelp' },
  { path: '/audit', action: 'audit.read', title: 'admin.audit', body: 'admin.auditHelp' },
];

/**
 * Administration, under /admin: each section only for users whose grants give its action (the API
 * refuses the others anyway). Someone with none of them gets a refusal and no data is asked for.
 */
export function Admin() {
  const { t } = useI18n();
  const { me } = useSession();
  const may = (action: string) => !!me?.actions.includes(action);

  useEffect(() => {
    document.title = `${t('admin.title')} · ${t('app.name')}`;
  }, [t]);

  if (!mayAdmin(me)) return <Refusal />;
  const guard = (action: string, screen: ReactNode) => (may(action) ? screen : <Refusal />);
  return (
    <div className="admin">
      <Switch>
        <Route path="/">
          <h1>{t('admin.title')}</h1>
          <ul className="sections">
            {SECTIONS.filter((s) => may(s.action)).map((s) => (
              <li key={s.path} className="card">
                <h2>
                  <Link href={s.path}>{t(s.title)}</Link>
                </h2>
                <p>{t(s.body)}</p>
              </li>
            ))}
          </ul>
        </Route>
        <Route path="/units">{guard('units.manage', <Units />)}</Route>
        <Route path="/users">{guard('users.manage', <Users />)}</Route>
        <Route path="/users/:id">{(params) => guard('access.manage', <UserDetail id={params.id} />)}</Route>
        <Route path="/roles">{guard('access.manage', <Roles />)}</Route>
        <Route path="/audit">{guard('audit.read', <Audit />)}</Route>
        <Route>
          <h1>{t('notFound.title')}</h1>
          <p>{t('notFound.body')}</p>
        </Route>
      </Switch>
    </div>
  );
}

/** What someone without the admin actions sees at an admin address: a refusal, never data. */
function Refusal() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('admin.title')}</h1>
      <p className="error" role="alert">
        {t('admin.refused')}
      </p>
      <p>
        <Link href="~/">{t('admin.home')}</Link>
      </p>
    </>
  );
}
