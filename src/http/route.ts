import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuditLog } from '../audit/index.js';
import type { Actor, Ctx } from '../context.js';
import { tenantDb } from '../db/tenant.js';
import { AppError } from '../errors.js';
import type { Log } from '../log.js';
import { type Action, allows } from '../policy/index.js';
import { zodToAppError } from './problem.js';

/**
 * What a route requires. Every route declares one: `public` (anyone, on purpose), `authenticated`
 * (any signed-in user or token, for things about oneself), or an action the actor's role must
 * allow. A test walks the router and fails on a route without a policy.
 */
export type Policy = { public: true; reason: string } | { authenticated: true } | { action: Action };

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  url: string;
  policy: Policy;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** For the OpenAPI document. */
  response?: z.ZodType;
  /** 200 by default. */
  status?: number;
  /** The OpenAPI document and reference list only the routes that are part of the public API. */
  hidden?: boolean;
  /** Requests per minute per client address (public routes that could be abused). */
  rateLimitPerMinute?: number;
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  ctx: Ctx;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A route whose policy is not public always has an actor. */
export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): AnyRoute {
  return spec as unknown as AnyRoute;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
    sessionId: string | null;
  }
  interface FastifyContextConfig {
    policy?: Policy;
    spec?: AnyRoute;
  }
}

export interface RouteDeps {
  db: Ctx['db'];
  log: Log;
  now: () => Date;
  audit: AuditLog;
}

/** The purpose a caller states for a read (X-Rhizome-Purpose), trimmed to a sane length. */
function purposeOf(request: FastifyRequest): { purpose?: string } {
  const raw = request.headers['x-rhizome-purpose'];
  const value = typeof raw === 'string' ? raw.trim().slice(0, 200) : '';
  return value ? { purpose: value } : {};
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw zodToAppError(parsed.error, where);
  return parsed.data;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function registerRoute(app: FastifyInstance, deps: RouteDeps, spec: AnyRoute): void {
  app.route({
    method: spec.method,
    url: spec.url,
    config: {
      policy: spec.policy,
      spec,
      ...(spec.rateLimitPerMinute ? { rateLimit: { max: spec.rateLimitPerMinute, timeWindow: 60_000 } } : {}),
    },
    handler: async (request, reply) => {
      const actor = request.actor;
      if (!('public' in spec.policy)) {
        if (!actor) throw new AppError('unauthenticated', 'sign in or send an API token');
        // A session cookie rides along on cross-site requests; a token in a header does not.
        if (UNSAFE.has(spec.method) && request.csrfToken !== null) {
          const sent = request.headers['x-csrf-token'];
          if (typeof sent !== 'string' || sent !== request.csrfToken) {
            throw new AppError('csrf_failed', 'missing or wrong X-CSRF-Token header');
          }
        }
        if ('action' in spec.policy && !allows(actor, spec.policy.action)) {
          throw new AppError('forbidden', 'you do not have permission to do this', {
            internal: spec.policy.action,
          });
        }
      }
      const params = parsePart(spec.params, request.params, 'path');
      const query = parsePart(spec.query, request.query, 'query');
      const body = spec.body ? parsePart(spec.body, request.body, 'body') : undefined;
      const ctx: Ctx = {
        // An actor's request runs as rhizome_app for its organization (row-level security).
        // Public routes run as the owner until they know the organization, whoever is signed in:
        // a public event page belongs to its organization, not to the visitor's.
        db: actor && !('public' in spec.policy) ? tenantDb(deps.db, actor.orgId) : deps.db,
        // Public routes get a null actor; their handlers must not pass ctx.actor to services.
        actor: actor as Actor,
        now: deps.now,
        log: request.log as unknown as Log,
        audit: deps.audit,
        ...purposeOf(request),
      };
      const result = await spec.handler({ params, query, body, ctx, request, reply });
      if (reply.sent) return reply;
      // A handler may choose its own status (201 or 200 for an upsert); otherwise the route's.
      if (result === undefined)
        return reply.status(reply.statusCode !== 200 ? reply.statusCode : (spec.status ?? 204)).send();
      return reply.status(reply.statusCode !== 200 ? reply.statusCode : (spec.status ?? 200)).send(result);
    },
  });
}
