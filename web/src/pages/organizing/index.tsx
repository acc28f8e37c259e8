/**
 * The organizing screens (one-on-ones, follow-ups, lists and tags, ladders) and the person page's
 * organizing sections, each loaded on first use: the app shell carries only these small wrappers.
 */
import { lazy, type ReactNode, Suspense } from 'react';
import type { Person } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import type { GroupingKind } from './api.js';

const LogOneOnOneScreen = lazy(() => import('./LogOneOnOne.js').then((m) => ({ default: m.LogOneOnOne })));
const FollowUpsScreen = lazy(() => import('./FollowUps.js').then((m) => ({ default: m.FollowUps })));
const GroupingsScreen = lazy(() => import('./Groupings.js').then((m) => ({ default: m.GroupingsPage })));
const GroupingScreen = lazy(() => import('./Groupings.js').then((m) => ({ default: m.GroupingPage })));
const LaddersScreen = lazy(() => import('./Ladders.js').then((m) => ({ default: m.LaddersPage })));
const BoardScreen = lazy(() => import('./Ladders.js').then((m) => ({ default: m.LadderBoard })));
const OneOnOneSection = lazy(() =>
  import('./PersonSections.js').then((m) => ({ default: m.PersonOneOnOne })),
);
const ConsentSection = lazy(() => import('./PersonConsent.js').then((m) => ({ default: m.PersonConsent })));
const OrganizingSections = lazy(() =>
  import('./PersonSections.js').then((m) => ({ default: m.PersonOrganizing })),
);

function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="loading">
      {t('app.loading')}
    </p>
  );
}

function Later({ children, quiet }: { children: ReactNode; quiet?: boolean }) {
  return <Suspense fallback={quiet ? null : <Loading />}>{children}</Suspense>;
}

export function LogOneOnOnePage() {
  return (
    <Later>
      <LogOneOnOneScreen />
    </Later>
  );
}

export function FollowUpsPage() {
  return (
    <Later>
      <FollowUpsScreen />
    </Later>
  );
}

export function GroupingsPage({ kind }: { kind: GroupingKind }) {
  return (
    <Later>
      <GroupingsScreen kind={kind} />
    </Later>
  );
}

export function GroupingPage({ kind, id }: { kind: GroupingKind; id: string }) {
  return (
    <Later>
      <GroupingScreen kind={kind} id={id} />
    </Later>
  );
}

export function LaddersPage() {
  return (
    <Later>
      <LaddersScreen />
    </Later>
  );
}

export function LadderBoardPage({ id }: { id: string }) {
  return (
    <Later>
      <BoardScreen id={id} />
    </Later>
  );
}

/** On a person's page: the "Log a one-on-one" button and form. */
export function PersonOneOnOne({ person }: { person: Person }) {
  return (
    <Later quiet>
      <OneOnOneSection person={person} />
    </Later>
  );
}

/** On a person's page: their lists and tags, and their ladders. */
export function PersonOrganizing({ person }: { person: Person }) {
  return (
    <Later quiet>
      <OrganizingSections person={person} />
    </Later>
  );
}

/** On a person's page: their contact choices, their history, and recording an opt-out. */
export function PersonConsent({ person }: { person: Person }) {
  return (
    <Later quiet>
      <ConsentSection person={person} />
    </Later>
  );
}

export { TIMELINE_CHANGED } from './api.js';
