/**
 * Public signups under load (`npm run bench`, part "signup"): the real HTTP app on this database,
 * autocannon in a child process (bench/signup-load.ts) with 100 connections posting public RSVPs
 * to one published event, 30% of them from people the organization already has. Four modes in
 * the same run, each against its own event: one transaction per request (the baseline), group
 * commit (adr/0019: the batch answers with the status), the intake log (adr/0026: the server's
 * path for an event with no limit on places; merged after the answer) and the ceiling (the
 * honeypot filled: nothing written; what HTTP allows here). After each of the first three (the
 * intake once merged) the database is counted: every accepted RSVP stored exactly once, every
 * accepted new person stored once, known people matched and not copied (figures `lost` and
 * `duplicated`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { newId } from '../src/db/ids.js';
import type { DB } from '../src/db/schema.js';
import { existingRsvpIntake } from '../src/events/rsvp-intake.js';
import { buildApp } from '../src/http/app.js';
import { silentLog } from '../src/log.js';
import { upsertPeople } from '../src/people/index.js';
import { parseSignupPerson } from '../src/signup/index.js';
import type { EngineName, Result } from './report.js';
import { benchAuditLog, freshOrg, makeCtx } from './steps.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const KNOWN = 5_000;
const CONNECTIONS = 100;

export interface SignupOptions {
  /** Requests sent with group commit; the baseline sends a fifth of it. */
  amount: number;
}

interface LoadResult {
  requestsPerSecond: number;
  total: number;
  durationS: number;
  latency: { p50: number; p99: number; mean: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statuses: Record<string, number>;
  acceptedNew: string[];
  acceptedKnown: number[];
}

function runLoad(config: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'run-ts.js'),
        path.join(ROOT, 'bench', 'signup-load.ts'),
        JSON.stringify(config),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`signup-load exited with ${code}`)),
    );
  });
}

export async function publishedEvent(
  db: Kysely<DB>,
  orgId: string,
  unitId: string,
  title: string,
): Promise<string> {
  const id = newId();
  await db
    .insertInto('event')
    .values({
      org_id: orgId,
      id,
      unit_id: unitId,
      title,
      starts_at: new Date(Date.now() + 30 * 86400_000),
      ends_at: new Date(Date.now() + 30 * 86400_000 + 7200_000),
      timezone: 'America/Los_Angeles',
      visibility: 'public',
      status: 'published',
    })
    .execute();
  return id;
}

/** A past event every known person went to, with its reminders and timeline entries. */
async function seedHistory(db: Kysely<DB>, orgId: string, unitId: string): Promise<void> {
  const eventId = await publishedEvent(db, orgId, unitId, "Last spring's meeting");
  const held = new Date(Date.now() - 60 * 86400_000);
  await sql`UPDATE event SET starts_at = ${held}, ends_at = ${new Date(held.getTime() + 7200_000)} WHERE id = ${eventId}`.execute(
    db,
  );
  await sql`
    INSERT INTO event_rsvp (org_id, id, event_id, person_id, status, source)
    SELECT ${orgId}::uuid, uuid_v7(), ${eventId}::uuid, e.person_id, 'going', 'public'
    FROM person_email e WHERE e.org_id = ${orgId} AND e.address LIKE 'known-%'`.execute(db);
  await sql`
    INSERT INTO event_reminder (org_id, id, event_id, rsvp_id, person_id, channel, send_at, status)
    SELECT org_id, uuid_v7(), event_id, id, person_id, 'email', ${new Date(held.getTime() - 86400_000)}, 'sent'
    FROM event_rsvp WHERE event_id = ${eventId}`.execute(db);
  await sql`
    INSERT INTO activity (org_id, id, person_id, kind, occurred_at, outcome, body)
    SELECT org_id, uuid_v7(), person_id, 'event_rsvp', ${held}, 'going', 'Last spring''s meeting'
    FROM event_rsvp WHERE event_id = ${eventId}`.execute(db);
}

/**
 * The organization the signups go to: a unit, KNOWN people and a past event they all went to;
 * then ANALYZE, as a live database's autovacuum would have.
 */
