import { useState } from 'react';
import { useLocation } from 'wouter';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import './view-as.css';

/** Shown on every page while an admin views the app as another user: whose view it is, and the way out. */
export function ViewAsBanner() {
  const { t } = useI18n();
  const { viewingAs, viewAs } = useSession();
  const [, navigate] = useLocation();
  const [busy, setBusy] = useState(false);
  if (!viewingAs) return null;
  const leave = async () => {
    setBusy(true);
    const id = viewingAs.id;
    await viewAs(null);
    setBusy(false);
    navigate(`/admin/users/${id}`);
  };
  return (
    <section className="view-as" aria-label={t('viewAs.region')}>
      <p>
        <strong>{t('viewAs.banner', { email: viewingAs.email })}</strong> {t('viewAs.readOnly')}
      </p>
      <button type="button" onClick={leave} disabled={busy}>
        {t('viewAs.leave')}
      </button>
    </section>
  );
}
