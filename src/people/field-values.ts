import type { Kysely } from 'kysely';
import type { CustomFieldType, DB } from '../db/schema.js';
import type { FieldProblem } from '../errors.js';
import { normalizeBirthdate } from './normalize.js';

/** What validation needs of a custom field definition. */
export interface FieldDefinition {
  id: string;
  key: string;
  field_type: CustomFieldType;
  choices: string[] | null;
}

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);
export const MAX_TEXT_VALUE = 2000;

/**
 * Checks one value against its field's type and returns the stored form (a JSON value), or a
 * message saying what is wrong. Lenient in what it reads (numeric strings, yes/no, "a; b" for
 * several choices), strict in what it stores.
 */
export function validateFieldValue(
  def: FieldDefinition,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (def.field_type) {
    case 'text': {
      if (typeof value !== 'string' && typeof value !== 'number')
        return { ok: false, message: 'must be text' };
      const text = String(value).trim();
      if (text.length > MAX_TEXT_VALUE)
        return { ok: false, message: `must be at most ${MAX_TEXT_VALUE} characters` };
      return { ok: true, value: text };
    }
    case 'number': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value.trim())
            : Number.NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: 'must be a number' };
    }
    case 'date': {
      const date = typeof value === 'string' ? normalizeBirthdate(value, new Date(8.64e15)) : null;
      return date ? { ok: true, value: date } : { ok: false, message: 'must be a date (YYYY-MM-DD)' };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const word = String(value).trim().toLowerCase();
      if (TRUE.has(word)) return { ok: true, value: true };
      if (FALSE.has(word)) return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    }
    case 'single_choice': {
      const choice = typeof value === 'string' ? matchChoice(def, value) : undefined;
      return choice
        ? { ok: true, value: choice }
        : { ok: false, message: `must be one of: ${(def.choices ?? []).join(', ')}` };
    }
    case 'multi_choice': {
      const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[;,]/) : null;
      if (!items) return { ok: false, message: 'must be a list of choices' };
      const chosen: string[] = [];
      for (const item of items) {
        if (typeof item !== 'string') return { ok: false, message: 'must be a list of choices' };
        if (item.trim() === '') continue;
        const choice = matchChoice(def, item);
        if (!choice)
          return { ok: false, message: `"${item.trim()}" is not one of: ${(def.choices ?? []).join(', ')}` };
        if (!chosen.includes(choice)) chosen.push(choice);
      }
      return { ok: true, value: chosen };
    }
  }
}

function matchChoice(def: FieldDefinition, raw: string): string | undefined {
  const wanted = raw.trim().toLowerCase();
  return (def.choices ?? []).find((c) => c.toLowerCase() === wanted);
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
    const result = validateFieldValue(def, raw);
    if (result.ok) out.push({ field: def, value: result.value });
    else problems.push({ field: `custom_fields.${key}`, message: result.message });
  }
  return { values: out, problems };
}
