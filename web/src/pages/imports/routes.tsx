import { lazy, Suspense } from 'react';
import { useI18n } from '../../i18n/index.js';

/** Loaded when first visited: the app shell stays within its weight budget. */
const LazyImportWizard = lazy(() => import('./ImportWizard.js').then((m) => ({ default: m.ImportWizard })));
const LazyDuplicates = lazy(() => import('./Duplicates.js').then((m) => ({ default: m.Duplicates })));

function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('app.loading')}
    </p>
  );
}

export function ImportScreen() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyImportWizard />
    </Suspense>
  );
}

export function DuplicatesScreen() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyDuplicates />
    </Suspense>
  );
}