export async function seedSignupOrg(db: Kysely<DB>): Promise<{ orgId: string; unitId: string }> {
  const orgId = await freshOrg(db, 'bench-signup');
  const unitId = newId();
  await db
    .insertInto('unit')
    .values({ org_id: orgId, id: unitId, path: 'city', name: 'City', kind: 'chapter' })
    .execute();
  const known = Array.from({ length: KNOWN }, (_, n) =>
    parseSignupPerson({
      given_name: `Known${n}`,
      emails: [{ address: `known-${n}@signup.bench.example.org` }],
    }),
  );
  for (let i = 0; i < known.length; i += 1000)
    await upsertPeople(
      makeCtx(db, orgId),
      known.slice(i, i + 1000),
      { kind: 'import', ref: null },
      { unitPath: 'city' },
    );
  // The organization has run an event before: its known people RSVPed and were reminded, and it is
  // on their timelines. Without this history the ANALYZE below sees event_rsvp, activity and
  // event_reminder empty, and each pooled connection keeps the foreign-key check plans it makes
  // for an empty table (sequential scans) until the next ANALYZE, which a live database's
  // autovacuum runs within a minute but a two-run benchmark never reaches.
  await seedHistory(db, orgId, unitId);
  await sql`ANALYZE`.execute(db);
  return { orgId, unitId };
}

