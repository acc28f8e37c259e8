import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import {
  AssignmentSchema,
  BindingSchema,
  ExplainQuery,
  ExplanationSchema,
  PreviewSchema,
  RolePreviewSchema,
  RoleSchema,
  UserFilter,
} from './access.schemas.js';
import {
  AssignmentInput,
  BindingInput,
  createAssignment,
  createRole,
  deleteAssignment,
  deleteRole,
  grantRole,
  listAssignments,
  listBindings,
  listRoles,
  RoleInput,
  RolePatch,
  revokeBinding,
  updateRole,
} from './bindings.service.js';
import { explainFor } from './explain.js';
import { PreviewInput, previewAccess, previewRoleChange } from './preview.js';

const IdParams = z.object({ id: z.uuid() });
const KeyParams = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'a role key like door_captain'),
});

/** Roles, role bindings, assignments; explain and preview. View as lives in the request pipeline. */
export const accessRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/roles',
    policy: { action: 'access.manage' },
    summary: 'The organization’s roles, built-in first',
    tags: ['access'],
    response: z.object({ items: z.array(RoleSchema) }),
    handler: async ({ ctx }) => ({ items: await listRoles(ctx) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/roles',
    policy: { action: 'access.manage' },
    summary: 'Create a custom role: a named set of actions and field classes',
    tags: ['access'],
    body: RoleInput,
    response: RoleSchema,
    status: 201,
    handler: async ({ body, ctx }) => await createRole(ctx, body),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/roles/:key',
    policy: { action: 'access.manage' },
    summary: 'Change a role (built-in ones too); it holds for every binding from the next request',
    tags: ['access'],
    params: KeyParams,
    body: RolePatch,
    response: RoleSchema,
    handler: async ({ params, body, ctx }) => await updateRole(ctx, params.key, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/roles/:key',
    policy: { action: 'access.manage' },
    summary: 'Delete a custom role nobody holds (409 for a built-in role or one still given to someone)',
    tags: ['access'],
    params: KeyParams,
    handler: async ({ params, ctx }) => {
      await deleteRole(ctx, params.key);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/roles/:key/preview',
    policy: { action: 'access.manage' },
    summary: 'What a change to a role would give and take from each user who holds it; saves nothing',
    tags: ['access'],
    params: KeyParams,
    body: RolePatch,
    response: RolePreviewSchema,
    handler: async ({ params, body, ctx }) => await previewRoleChange(ctx, params.key, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/role-bindings',
    policy: { action: 'access.manage' },
    summary: 'Role bindings (who has which role over which unit)',
    tags: ['access'],
    query: UserFilter,
    response: z.object({ items: z.array(BindingSchema) }),
    handler: async ({ query, ctx }) => ({ items: await listBindings(ctx, query.user) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/role-bindings',
    policy: { action: 'access.manage' },
    summary:
      'Grant a role over the organization or a unit subtree (201; 200 when it existed: expiry updated)',
    tags: ['access'],
    body: BindingInput,
    response: BindingSchema,
    // 201 is set by the handler when the binding is new (route.ts reads 200 as "not chosen").
    status: 200,
    handler: async ({ body, ctx, reply }) => {
      const existed = (await listBindings(ctx, body.user_id)).some(
        (b) => b.role === body.role && b.unit === body.unit,
      );
      const binding = await grantRole(ctx, {
        userId: body.user_id,
        role: body.role,
        unit: body.unit,
        expiresAt: body.expires_at,
      });
      if (!existed) reply.status(201);
      return binding;
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/role-bindings/:id',
    policy: { action: 'access.manage' },
    summary: 'Revoke a role binding',
    tags: ['access'],
    params: IdParams,
    handler: async ({ params, ctx }) => {
      await revokeBinding(ctx, params.id);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/assignments',
    policy: { action: 'access.manage' },
    summary: 'Assignments (a user given exactly the people of a list or saved search)',
    tags: ['access'],
    query: UserFilter,
    response: z.object({ items: z.array(AssignmentSchema) }),
    handler: async ({ query, ctx }) => ({ items: await listAssignments(ctx, query.user) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/assignments',
    policy: { action: 'access.manage' },
    summary: 'Assign a user to a list or saved search (201; 200 when it existed: replaced)',
    tags: ['access'],
    body: AssignmentInput,
    response: AssignmentSchema,
    status: 200,
    handler: async ({ body, ctx, reply }) => {
      const existed = (await listAssignments(ctx, body.user_id)).some(
        (a) => a.target_kind === body.target_kind && a.target_id === body.target_id,
      );
      const assignment = await createAssignment(ctx, body);
      if (!existed) reply.status(201);
      return assignment;
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/assignments/:id',
    policy: { action: 'access.manage' },
    summary: 'Remove an assignment',
    tags: ['access'],
    params: IdParams,
    handler: async ({ params, ctx }) => {
      await deleteAssignment(ctx, params.id);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/access/explain',
    // Your own access, for anyone; another user's needs access.manage (checked by explainFor).
    policy: { authenticated: true },
    summary: 'Why a user may or may not do something to a person (and field): the decision and its reasons',
    tags: ['access'],
    query: ExplainQuery,
    response: ExplanationSchema,
    handler: async ({ query, ctx }) => await explainFor(ctx, query),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/access/preview',
    policy: { action: 'access.manage' },
    summary: 'What a user would gain and lose with a binding or assignment added or removed; saves nothing',
    tags: ['access'],
    body: PreviewInput,
    response: PreviewSchema,
    handler: async ({ body, ctx }) => await previewAccess(ctx, body),
  }),
];
