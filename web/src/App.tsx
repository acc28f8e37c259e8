import { Redirect, Route, Switch, useLocation } from 'wouter';
import { useI18n } from './i18n/index.js';
import { Layout } from './Layout.js';
import { fieldRoutes } from './pages/field/routes.js';
import { DuplicatesScreen, ImportScreen } from './pages/imports/routes.js';
import { NotFound } from './pages/NotFound.js';
import * as Organizing from './pages/organizing/index.js';
import { PeopleSearch } from './pages/PeopleSearch.js';
import { PersonPage } from './pages/PersonPage.js';
import { SignIn } from './pages/SignIn.js';
import { useSession } from './session.js';

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
          <Redirect to="/people" replace />
        </Route>
        <Route path="/sign-in">
          <Redirect to="/people" replace />
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
        {/* routes: admin */}
        {/* routes: field */}
        {fieldRoutes}
        {/* routes: public */}
        {/* routes: dayofaction */}
        <Route component={NotFound} />
      </Switch>
    </Layout>
  );
}
