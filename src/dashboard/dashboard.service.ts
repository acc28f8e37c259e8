import { peopleScope } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { eventScope } from '../events/index.js';
import { accessOf, allows, PERSON_FIELDS } from '../policy/index.js';
import {
  activeLadders,
  countPeople,
  eventTurnout,
  ladderMovement,
  newPeopleByWeek,
  openFollowUps,
} from './dashboard.queries.js';
import type { DashboardQuery, DashboardView } from './dashboard.schemas.js';

const DAY = 86_400_000;

/** Monday 00:00 UTC of the week holding `at`. */
export function weekStart(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
}

/**
 * The home page's counts. Every number is over the people the caller may count
 * (`people.aggregate`, compiled by `peopleScope`): an analyst counts the whole organization and
 * reads no one; a local organizer counts her units' people only. Events are those the caller may
 * read (`eventScope`); "mine" follow-ups are the caller's own about people they may still read,
 * as `GET /follow-ups/mine` counts them.
 */
export async function dashboard(ctx: Ctx, query: DashboardQuery): Promise<DashboardView> {
  const access = accessOf(ctx.actor);
  const orgId = ctx.actor.orgId;
  const until = ctx.now();
  const since = new Date(weekStart(until).getTime() - (query.weeks - 1) * 7 * DAY);
  const scope = await peopleScope(ctx.db, access, 'people.aggregate');
  const me = actorUserId(ctx.actor);
  const readable = me ? await peopleScope(ctx.db, access, 'people.read', [PERSON_FIELDS.timeline]) : null;

  // One connection on PGlite: run the counts one after another rather than pretend to overlap.
  const total = await countPeople(ctx.db, orgId, scope);
  const byWeek = await newPeopleByWeek(ctx.db, orgId, scope, since);
  const ladders = allows(ctx.actor, 'ladders.read') ? await activeLadders(ctx.db, orgId) : [];
  const moves = ladders.length > 0 ? await ladderMovement(ctx.db, orgId, scope, since, until) : new Map();
  const events = allows(ctx.actor, 'events.read')
    ? await eventTurnout(ctx.db, orgId, scope, eventScope(access, 'events.read'), since, until, query.events)
    : [];
  const soon = new Date(until.getTime() + 7 * DAY);
  const everyone = await openFollowUps(ctx.db, orgId, scope, until, soon, null);
  const mine = me
    ? await openFollowUps(ctx.db, orgId, readable, until, soon, me)
    : { overdue: 0, due_soon: 0 };

  return {
    period: { since, until, weeks: query.weeks },
    people: {
      total,
      new_per_week: Array.from({ length: query.weeks }, (_, i) => ({
        week: new Date(since.getTime() + i * 7 * DAY),
        count: byWeek.get(i) ?? 0,
      })),
    },
    ladders: ladders.map((l) => ({ ...l, ...(moves.get(l.id) ?? { up: 0, down: 0, onto: 0 }) })),
    events,
    follow_ups: { mine_due_soon: mine.due_soon, mine_overdue: mine.overdue, overdue: everyone.overdue },
  };
}
