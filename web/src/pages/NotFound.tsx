import { Link } from 'wouter';
import { useI18n } from '../i18n/index.js';

export function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <p>
        <Link href="/people">{t('person.back')}</Link>
      </p>
    </>
  );
}
