import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { VIEW_AS_HEADER, VIEWING_AS_HEADER, viewAs } from '../access/index.js';
import { AuditLog } from '../audit/index.js';
import { authenticate, SESSION_COOKIE } from '../auth/authenticate.js';
import { actorUserId } from '../context.js';
import type { DB } from '../db/schema.js';
import { translateDbError } from '../db/sql-errors.js';
import { tenantDb } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { existingRsvpIntake, rsvpIntake } from '../events/rsvp-intake.js';
import { registerCsvBodyParser } from '../imports/index.js';
import type { Log } from '../log.js';
import { registerWebApp } from '../web/index.js';
import { registerDocs } from './docs.js';
import { buildOpenApi } from './openapi.js';
import { sendProblem } from './problem.js';
import { type AnyRoute, type Policy, registerRoute } from './route.js';
import { allRoutes } from './routes.js';

export interface AppOptions {
  db: Kysely<DB>;
  log: Log;
  now?: () => Date;
  version?: string;
  /** Sets the Secure flag on cookies (behind HTTPS). */
  secureCookies?: boolean;
  /** The process's audit log (its owner closes it); without one the app makes its own and closes it. */
  audit?: AuditLog;
  /** The built web app served at `/` (default: the repository's `web/dist`). */
  webDir?: string;
  /** Group-commit public RSVPs (default true; false: one transaction per request, adr/0019). */
  signupGroupCommit?: boolean;
  /**
   * With group commit, RSVPs to events with no limit on places go through the intake log and are
   * merged just after the answer (default true; adr/0026).
   */
  signupIntake?: boolean;
  /** Client addresses the per-route rate limits do not apply to (a load balancer, a load test). */
  rateLimitAllowList?: string[];
}

export interface RouteCatalogEntry {
  method: string;
  url: string;
  policy: Policy | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeCatalog: RouteCatalogEntry[];
    /** Whether cookies carry the Secure flag (AppOptions.secureCookies). */
    secureCookies: boolean;
    /** Whether public RSVPs are group-committed (AppOptions.signupGroupCommit). */
    signupGroupCommit: boolean;
    /** Whether public RSVPs may go through the intake log (AppOptions.signupIntake). */
    signupIntake: boolean;
  }
}

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Builds the HTTP application. It does not listen: the caller (start, tests) decides where. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true },
  });
  await app.register(cookie);
  app.decorate('secureCookies', options.secureCookies ?? false);
  app.decorate('signupGroupCommit', options.signupGroupCommit ?? true);
  app.decorate('signupIntake', (options.signupGroupCommit ?? true) && (options.signupIntake ?? true));
  // Only routes that ask for a limit (rateLimitPerMinute) get one.
  await app.register(rateLimit, {
    global: false,
    ...(options.rateLimitAllowList ? { allowList: options.rateLimitAllowList } : {}),
  });

  // Every route, as registered (including plugin routes): the policy test walks this list.
  const catalog: RouteCatalogEntry[] = [];
  app.decorate('routeCatalog', catalog);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      catalog.push({
        method,
        url: route.url,
        policy: (route.config as { policy?: Policy } | undefined)?.policy,
      });
    }
  });

  // OSDI clients send HAL+JSON bodies.
  app.addContentTypeParser(
    ['application/hal+json', 'application/problem+json'],
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch {
        done(new AppError('bad_request', 'the request body is not valid JSON'), undefined);
      }
    },
  );

  // The public pages post plain HTML forms (no JavaScript): a repeated name (checkboxes) is a list.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const fields: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(body as string)) {
      const seen = fields[name];
      fields[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    done(null, fields);
  });

  // CSV uploads (imports) arrive as streams, written to disk as they come.
  registerCsvBodyParser(app);

  // What this process took into the RSVP intake is merged before it stops (before the audit log
  // closes: the merge may write to it); what a stopped process left is merged once this one is ready.
  if (app.signupIntake) app.addHook('onClose', async () => await existingRsvpIntake(options.db)?.drain());

  let audit: AuditLog | undefined = options.audit;
  if (!audit) {
    const own = new AuditLog(options.db, options.log);
    app.addHook('onClose', async () => await own.close());
    audit = own;
  }
  const auditLog: AuditLog = audit;

  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('sessionId', null);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    const bearer =
      typeof header === 'string' && /^Bearer\s+/i.test(header)
        ? header.replace(/^Bearer\s+/i, '').trim()
        : undefined;
    const osdi = request.headers['osdi-api-token'];
    const auth = await authenticate(
      options.db,
      {
        apiToken: bearer ?? (typeof osdi === 'string' ? osdi : undefined),
        sessionToken: request.cookies[SESSION_COOKIE],
      },
      now(),
    );
    if (auth) {
      request.actor = auth.actor;
      request.csrfToken = auth.csrfToken;
      request.sessionId = auth.sessionId;
    }
    // View as: from here on the request is the target user's (reads only; see access/view-as.ts).
    const viewAsHeader = request.headers[VIEW_AS_HEADER];
    if (viewAsHeader !== undefined) {
      if (!request.actor) throw new AppError('unauthenticated', 'sign in or send an API token');
      const ctx = {
        db: tenantDb(options.db, request.actor.orgId),
        actor: request.actor,
        now,
        log: request.log as unknown as Log,
        audit: auditLog,
      };
      const viewed = await viewAs(ctx, viewAsHeader, request.method, request.url.split('?')[0]);
      request.actor = viewed;
      reply.header(VIEWING_AS_HEADER, actorUserId(viewed));
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const translated = translateDbError(error);
    if (translated instanceof AppError) {
      if (translated.status >= 500)
        request.log.error({ err: translated, internal: translated.internal }, 'request failed');
      return sendProblem(reply, translated);
    }
    const fastifyError = error as { statusCode?: number; code?: string; message?: string };
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendProblem(
        reply,
        new AppError('payload_too_large', `the request body is larger than ${MAX_BODY_BYTES} bytes`),
      );
    }
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendProblem(reply, new AppError('unsupported_media_type', 'send application/json'));
    }
    if (
      fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      (error as Error).name === 'SyntaxError' ||
      fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
    ) {
      return sendProblem(reply, new AppError('bad_request', 'the request body is not valid JSON'));
    }
    if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode === 429) {
      return sendProblem(
        reply,
        new AppError('rate_limited', 'too many requests; slow down and try again shortly'),
      );
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(reply, new AppError('internal', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new AppError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  const deps = { db: options.db, log: options.log, now, audit: auditLog };
  const routes: AnyRoute[] = allRoutes();
  for (const route of routes) registerRoute(app, deps, route);
  if (app.signupIntake) app.addHook('onReady', async () => rsvpIntake(deps).wake());

  const openapi = buildOpenApi(routes, { version: options.version ?? '0.1.0' });
  app.get(
    '/api/v1/openapi.json',
    { config: { policy: { public: true, reason: 'the API description' } } },
    async () => openapi,
  );
  registerDocs(app);
  registerWebApp(app, options.webDir);
  return app;
}
