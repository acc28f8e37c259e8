import { Link } from 'wouter';
import { useI18n } from '../../i18n/index.js';

/** Back to the admin overview (links inside /admin are relative to it). */
export function AdminBack() {
  const { t } = useI18n();
  return (
    <p className="back">
      <Link href="/">{t('admin.back')}</Link>
    </p>
  );
}
