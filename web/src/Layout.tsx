import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { LANGUAGES, type Language, useI18n } from './i18n/index.js';
import { mayAdmin, mayDashboard } from './pages/admin/home.js';
import { ViewAsBanner } from './pages/admin/ViewAsBanner.js';
import { FieldNav } from './pages/field/nav.js';
import { can } from './pages/organizing/api.js';
import { useSession } from './session.js';

/** The page frame: skip link, header with navigation, language and sign-out; the page in <main>. */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { me, signOut } = useSession();
  const [location, navigate] = useLocation();
  const current = (path: string) => location === path || location.startsWith(`${path}/`);

  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('app.nav')}>
          <ul>
            <li>
              <Link href="/people" aria-current={current('/people') ? 'page' : undefined}>
                {t('nav.people')}
              </Link>
            </li>
            {/* nav: imports */}
            {me?.actions.includes('people.import') && (
              <li>
                <Link href="/import" aria-current={current('/import') ? 'page' : undefined}>
                  {t('nav.import')}
                </Link>
              </li>
            )}
            {me?.actions.includes('people.merge') && (
              <li>
                <Link href="/duplicates" aria-current={current('/duplicates') ? 'page' : undefined}>
                  {t('nav.duplicates')}
                </Link>
              </li>
            )}
            {/* nav: organizing */}
            {(
              [
                ['/follow-ups', 'nav.followUps', can(me, 'people.read')],
                ['/one-on-ones/new', 'nav.oneOnOne', can(me, 'people.write')],
                ['/lists', 'nav.lists', can(me, 'lists.read')],
                ['/tags', 'nav.tags', can(me, 'tags.read')],
                // A board needs counts or names to show.
                [
                  '/ladders',
                  'nav.ladders',
                  can(me, 'ladders.read') && (can(me, 'people.aggregate') || can(me, 'people.read')),
                ],
              ] as const
            )
              .filter(([, , shown]) => shown)
              .map(([path, label]) => (
                <li key={path}>
                  <Link href={path} aria-current={current(path) ? 'page' : undefined}>
                    {t(label)}
                  </Link>
                </li>
              ))}
            {/* nav: events */}
            {me?.actions?.includes('events.read') && (
              <li>
                <Link
                  href="/events"
                  aria-current={current('/events') || current('/campaigns') ? 'page' : undefined}
                >
                  {t('nav.events')}
                </Link>
              </li>
            )}
            {/* nav: admin */}
            {mayDashboard(me) && (
              <li>
                <Link href="/dashboard" aria-current={current('/dashboard') ? 'page' : undefined}>
                  {t('nav.dashboard')}
                </Link>
              </li>
            )}
            {mayAdmin(me) && (
              <li>
                <Link href="/admin" aria-current={current('/admin') ? 'page' : undefined}>
                  {t('nav.admin')}
                </Link>
              </li>
            )}
            {/* nav: field */}
            <FieldNav current={current} />
            {/* nav: public */}
            {/* nav: dayofaction */}
          </ul>
        </nav>
        <div className="account">
          <LanguagePicker />
          {me && <span className="who">{t('nav.signedInAs', { email: me.user.email })}</span>}
          <button
            type="button"
            className="secondary"
            onClick={() => signOut().finally(() => navigate('/sign-in', { replace: true }))}
          >
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <ViewAsBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

export function LanguagePicker() {
  const { t, language, setLanguage } = useI18n();
  return (
    <label className="language">
      <span className="visually-hidden">{t('app.language')}</span>
      <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
