/**
 * Access-scoped search (`scoped ...` results): four roles over the imported people, with field
 * masking on, against naive row-level security measured in the same run; the pure decision
 * function's throughput.
 */
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { loadAccess } from '../src/access/load.js';
import type { PeopleScope } from '../src/access/scope.js';
import type { Ctx } from '../src/context.js';
import { newId } from '../src/db/ids.js';
import type { DB } from '../src/db/schema.js';
import { tenantDb } from '../src/db/tenant.js';
import { silentLog } from '../src/log.js';
import {
  countPeople,
  loadPeople,
  PeopleFilter,
  type PeopleFilterInput,
  searchPeople,
  searchPeopleIds,
} from '../src/people/index.js';
import { searchScope } from '../src/people/people.search.js';
import { type Access, decide, type PersonFacts } from '../src/policy/index.js';
import { mulberry32, TAGS } from './generate.js';
import type { Result } from './report.js';
import { benchAuditLog, percentile } from './steps.js';

type Role = 'org admin' | 'regional staff (10%)' | 'local organizer (1%)' | 'volunteer host (50 people)';

interface Persona {
  role: Role;
  userId: string;
  ctx: Ctx;
  /** The same reach as naive row-level security would express it: a per-row EXISTS on the user's grants. */
  naive: Expression<SqlBool>;
}

async function addUser(db: Kysely<DB>, orgId: string, label: string): Promise<string> {
  const id = newId();
  await db
    .insertInto('app_user')
    .values({
      org_id: orgId,
      id,
      email: `${label}-${id.slice(-8)}@example.org`,
      display_name: label,
      password_hash: null,
      disabled_at: null,
    })
    .execute();
  return id;
}

async function bind(db: Kysely<DB>, orgId: string, userId: string, role: string, unit: string | null) {
  await sql`INSERT INTO role_binding (org_id, id, user_id, role_id, unit_id)
    SELECT ${orgId}, ${newId()}, ${userId}, r.id, (SELECT u.id FROM unit u WHERE u.org_id = ${orgId} AND u.path::text = ${unit})
    FROM role r WHERE r.org_id = ${orgId} AND r.key = ${role}`.execute(db);
}

/**
 * The four personas of the access benchmark. The unit tree comes from setUpSearchData (regions of
 * about 10% of the people, locals of about 1%); the host is assigned a list of 50 random people and
 * sees their first names, with the capability to message them.
 */
export async function makePersonas(db: Kysely<DB>, orgId: string, units: string[]): Promise<Persona[]> {
  const region = units.find((u) => !u.includes('.')) as string;
  const local = units.find((u) => u.startsWith(`${region}.`)) as string;
  const admin = await addUser(db, orgId, 'admin');
  await bind(db, orgId, admin, 'org_admin', null);
  const staff = await addUser(db, orgId, 'staff');
  await bind(db, orgId, staff, 'staff_organizer', region);
  const organizer = await addUser(db, orgId, 'organizer');
  await bind(db, orgId, organizer, 'local_organizer', local);
  const host = await addUser(db, orgId, 'host');
  await bind(db, orgId, host, 'volunteer', null);
  const listId = newId();
  await db
    .insertInto('list')
    .values({ org_id: orgId, id: listId, name: 'bench host', description: null, created_by: null })
    .execute();
  await sql`INSERT INTO list_item (org_id, id, list_id, person_id)
    SELECT ${orgId}, uuid_v7(), ${listId}, id FROM person WHERE org_id = ${orgId} AND merged_into IS NULL
    ORDER BY md5(id::text) LIMIT 50`.execute(db);
  await db
    .insertInto('assignment')
    .values({
      org_id: orgId,
      id: newId(),
      user_id: host,
      target_kind: 'list',
      target_id: listId,
      actions: ['people.read', 'person.message'],
      field_classes: [],
      fields: ['given_name'],
      expires_at: null,
      created_by: null,
    })
    .execute();
  await sql`ANALYZE role_binding, assignment, list_item`.execute(db);
  // Requests run as rhizome_app for their organization (row-level security), as the app's do.
  const ctxOf = async (userId: string): Promise<Ctx> => ({
    db: tenantDb(db, orgId),
    actor: {
      kind: 'user',
      orgId,
      userId,
      via: 'token',
      access: await loadAccess(db, orgId, userId, new Date()),
    },
    now: () => new Date(),
    log: silentLog,
    audit: benchAuditLog(db),
  });
  // Naive RLS: one EXISTS per row over the user's bindings (ltree containment) or assignments.
  const naiveUnits = (userId: string) => sql<SqlBool>`EXISTS (
    SELECT 1 FROM role_binding b LEFT JOIN unit u ON u.id = b.unit_id
    WHERE b.user_id = ${userId} AND (b.unit_id IS NULL OR p.home_unit_path <@ u.path))`;
  const naiveList = (userId: string) => sql<SqlBool>`EXISTS (
    SELECT 1 FROM assignment a JOIN list_item li ON li.list_id = a.target_id
    WHERE a.user_id = ${userId} AND li.person_id = p.id)`;
  return [
    { role: 'org admin', userId: admin, ctx: await ctxOf(admin), naive: naiveUnits(admin) },
    { role: 'regional staff (10%)', userId: staff, ctx: await ctxOf(staff), naive: naiveUnits(staff) },
    {
      role: 'local organizer (1%)',
      userId: organizer,
      ctx: await ctxOf(organizer),
      naive: naiveUnits(organizer),
    },
    { role: 'volunteer host (50 people)', userId: host, ctx: await ctxOf(host), naive: naiveList(host) },
  ];
}

