import { type FormEvent, useEffect, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { LanguagePicker } from '../Layout.js';
import { useSession } from '../session.js';

const LAST_ORG = 'rhizome.org';

/** Only a path of this app: never an absolute URL (an open redirect). */
const safeNext = (next: string | null): string =>
  next?.startsWith('/') && !next.startsWith('//') ? next : '/';

export function SignIn() {
  const { t } = useI18n();
  const { signIn, expired } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const [org, setOrg] = useState(() => localStorage.getItem(LAST_ORG) ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = `${t('signIn.title')} · ${t('app.name')}`;
  }, [t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ org: org.trim(), email: email.trim(), password });
      localStorage.setItem(LAST_ORG, org.trim());
      navigate(safeNext(new URLSearchParams(search).get('next')), { replace: true });
    } catch (caught) {
      setPassword('');
      setError(
        caught instanceof ApiError
          ? caught.status === 429
            ? t('signIn.limited')
            : t('signIn.failed')
          : t('app.offline'),
      );
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-top">
        <span className="brand">{t('app.name')}</span>
        <LanguagePicker />
      </div>
      <h1>{t('signIn.title')}</h1>
      {expired && !error && (
        <p className="notice" role="status">
          {t('signIn.expired')}
        </p>
      )}
      {error && (
        <p className="error" role="alert" id="sign-in-error">
          {error}
        </p>
      )}
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <div className="field">
          <label htmlFor="org">{t('signIn.org')}</label>
          <input
            id="org"
            name="org"
            required
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            autoComplete="organization"
            aria-describedby="org-hint"
            value={org}
            onChange={(e) => setOrg(e.target.value)}
          />
          <p className="hint" id="org-hint">
            {t('signIn.orgHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="email">{t('signIn.email')}</label>
          <input
            id="email"
            name="email"
            type="email"
            required
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">{t('signIn.password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            required
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
