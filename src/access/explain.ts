import type { Kysely } from 'kysely';
import { actorUserId, type Ctx } from '../context.js';
import type { DB } from '../db/schema.js';
import { AppError, invalid, notFound } from '../errors.js';
import {
  type Access,
  type Action,
  allows,
  type Decision,
  decide,
  describeGrant,
  type FieldClass,
  fieldClassOf,
  isAction,
} from '../policy/index.js';
import { loadAccess } from './load.js';
import { customFieldClasses, loadFacts, requirePerson } from './people-access.js';

export interface Explanation extends Decision {
  user: { id: string; email: string };
  action: Action;
  person: string | null;
  field: { name: string; class: FieldClass } | null;
  /** Every live grant of the user, described, so that "why not?" can be read against them. */
  grants: { id: string; via: 'binding' | 'assignment'; description: string; expires_at: Date | null }[];
}

/** A user of this organization by id or email, or 404. */
export async function findUserRef(
  db: Kysely<DB>,
  orgId: string,
  ref: string,
): Promise<{ id: string; email: string }> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'email'])
    .where('org_id', '=', orgId)
    .where(isId ? 'id' : 'email', '=', isId ? ref : ref.trim().toLowerCase())
    .executeTakeFirst();
  if (!user) throw notFound(`user ${ref}`);
  return user;
}

/**
 * Why may (or may not) this user do this, to this person, on this field? The same decision every
 * request makes, with its chain of reasons: the grant (role binding or assignment), the scope that
 * holds the person, the field rule, or the deny rule that won. A person outside the organization
 * (or merged away) is 404, as for any read.
 */
export async function explainAccess(
  db: Kysely<DB>,
  orgId: string,
  input: {
    user: string;
    person?: string | undefined;
    field?: string | undefined;
    action?: string | undefined;
  },
  now: Date,
): Promise<Explanation> {
  const user = await findUserRef(db, orgId, input.user);
  const action = input.action ?? 'people.read';
  if (!isAction(action)) {
    throw new AppError('validation_failed', `action: no action ${action}`, {
      fields: [{ field: 'action', message: `no action ${action}` }],
    });
  }
  const access: Access = await loadAccess(db, orgId, user.id, now);
  let field: { name: string; class: FieldClass } | null = null;
  if (input.field) {
    let fieldClass = fieldClassOf(input.field);
    if (!fieldClass && input.field.startsWith('custom_fields.')) {
      fieldClass =
        (await customFieldClasses(db, orgId)).get(input.field.slice('custom_fields.'.length)) ?? null;
    }
    if (!fieldClass) {
      throw new AppError('validation_failed', `field: no field ${input.field}`, {
        fields: [{ field: 'field', message: `no field ${input.field} (built-in or custom_fields.KEY)` }],
      });
    }
    field = { name: input.field, class: fieldClass };
  }
  let decision: Decision;
  if (input.person) {
    const facts = (await loadFacts(db, access, [input.person])).get(input.person);
    if (!facts) throw notFound('person');
    decision = decide(
      access,
      action,
      facts,
      field ? { name: field.name, fieldClass: field.class } : undefined,
    );
  } else {
    decision = decide(access, action);
  }
  return {
    ...decision,
    user,
    action,
    person: input.person ?? null,
    field,
    grants: access.grants.map((g) => ({
      id: g.id,
      via: g.via,
      description: `${describeGrant(g)}: ${[...g.actions].join(', ')}; fields ${[...g.classes, ...g.fields].join(', ') || 'none'}`,
      expires_at: g.expiresAt,
    })),
  };
}

/**
 * Explain, as a request asks it: anyone may explain their own access (about people they may read:
 * a person out of their reach is 404, as everywhere); another user's access needs access.manage.
 * `user` defaults to the caller.
 */
export async function explainFor(
  ctx: Ctx,
  input: {
    user?: string | undefined;
    person?: string | undefined;
    field?: string | undefined;
    action?: string | undefined;
  },
): Promise<Explanation> {
  const orgId = ctx.actor.orgId;
  const self = actorUserId(ctx.actor);
  const ref = input.user ?? self;
  if (ref === null) throw invalid('user', 'give a user id or email');
  if (!allows(ctx.actor, 'access.manage')) {
    const me = await findUserRef(ctx.db, orgId, self as string);
    const asked = ref.trim().toLowerCase();
    if (asked !== me.id && asked !== me.email)
      throw new AppError('forbidden', "you may explain your own access; another user's needs access.manage", {
        internal: 'access.manage',
      });
    if (input.person) await requirePerson(ctx, input.person, 'people.read');
  }
  // Over HTTP a missing user is "user not found", without echoing the id or email asked about.
  const user = await findUserRef(ctx.db, orgId, ref).catch((error: unknown) => {
    throw error instanceof AppError && error.code === 'not_found' ? notFound('user') : error;
  });
  return await explainAccess(ctx.db, orgId, { ...input, user: user.id }, ctx.now());
}
