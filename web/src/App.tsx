import { lazy, type ReactNode, Suspense } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { useI18n } from './i18n/index.js';
import { Layout } from './Layout.js';
import { homePath } from './pages/admin/home.js';
import { CampaignPage, Campaigns } from './pages/events/Campaigns.js';
import { EventForm } from './pages/events/EventForm.js';
import { EventPage } from './pages/events/EventPage.js';
import { EventsList } from './pages/events/EventsList.js';
import { fieldRoutes } from './pages/field/routes.js';
import { DuplicatesScreen, ImportScreen } from './pages/imports/routes.js';
import { NotFound } from './pages/NotFound.js';
import * as Organizing from './pages/organizing/index.js';
import { PeopleSearch } from './pages/PeopleSearch.js';
import { PersonPage } from './pages/PersonPage.js';
import { SignIn } from './pages/SignIn.js';
import { useSession } from './session.js';

// Loaded when first opened, so that the shell stays small (chart.js comes with the dashboard).
const Dashboard = lazy(() => import('./pages/admin/Dashboard.js').then((m) => ({ default: m.Dashboard })));
const Admin = lazy(() => import('./pages/admin/Admin.js').then((m) => ({ default: m.Admin })));

/** Client-side routes; the server answers every non-API path with index.html. */
export function App() {
  const { me } = useSession();
  const { t } = useI18n();
  const [location] = useLocation();

  if (me === undefined)
    return (
      <p className="loading" role="status">
        {t('app.loading')}
      </p>
    );
  if (me === null) {
    if (location === '/sign-in') return <SignIn />;
    // Come back here after signing in.
    const next = location === '/' ? '' : `?next=${encodeURIComponent(location + window.location.search)}`;
    return <Redirect to={`/sign-in${next}`} replace />;
  }
  return (
    <Layout>
      <Switch>
        <Route path="/">
          <Redirect to={homePath(me)} replace />
        </Route>
        <Route path="/sign-in">
          <Redirect to={homePath(me)} replace />
        </Route>
        <Route path="/people" component={PeopleSearch} />
        <Route path="/people/:id">{(params) => <PersonPage id={params.id} />}</Route>
        {/* routes: imports */}
        <Route path="/import" component={ImportScreen} />
        <Route path="/duplicates" component={DuplicatesScreen} />
        {/* routes: organizing */}
        <Route path="/one-on-ones/new" component={Organizing.LogOneOnOnePage} />
        <Route path="/follow-ups" component={Organizing.FollowUpsPage} />
        <Route path="/lists">{() => <Organizing.GroupingsPage kind="list" />}</Route>
        <Route path="/lists/:id">{(params) => <Organizing.GroupingPage kind="list" id={params.id} />}</Route>
        <Route path="/tags">{() => <Organizing.GroupingsPage kind="tag" />}</Route>
        <Route path="/tags/:id">{(params) => <Organizing.GroupingPage kind="tag" id={params.id} />}</Route>
        <Route path="/ladders" component={Organizing.LaddersPage} />
        <Route path="/ladders/:id">{(params) => <Organizing.LadderBoardPage id={params.id} />}</Route>
        {/* routes: events */}
        <Route path="/events" component={EventsList} />
        <Route path="/events/new">{() => <EventForm />}</Route>
        <Route path="/events/:id/edit">{(params) => <EventForm id={params.id} />}</Route>
        <Route path="/events/:id">{(params) => <EventPage id={params.id} />}</Route>
        <Route path="/campaigns" component={Campaigns} />
        <Route path="/campaigns/:id">{(params) => <CampaignPage id={params.id} />}</Route>
        {/* routes: admin */}
        <Route path="/dashboard">
          <Lazy>
            <Dashboard />
          </Lazy>
        </Route>
        <Route path="/admin" nest>
          <Lazy>
            <Admin />
          </Lazy>
        </Route>
        {/* routes: field */}
        {fieldRoutes}
        {/* routes: public */}
        {/* routes: dayofaction */}
        <Route component={NotFound} />
      </Switch>
    </Layout>
  );
}

function Lazy({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <Suspense
      fallback={
        <p className="loading" role="status">
          {t('app.loading')}
        </p>
      }
    >
      {children}
    </Suspense>
  );
}