/** Runs the four modes and reports requests/s, latency and the database counts. */
export async function benchSignup(
  db: Kysely<DB>,
  engine: EngineName,
  options: SignupOptions,
  add: (r: Omit<Result, 'baseline' | 'ratio'> & Partial<Pick<Result, 'baseline' | 'ratio'>>) => void,
  log: (m: string) => void,
  notes: string[],
): Promise<void> {
  const { orgId, unitId } = await seedSignupOrg(db);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rhizome-signup-'));
  const measured: Record<string, number> = {};
  try {
    // "intake": the server's own path for an event with no limit on places (adr/0026): answered
    // once in the intake log, merged just after. "group": the batch that answers with the status
    // (an event with places; adr/0019). "ceiling": the same requests with the honeypot filled,
    // which the app answers like a success without writing anything: what HTTP, the rate limit and
    // validation allow on this machine with the load generator beside the server.
    for (const mode of ['baseline', 'group', 'intake', 'ceiling'] as const) {
      const eventId = await publishedEvent(db, orgId, unitId, `Signup bench (${mode})`);
      const app = await buildApp({
        db,
        log: silentLog,
        audit: benchAuditLog(db),
        signupGroupCommit: mode !== 'baseline',
        signupIntake: mode === 'intake' || mode === 'ceiling',
        rateLimitAllowList: ['127.0.0.1', '::1', '::ffff:127.0.0.1'],
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const out = path.join(dir, `${mode}.json`);
      const amount = mode === 'baseline' ? Math.max(1000, Math.round(options.amount / 5)) : options.amount;
      log(
        `${engine}: signup ${mode}: ${amount.toLocaleString('en-US')} RSVPs over ${CONNECTIONS} connections`,
      );
      let merge = '';
      try {
        await runLoad({
          url: `http://127.0.0.1:${port}`,
          path: `/api/v1/public/events/${eventId}/rsvps`,
          connections: CONNECTIONS,
          amount,
          knownCount: KNOWN,
          knownShare: 0.3,
          newPrefix: `new-${mode}`,
          honeypot: mode === 'ceiling',
          out,
        });
        if (mode === 'intake') {
          // What the merge had left when the last answer went, and how long it took to finish.
          const waiting = await db
            .selectFrom('signup_intake')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('event_id', '=', eventId)
            .executeTakeFirstOrThrow();
          const started = performance.now();
          await existingRsvpIntake(db)?.drain();
          const seconds = (performance.now() - started) / 1000;
          merge = ` ${Number(waiting.n).toLocaleString('en-US')} RSVPs were still in the intake log when the last answer went; all were merged ${seconds.toFixed(1)} s later.`;
          add({ name: 'signup intake log: merged after the last answer', engine, value: seconds, unit: 's' });
          const load = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
          add({
            name: 'signup intake log: answered and merged, end to end, RSVPs/s',
            engine,
            value: (load.statuses['202'] ?? 0) / (load.durationS + seconds),
            unit: 'req/s',
          });
        }
      } finally {
        await app.close();
      }
      const load = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
      const accepted = load.statuses['202'] ?? 0;
      const rate = accepted / load.durationS;
      measured[mode] = rate;
      if (mode === 'ceiling') {
        add({
          name: 'signup ceiling (honeypot: nothing written) RSVPs/s',
          engine,
          value: rate,
          unit: 'req/s',
        });
        add({
          name: 'signup ceiling (honeypot: nothing written) p99',
          engine,
          value: load.latency.p99,
          unit: 'ms',
        });
        notes.push(
          `${engine}: signup ceiling: ${load.total.toLocaleString('en-US')} requests with the honeypot filled (answered, nothing written) ` +
            `in ${load.durationS.toFixed(1)} s: ${Math.round(rate).toLocaleString('en-US')} req/s, p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms.`,
        );
        log(notes[notes.length - 1] as string);
        continue;
      }
      const label =
        mode === 'intake'
          ? 'signup intake log'
          : mode === 'group'
            ? 'signup group commit'
            : 'signup baseline (one transaction per request)';
      add({
        name: `${label} RSVPs/s`,
        engine,
        value: rate,
        unit: 'req/s',
        ...(mode !== 'baseline' && measured.baseline
          ? { baseline: measured.baseline, ratio: rate / measured.baseline }
          : {}),
      });
      add({ name: `${label} p50`, engine, value: load.latency.p50, unit: 'ms' });
      add({ name: `${label} p99`, engine, value: load.latency.p99, unit: 'ms' });

      // The counts: nothing lost, nothing stored twice.
      const { rows } = await sql<{
        rsvps: number;
        new_rsvps: number;
        new_people: number;
        new_emails: number;
        known_people: number;
      }>`
        SELECT
          (SELECT count(*)::int FROM event_rsvp WHERE event_id = ${eventId}) AS rsvps,
          (SELECT count(*)::int FROM event_rsvp r JOIN person_email e ON e.person_id = r.person_id
            WHERE r.event_id = ${eventId} AND e.address LIKE ${`new-${mode}-%`}) AS new_rsvps,
          (SELECT count(DISTINCT e.person_id)::int FROM person_email e
            WHERE e.org_id = ${orgId} AND e.address LIKE ${`new-${mode}-%`}) AS new_people,
          (SELECT count(*)::int FROM person_email e
            WHERE e.org_id = ${orgId} AND e.address LIKE ${`new-${mode}-%`}) AS new_emails,
          (SELECT count(DISTINCT e.person_id)::int FROM person_email e
            WHERE e.org_id = ${orgId} AND e.address LIKE 'known-%') AS known_people`.execute(db);
      const c = rows[0] as {
        rsvps: number;
        new_rsvps: number;
        new_people: number;
        new_emails: number;
        known_people: number;
      };
      const expected = load.acceptedNew.length + load.acceptedKnown.length;
      // A request autocannon gave up on (timeout) may still have been stored: the counts must then
      // lie between the accepted and the accepted plus the unanswered; with none, they must be equal.
      const unanswered = load.total - Object.values(load.statuses).reduce((a, b) => a + b, 0);
      // Accepted RSVPs and new people not stored; RSVPs, e-mails and known people stored twice.
      const lost = Math.max(0, expected - c.rsvps) + Math.max(0, load.acceptedNew.length - c.new_people);
      const duplicated =
        Math.max(0, c.rsvps - expected) +
        Math.max(0, c.new_emails - load.acceptedNew.length) +
        Math.max(0, c.known_people - KNOWN);
      add({ name: `${label} lost`, engine, value: lost, unit: 'count' });
      add({ name: `${label} duplicated`, engine, value: duplicated, unit: 'count' });
      const ok =
        unanswered === 0 &&
        c.rsvps === expected &&
        c.new_rsvps === load.acceptedNew.length &&
        c.new_people === load.acceptedNew.length &&
        c.new_emails === load.acceptedNew.length &&
        c.known_people === KNOWN;
      const other = Object.entries(load.statuses)
        .filter(([s]) => s !== '202')
        .map(([s, n]) => `${n} × ${s}`)
        .join(', ');
      notes.push(
        `${engine}: signup ${mode}: ${load.total.toLocaleString('en-US')} requests in ${load.durationS.toFixed(1)} s, ` +
          `${accepted.toLocaleString('en-US')} accepted (202)${other ? `, ${other}` : ''}, ${load.errors} errors, ${load.timeouts} timeouts; ` +
          `counted after: ${c.rsvps.toLocaleString('en-US')} RSVPs stored for ${expected.toLocaleString('en-US')} expected ` +
          `(${load.acceptedNew.length.toLocaleString('en-US')} new people, ${load.acceptedKnown.length.toLocaleString('en-US')} distinct known people), ` +
          `${c.new_people.toLocaleString('en-US')} new people stored, known people ${c.known_people.toLocaleString('en-US')} of ${KNOWN.toLocaleString('en-US')} ` +
          (ok
            ? '(nothing lost or duplicated).'
            : unanswered > 0
              ? `(${unanswered} requests unanswered by the load's timeout: not an exact count).`
              : '(MISMATCH: something was lost or duplicated).') +
          merge,
      );
      log(notes[notes.length - 1] as string);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
