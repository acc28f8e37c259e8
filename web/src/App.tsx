import { Redirect, Route, Switch, useLocation } from 'wouter';
import { useI18n } from './i18n/index.js';
import { Layout } from './Layout.js';
import { CampaignPage, Campaigns } from './pages/events/Campaigns.js';
import { EventForm } from './pages/events/EventForm.js';
import { EventPage } from './pages/events/EventPage.js';
import { EventsList } from './pages/events/EventsList.js';
import { NotFound } from './pages/NotFound.js';
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
        {/* routes: organizing */}
        {/* routes: events */}
        <Route path="/events" component={EventsList} />
        <Route path="/events/new">{() => <EventForm />}</Route>
        <Route path="/events/:id/edit">{(params) => <EventForm id={params.id} />}</Route>
        <Route path="/events/:id">{(params) => <EventPage id={params.id} />}</Route>
        <Route path="/campaigns" component={Campaigns} />
        <Route path="/campaigns/:id">{(params) => <CampaignPage id={params.id} />}</Route>
        {/* routes: admin */}
        {/* routes: field */}
        {/* routes: public */}
        {/* routes: dayofaction */}
        <Route component={NotFound} />
      </Switch>
    </Layout>
  );
}
