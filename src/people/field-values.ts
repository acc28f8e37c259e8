import type { Kysely } from 'kysely';
import type { CustomFieldType, DB } from '../db/schema.js';
import type { FieldProblem } from '../errors.js';
import { checkFieldValue } from '../fields/index.js';

/** What validation needs of a custom field definition. */
export interface FieldDefinition {
  id: string;
  key: string;
  field_type: CustomFieldType;
  choices: string[] | null;
}

/** The organization's active field definitions by key. */
export async function loadFieldDefinitions(
  db: Kysely<DB>,
  orgId: string,
): Promise<Map<string, FieldDefinition>> {
  const rows = await db
    .selectFrom('custom_field')
    .select(['id', 'key', 'field_type', 'choices'])
    .where('org_id', '=', orgId)
    .where('archived_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.key, r]));
}

/** Validates a person's custom_fields object; problems name `custom_fields.KEY`. */
export function validateFieldValues(
  definitions: Map<string, FieldDefinition>,
  values: Record<string, unknown>,
): { values: { field: FieldDefinition; value: unknown }[]; problems: FieldProblem[] } {
  const out: { field: FieldDefinition; value: unknown }[] = [];
  const problems: FieldProblem[] = [];
  for (const [key, raw] of Object.entries(values)) {
    if (raw === null || raw === undefined || raw === '') continue;
    const def = definitions.get(key);
    if (!def) {
      problems.push({ field: `custom_fields.${key}`, message: 'no custom field with this key' });
      continue;
    }
    const result = checkFieldValue(def, raw);
    if (result.ok) out.push({ field: def, value: result.value });
    else problems.push({ field: `custom_fields.${key}`, message: result.message });
  }
  return { values: out, problems };
}
