import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { LANGUAGES, type Language, useI18n } from './i18n/index.js';
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
            {/* nav: organizing */}
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
            {/* nav: field */}
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
