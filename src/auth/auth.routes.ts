import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { loadAccess } from '../access/load.js';
import { openCallListsOf } from '../calling/index.js';
import type { Actor, Ctx } from '../context.js';
import { tenantDb } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { ACTIONS, type Access, type Action, accessOf, mayAtAll } from '../policy/index.js';
import { openWalkListsOf } from '../turf/index.js';
import { SESSION_COOKIE } from './authenticate.js';
import { LoginInput, login, logout } from './sessions.service.js';
import { createToken, listTokens, revokeToken, TokenInput } from './tokens.service.js';
import { addUser, getUser, listUsers, setUserDisabled, UserInput } from './users.service.js';

const Me = z.object({
  user: z.object({
    id: z.string(),
    email: z.string(),
    display_name: z.string().nullable(),
    roles: z.array(
      z.object({
        binding_id: z.string(),
        role: z.string(),
        unit: z.string().nullable().describe('Unit path, or null for the whole organization'),
        expires_at: z.date().nullable(),
      }),
    ),
    disabled: z.boolean(),
    created_at: z.date(),
  }),
  org: z.object({ id: z.string() }),
  actions: z
    .array(z.enum(ACTIONS))
    .describe('The actions the user has anywhere (what the app offers them; each record is still checked)'),
  role_actions: z
    .array(z.enum(ACTIONS))
    .describe('The actions a role binding gives (not an assignment): creating something in a unit needs one'),
  assignments: z
    .object({ walk_lists: z.number().int(), call_lists: z.number().int() })
    .describe('Open walk lists the user canvasses and call lists they call for'),
  csrf_token: z
    .string()
    .nullable()
    .describe('Send it as X-CSRF-Token on writes made with the session cookie'),
});
const Token = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    created_at: z.date(),
    last_used_at: z.date().nullable(),
    revoked_at: z.date().nullable(),
  })
  .meta({ id: 'Token' });
const User = Me.shape.user.meta({ id: 'User' });
const IdParams = z.object({ id: z.uuid() });

/** The actions some grant gives at all (the route-level gate, as the router applies it). */
const actionsOf = (access: Access): Action[] => ACTIONS.filter((action) => mayAtAll(access, action));

/**
 * What the web app offers this user: the actions of all their grants and of their role bindings
 * alone, and the open lists they are assigned to work. Each request is still decided on its own.
 */
async function offerOf(ctx: Ctx, userId: string, access: Access) {
  const roles: Access = { ...access, grants: access.grants.filter((g) => g.via === 'binding') };
  const [walkLists, callLists] = await Promise.all([
    openWalkListsOf(ctx, userId),
    openCallListsOf(ctx, userId),
  ]);
  return {
    actions: actionsOf(access),
    role_actions: actionsOf(roles),
    assignments: { walk_lists: walkLists, call_lists: callLists },
  };
}

const userId = (actor: Actor): string => {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'only a signed-in user has tokens');
  return actor.userId;
};

/** Secure when the app is configured for it (behind an HTTPS proxy) or serves HTTPS itself. */
function cookieOptions(request: FastifyRequest) {
  const secure = request.server.secureCookies || request.protocol === 'https';
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };
}

export const authRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/auth/login',
    policy: { public: true, reason: 'signing in is how a session starts' },
    rateLimitPerMinute: 10,
    summary: 'Sign in with an organization, email and password; sets the session cookie',
    tags: ['auth'],
    body: LoginInput,
    response: Me,
    handler: async ({ body, ctx, reply, request }) => {
      const result = await login(ctx.db, body, ctx.now(), { ip: request.ip });
      reply.setCookie(SESSION_COOKIE, result.sessionToken, {
        ...cookieOptions(request),
        expires: result.expiresAt,
      });
      const asSystem: Ctx = {
        ...ctx,
        db: tenantDb(ctx.db, result.user.org_id),
        actor: { kind: 'system', orgId: result.user.org_id, label: 'login' },
      };
      const user = await getUser(asSystem, result.user.id);
      const access = await loadAccess(asSystem.db, result.user.org_id, result.user.id, ctx.now());
      return {
        user,
        org: { id: result.user.org_id },
        ...(await offerOf(asSystem, result.user.id, access)),
        csrf_token: result.csrfToken,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/auth/logout',
    policy: { authenticated: true },
    summary: 'Sign out: ends this session',
    tags: ['auth'],
    handler: async ({ ctx, request, reply }) => {
      if (request.sessionId) await logout(ctx, request.sessionId);
      reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/auth/me',
    policy: { authenticated: true },
    summary: 'Who is signed in, and the CSRF token for this session',
    tags: ['auth'],
    response: Me,
    handler: async ({ ctx, request }) => {
      const id = userId(ctx.actor);
      return {
        user: await getUser(ctx, id),
        org: { id: ctx.actor.orgId },
        ...(await offerOf(ctx, id, accessOf(ctx.actor))),
        csrf_token: request.csrfToken,
      };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/tokens',
    policy: { action: 'tokens.own' },
    summary: 'Your API tokens (never their secrets)',
    tags: ['auth'],
    response: z.object({ items: z.array(Token) }),
    handler: async ({ ctx }) => ({ items: await listTokens(ctx, userId(ctx.actor)) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/tokens',
    policy: { action: 'tokens.own' },
    summary: 'Create an API token; its secret is shown once, in this response',
    tags: ['auth'],
    body: TokenInput,
    response: Token.extend({ token: z.string() }),
    status: 201,
    handler: async ({ body, ctx }) => await createToken(ctx, userId(ctx.actor), body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/tokens/:id',
    policy: { action: 'tokens.own' },
    summary: 'Revoke one of your API tokens',
    tags: ['auth'],
    params: IdParams,
    response: Token,
    handler: async ({ params, ctx }) => await revokeToken(ctx, userId(ctx.actor), params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/users',
    policy: { action: 'users.manage' },
    summary: "The organization's users",
    tags: ['users'],
    response: z.object({ items: z.array(User) }),
    handler: async ({ ctx }) => ({ items: await listUsers(ctx) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/users',
    policy: { action: 'users.manage' },
    summary: 'Add a user',
    tags: ['users'],
    body: UserInput,
    response: User,
    status: 201,
    handler: async ({ body, ctx }) => await addUser(ctx, body),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/users/:id',
    policy: { action: 'users.manage' },
    summary: 'Disable or re-enable a user (disabling ends their sessions and stops their tokens)',
    tags: ['users'],
    params: IdParams,
    body: z.object({ disabled: z.boolean() }).strict(),
    response: User,
    handler: async ({ params, body, ctx }) => await setUserDisabled(ctx, params.id, body.disabled),
  }),
];
