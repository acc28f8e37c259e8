import { lazy, type ReactNode, Suspense } from 'react';
import { Route } from 'wouter';
import { useI18n } from '../../i18n/index.js';

// The field screens load on first use, in one chunk of their own: the app shell stays light.
const screens = () => import('./screens.js');
const WalkLists = lazy(() => screens().then((m) => ({ default: m.WalkLists })));
const WalkRunner = lazy(() => screens().then((m) => ({ default: m.WalkRunner })));
const CallLists = lazy(() => screens().then((m) => ({ default: m.CallLists })));
const CallRunner = lazy(() => screens().then((m) => ({ default: m.CallRunner })));
const PhoneTreePage = lazy(() => screens().then((m) => ({ default: m.PhoneTreePage })));

function Loading({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <Suspense
      fallback={
        <p role="status" className="loading">
          {t('app.loading')}
        </p>
      }
    >
      {children}
    </Suspense>
  );
}

/** The field routes, for the app's <Switch>: walk lists, call lists, phone trees. */
export const fieldRoutes = [
  <Route key="walk" path="/walk">
    <Loading>
      <WalkLists />
    </Loading>
  </Route>,
  <Route key="walk-id" path="/walk/:id">
    {(params) => (
      <Loading>
        <WalkRunner id={params.id} />
      </Loading>
    )}
  </Route>,
  <Route key="call" path="/call">
    <Loading>
      <CallLists />
    </Loading>
  </Route>,
  <Route key="call-id" path="/call/:id">
    {(params) => (
      <Loading>
        <CallRunner id={params.id} />
      </Loading>
    )}
  </Route>,
  <Route key="phone-tree" path="/phone-trees/:id">
    {(params) => (
      <Loading>
        <PhoneTreePage id={params.id} />
      </Loading>
    )}
  </Route>,
];
