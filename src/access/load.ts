import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import {
  type Access,
  type Action,
  type FieldClass,
  type Grant,
  isAction,
  isFieldClass,
  type Scope,
} from '../policy/index.js';

const actionSet = (values: string[]): Set<Action> => new Set(values.filter(isAction));
const classSet = (values: string[]): Set<FieldClass> => new Set(values.filter(isFieldClass));

/**
 * A user's live grants: role bindings (with each unit's current path) and assignments, minus
 * those that have expired. Read on every request, so a change takes effect on the next one.
 * Assignments to kinds without people yet (turfs and call lists arrive with organizing) grant
 * nothing until their tables exist; an event assignment covers the event's attendees.
 */
export async function loadAccess(db: Kysely<DB>, orgId: string, userId: string, now: Date): Promise<Access> {
  const { rows } = await sql<{
    via: 'binding' | 'assignment';
    id: string;
    role: string | null;
    actions: string[];
    field_classes: string[];
    fields: string[];
    scope_kind: string;
    target_id: string | null;
    unit_path: string | null;
    expires_at: Date | null;
  }>`
    SELECT 'binding' AS via, b.id, r.key AS role, r.actions, r.field_classes, '{}'::text[] AS fields,
      CASE WHEN b.unit_id IS NULL THEN 'org' ELSE 'unit' END AS scope_kind, b.unit_id AS target_id,
      u.path::text AS unit_path, b.expires_at
    FROM role_binding b
    JOIN role r ON r.id = b.role_id
    LEFT JOIN unit u ON u.id = b.unit_id
    WHERE b.org_id = ${orgId} AND b.user_id = ${userId} AND (b.expires_at IS NULL OR b.expires_at > ${now})
    UNION ALL
    SELECT 'assignment', a.id, NULL, a.actions, a.field_classes, a.fields, a.target_kind, a.target_id, NULL, a.expires_at
    FROM assignment a
    WHERE a.org_id = ${orgId} AND a.user_id = ${userId} AND (a.expires_at IS NULL OR a.expires_at > ${now})
      AND a.target_kind IN ('list', 'saved_search', 'event')
    ORDER BY 1, 2`.execute(db);
  const grants: Grant[] = [];
  for (const row of rows) {
    let scope: Scope;
    if (row.scope_kind === 'org') scope = { kind: 'org' };
    else if (row.scope_kind === 'unit' && row.unit_path)
      scope = { kind: 'unit', unitId: row.target_id as string, path: row.unit_path };
    else if (row.scope_kind === 'list') scope = { kind: 'list', listId: row.target_id as string };
    else if (row.scope_kind === 'saved_search')
      scope = { kind: 'saved_search', searchId: row.target_id as string };
    else if (row.scope_kind === 'event') scope = { kind: 'event', eventId: row.target_id as string };
    else continue;
    grants.push({
      id: row.id,
      via: row.via,
      role: row.role,
      scope,
      actions: actionSet(row.actions),
      classes: classSet(row.field_classes),
      fields: new Set(row.fields),
      expiresAt: row.expires_at,
    });
  }
  return { orgId, userId, grants };
}
