import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { loadAccess } from '../access/index.js';
import type { Actor } from '../context.js';
import { tenantDb } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { ACTIONS, type Access, accessOf, mayAtAll } from '../policy/index.js';
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
    .array(z.string())
    .describe('Actions some grant gives the user (roles and assignments): what the app offers'),
  role_actions: z
    .array(z.string())
    .describe('Actions a role binding gives (not an assignment): creating in a unit needs one'),
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

/** What the app may offer this user: the actions of all their grants, and of their roles alone. */
function actionsOf(access: Access) {
  const roles = { ...access, grants: access.grants.filter((g) => g.via === 'binding') };
  return {
    actions: ACTIONS.filter((a) => mayAtAll(access, a)),
    role_actions: ACTIONS.filter((a) => mayAtAll(roles, a)),
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
      const user = await getUser(
        {
          ...ctx,
          db: tenantDb(ctx.db, result.user.org_id),
          actor: { kind: 'system', orgId: result.user.org_id, label: 'login' },
        },
        result.user.id,
      );
      const access = await loadAccess(
        tenantDb(ctx.db, result.user.org_id),
        result.user.org_id,
        result.user.id,
        ctx.now(),
      );
      return {
        user,
        org: { id: result.user.org_id },
        ...actionsOf(access),
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
    handler: async ({ ctx, request }) => ({
      user: await getUser(ctx, userId(ctx.actor)),
      org: { id: ctx.actor.orgId },
      ...actionsOf(accessOf(ctx.actor)),
      csrf_token: request.csrfToken,
    }),
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