/** Varied filters: the unfiltered newest page, one-word name prefixes and tags. */
async function drawFilters(db: Kysely<DB>, orgId: string, n: number): Promise<PeopleFilterInput[]> {
  const rand = mulberry32(777);
  const names = (
    await sql<{
      f: string;
    }>`SELECT family_name AS f FROM person WHERE org_id = ${orgId} AND family_name IS NOT NULL
      ORDER BY md5(id::text) LIMIT ${n}`.execute(db)
  ).rows;
  const out: PeopleFilterInput[] = [];
  for (let i = 0; i < n; i++) {
    const r = i % 3;
    if (r === 0) out.push({});
    else if (r === 1)
      out.push({ name: (names[i % names.length]?.f ?? 'smith').slice(0, 3 + Math.floor(rand() * 2)) });
    else out.push({ tag: (TAGS[i % TAGS.length] as readonly string[])[0] as string });
  }
  return out;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const WARM_UPS = 10;

/**
 * For each persona: "scoped search <role>" is one page of 50 visible ids; "scoped count+page
 * <role>" is the whole search a client gets (the visible total, the first 50 people, each
 * projected to the fields the role may see, contact values masked). The naive baseline runs the
 * same filters under a per-row EXISTS (the count, the first 50 ids and their records, unmasked);
 * its ratio is naive p95 / scoped p95.
 */
export async function runScoped(
  db: Kysely<DB>,
  orgId: string,
  units: string[],
  perRole: number,
  add: (r: Omit<Result, 'engine'>) => void,
  log: (m: string) => void,
): Promise<void> {
  const personas = await makePersonas(db, orgId, units);
  const filters = await drawFilters(db, orgId, perRole);
  const row = (
    name: string,
    value: number,
    unit: string,
    baseline: number | null = null,
  ): Omit<Result, 'engine'> => ({
    name,
    value,
    unit,
    baseline,
    ratio: baseline === null ? null : baseline / value,
  });
  for (const persona of personas) {
    const { ctx } = persona;
    for (const f of filters.slice(0, WARM_UPS)) await searchPeople(ctx, f, { page: 1, perPage: 50 });
    const search: number[] = [];
    const page: number[] = [];
    const naive: number[] = [];
    let visible = 0;
    for (const f of filters) {
      const filter = PeopleFilter.parse(f);
      search.push(
        await time(async () => {
          const scope: PeopleScope = await searchScope(ctx, filter);
          await searchPeopleIds(ctx.db, orgId, filter, { page: 1, perPage: 50 }, { scope });
        }),
      );
      page.push(
        await time(async () => {
          visible += (await searchPeople(ctx, f, { page: 1, perPage: 50 })).total;
        }),
      );
    }
    for (const f of filters.slice(0, WARM_UPS)) {
      const filter = PeopleFilter.parse(f);
      await countPeople(ctx.db, orgId, filter, { scope: persona.naive });
    }
    for (const f of filters) {
      const filter = PeopleFilter.parse(f);
      naive.push(
        await time(async () => {
          const [, ids] = await Promise.all([
            countPeople(ctx.db, orgId, filter, { scope: persona.naive }),
            searchPeopleIds(ctx.db, orgId, filter, { page: 1, perPage: 50 }, { scope: persona.naive }),
          ]);
          await loadPeople(ctx.db, orgId, ids);
        }),
      );
    }
    for (const list of [search, page, naive]) list.sort((a, b) => a - b);
    log(
      `  ${persona.role}: ${filters.length} queries, mean visible matches ${Math.round(visible / filters.length)}`,
    );
    add(row(`scoped search ${persona.role} p50`, percentile(search, 50), 'ms'));
    add(row(`scoped search ${persona.role} p95`, percentile(search, 95), 'ms'));
    add(row(`scoped count+page ${persona.role} p50`, percentile(page, 50), 'ms'));
    add(row(`scoped count+page ${persona.role} p95`, percentile(page, 95), 'ms'));
    add(row(`scoped count+page ${persona.role} p95, naive RLS baseline`, percentile(naive, 95), 'ms'));
    add(
      row(
        `scoped count+page ${persona.role} p95 vs naive RLS`,
        percentile(page, 95),
        'ms',
        percentile(naive, 95),
      ),
    );
  }
  const rate = decisionRate(personas.map((p) => (p.ctx.actor.kind === 'user' ? p.ctx.actor.access : null)));
  add(row('scoped decide decisions/s', rate, 'decisions/s'));
}

/** The pure decision function, over the personas' real grants and varied people: decisions per second. */
export function decisionRate(accesses: (Access | null)[]): number {
  const list = accesses.filter((a): a is Access => a !== null);
  const paths = ['west', 'west.local_1', 'west.local_2.team', 'south.local_3', null];
  const people: PersonFacts[] = Array.from({ length: 64 }, (_, i) => ({
    id: `p${i}`,
    homeUnitPath: paths[i % paths.length] ?? null,
    memberOf: new Set(i % 7 === 0 ? ['list'] : []),
    doNotContact: i % 11 === 0,
    sensitive: i % 13 === 0,
    legalHold: false,
  }));
  const field = { name: 'emails', fieldClass: 'contact' as const };
  let allowed = 0;
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const access = list[i % list.length] as Access;
      if (
        decide(access, 'people.read', people[i % people.length] as PersonFacts, i % 2 ? field : undefined)
          .allowed
      )
        allowed++;
    }
  };
  run(200_000);
  const n = 2_000_000;
  const t0 = performance.now();
  run(n);
  const ms = performance.now() - t0;
  return allowed >= 0 ? n / (ms / 1000) : 0;
}
