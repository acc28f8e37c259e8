import type { Kysely } from 'kysely';
import type { CustomFieldType, DB } from '../db/schema.js';
import type { FieldProblem } from '../errors.js';

export const MAX_TEXT_VALUE = 2000;
const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Definition {
  id: string;
  key: string;
  field_type: CustomFieldType;
  choices: string[] | null;
}

type Checked = { ok: true; value: unknown } | { ok: false; message: string };

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function choice(def: Definition, raw: string): string | undefined {
  const wanted = raw.trim().toLowerCase();
  return (def.choices ?? []).find((c) => c.toLowerCase() === wanted);
}

/**
 * One value against its field's type: the stored (JSON) form, or what is wrong. Lenient in what
 * it reads (numeric strings, yes/no/1/0, "a; b" for several choices, choices in any case), strict
 * in what it stores (numbers, booleans, YYYY-MM-DD, the choice as defined).
 */
export function checkFieldValue(def: Definition, value: unknown): Checked {
  switch (def.field_type) {
    case 'text': {
      if (typeof value !== 'string' && typeof value !== 'number')
        return { ok: false, message: 'must be text' };
      const text = String(value).trim();
      return text.length > MAX_TEXT_VALUE
        ? { ok: false, message: `must be at most ${MAX_TEXT_VALUE} characters` }
        : { ok: true, value: text };
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
      const text = typeof value === 'string' ? value.trim() : '';
      return isRealDate(text)
        ? { ok: true, value: text }
        : { ok: false, message: 'must be a date (YYYY-MM-DD)' };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      if (typeof value !== 'string' && typeof value !== 'number')
        return { ok: false, message: 'must be true or false' };
      const word = String(value).trim().toLowerCase();
      if (TRUE.has(word)) return { ok: true, value: true };
      if (FALSE.has(word)) return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    }
    case 'single_choice': {
      const found = typeof value === 'string' ? choice(def, value) : undefined;
      return found
        ? { ok: true, value: found }
        : { ok: false, message: `must be one of: ${(def.choices ?? []).join(', ')}` };
    }
    case 'multi_choice': {
      const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(';') : null;
      if (!items) return { ok: false, message: 'must be a list of choices' };
      const chosen: string[] = [];
      for (const item of items) {
        if (typeof item !== 'string') return { ok: false, message: 'must be a list of choices' };
        if (item.trim() === '') continue;
        const found = choice(def, item);
        if (!found)
          return { ok: false, message: `"${item.trim()}" is not one of: ${(def.choices ?? []).join(', ')}` };
        if (!chosen.includes(found)) chosen.push(found);
      }
      return { ok: true, value: chosen };
    }
  }
}

/**
 * Validates custom field values by key against the organization's (unarchived) field
 * definitions. Every value is checked; `problems` names each bad one as `custom_fields.KEY`.
 * The engine and the importer store `ok` only when `problems` is empty.
 */
export async function validateCustomFieldValues(
  db: Kysely<DB>,
  orgId: string,
  values: Record<string, unknown>,
): Promise<{ ok: Array<{ fieldId: string; key: string; value: unknown }>; problems: FieldProblem[] }> {
  const keys = Object.keys(values);
  const ok: Array<{ fieldId: string; key: string; value: unknown }> = [];
  const problems: FieldProblem[] = [];
  if (keys.length === 0) return { ok, problems };
  const defs = await db
    .selectFrom('custom_field')
    .select(['id', 'key', 'field_type', 'choices'])
    .where('org_id', '=', orgId)
    .where('key', 'in', keys)
    .where('archived_at', 'is', null)
    .execute();
  const byKey = new Map(defs.map((d) => [d.key, d]));
  for (const key of keys) {
    const def = byKey.get(key);
    const field = `custom_fields.${key}`;
    if (!def) {
      problems.push({ field, message: 'no custom field with this key' });
      continue;
    }
    const checked = checkFieldValue(def, values[key]);
    if (checked.ok) ok.push({ fieldId: def.id, key, value: checked.value });
    else problems.push({ field, message: checked.message });
  }
  return { ok, problems };
}
