import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { customFieldClasses, loadFacts } from '../access/people-access.js';
import { type PeopleScope, peopleScope } from '../access/scope.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import {
  type Access,
  accessOf,
  assertAllowed,
  type FieldClass,
  type FieldGrant,
  fieldVisible,
  type PersonField,
  visibleFields,
} from '../policy/index.js';
import {
  addressesOf,
  customFieldKeys,
  type ExportFilters,
  emailsOf,
  fieldValuesOf,
  identifiersOf,
  type PersonRow,
  peoplePage,
  phonesOf,
  tagsOf,
} from './exports.queries.js';

/**
 * The columns a people export can hold, in their default order. Names are chosen so that the
 * importer's header detection reads an export back (given_name, email, city, zip, tags, ...).
 *
 * - `email`, `phone`: the primary one (else the oldest); `emails`, `phones`: all, joined by "; ".
 * - `address_line1`, `address_line2`, `city`, `state`, `zip`, `country`: the primary address.
 * - `tags`, `identifiers`: joined by "; ". `home_unit`: the unit path.
 * - `field:KEY`: a custom field's preferred value (lists joined by "; ").
 */
export const EXPORT_COLUMNS = [
  'id',
  'given_name',
  'family_name',
  'additional_name',
  'email',
  'emails',
  'phone',
  'phones',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'zip',
  'country',
  'birthdate',
  'pronouns',
  'preferred_language',
  'tags',
  'identifiers',
  'home_unit',
  'do_not_contact',
  'created_at',
  'updated_at',
] as const;

export const DEFAULT_EXPORT_COLUMNS: readonly string[] = [
  'id',
  'given_name',
  'family_name',
  'additional_name',
  'email',
  'phone',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'zip',
  'country',
  'birthdate',
  'tags',
  'home_unit',
  'created_at',
  'updated_at',
];

export interface ExportPeopleOptions {
  /** A path to write, or a stream (ended when the export is done). */
  out: Writable | string;
  columns?: string[];
  filters?: ExportFilters;
  /** People per page (and per query round). */
  pageSize?: number;
}

export interface ExportSummary {
  rows: number;
  columns: string[];
}

const KNOWN = new Set<string>(EXPORT_COLUMNS);

/** The person field each built-in column shows (id and record dates go with any view). */
const COLUMN_FIELD: Record<(typeof EXPORT_COLUMNS)[number], PersonField | null> = {
  id: null,
  given_name: 'given_name',
  family_name: 'family_name',
  additional_name: 'additional_name',
  email: 'emails',
  emails: 'emails',
  phone: 'phones',
  phones: 'phones',
  address_line1: 'street_address',
  address_line2: 'street_address',
  city: 'locality',
  state: 'locality',
  zip: 'street_address',
  country: 'locality',
  birthdate: 'birthdate',
  pronouns: 'pronouns',
  preferred_language: 'preferred_language',
  tags: 'tags',
  identifiers: 'identifiers',
  home_unit: 'home_unit',
  do_not_contact: 'do_not_contact',
  created_at: null,
  updated_at: null,
};

/** Whether a column may be shown under this field grant. */
function columnVisible(column: string, g: FieldGrant, customClasses: Map<string, FieldClass>): boolean {
  if (column.startsWith('field:')) {
    const key = column.slice('field:'.length);
    const fieldClass = customClasses.get(key) ?? 'restricted';
    return g.classes.has(fieldClass) || g.fields.has(`custom_fields.${key}`);
  }
  const field = COLUMN_FIELD[column as (typeof EXPORT_COLUMNS)[number]];
  return field === null || fieldVisible(g, field);
}

/** Checks column names against the documented set and the organization's custom fields. */
export async function resolveExportColumns(ctx: Ctx, requested: string[] | undefined): Promise<string[]> {
  const columns = (requested ?? [...DEFAULT_EXPORT_COLUMNS]).map((c) => c.trim()).filter(Boolean);
  if (columns.length === 0) throw new AppError('validation_failed', 'columns: name at least one column');
  const fieldKeys = columns.some((c) => c.startsWith('field:'))
    ? await customFieldKeys(ctx.db, ctx.actor.orgId)
    : new Set<string>();
  for (const column of columns) {
    const ok = column.startsWith('field:') ? fieldKeys.has(column.slice('field:'.length)) : KNOWN.has(column);
    if (!ok) {
      const message = column.startsWith('field:')
        ? `"${column}" names no custom field of this organization`
        : `unknown column "${column}" (known: ${EXPORT_COLUMNS.join(', ')}, field:KEY)`;
      throw new AppError('validation_failed', `columns: ${message}`, {
        fields: [{ field: 'columns', message }],
      });
    }
  }
  return columns;
}

const joinList = (values: string[]): string => values.join('; ');

function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return joinList(value.map(String));
  return String(value);
}

/** The most any export grant of the actor shows: no column outside it goes into an export. */
function widestExportGrant(access: Access): FieldGrant {
  const grants = access.grants.filter((g) => g.actions.has('people.export'));
  return {
    classes: new Set(grants.flatMap((g) => [...g.classes])),
    fields: new Set(grants.flatMap((g) => [...g.fields])),
  };
}

/**
 * The columns an export by this actor holds: the requested ones (refused with 403 when one of them
 * is a column no export grant of the actor shows), or the default set without such columns.
 * Callers that stream check this before the first byte goes out.
 */
export async function exportColumns(ctx: Ctx, requested: string[] | undefined): Promise<string[]> {
  assertAllowed(ctx.actor, 'people.export');
  const widest = widestExportGrant(accessOf(ctx.actor));
  const customClasses = await customFieldClasses(ctx.db, ctx.actor.orgId);
  const columns = await resolveExportColumns(ctx, requested);
  const hidden = columns.filter((c) => !columnVisible(c, widest, customClasses));
  if (hidden.length > 0 && requested) {
    throw new AppError('forbidden', `columns: you may not export ${hidden.join(', ')}`, {
      fields: [{ field: 'columns', message: `you may not export ${hidden.join(', ')}` }],
    });
  }
  return columns.filter((c) => !hidden.includes(c));
}

/**
 * Streams an organization's people as CSV in constant memory: pages of people by id (keyset),
 * each page's emails, phones, addresses, tags and field values in one query per kind (only the
 * kinds the columns need), written with backpressure. Merged-away records are left out.
 * The audit trail gets one `people.export` entry: the columns, the filters and the row count
 * (also for an export that stopped part way: what was written has left).
 */
export async function exportPeopleCsv(ctx: Ctx, options: ExportPeopleOptions): Promise<ExportSummary> {
  const access = accessOf(ctx.actor);
  const widest = widestExportGrant(access);
  let columns: string[];
  let customClasses: Map<string, FieldClass>;
  let scope: PeopleScope;
  try {
    columns = await exportColumns(ctx, options.columns);
    customClasses = await customFieldClasses(ctx.db, ctx.actor.orgId);
    const unit = options.filters?.unit;
    if (unit !== undefined && !/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(unit))
      throw new AppError('validation_failed', 'unit: a unit path like east.oakland', {
        fields: [{ field: 'unit', message: 'a unit path like east.oakland' }],
      });
    scope = await peopleScope(ctx.db, access, 'people.export');
  } catch (error) {
    // A stream handed in must not wait forever for rows that will never come (the caller learns
    // why from the rejection).
    if (typeof options.out !== 'string') options.out.destroy();
    throw error;
  }
  let out: Writable;
  if (typeof options.out === 'string') {
    const file = createWriteStream(options.out);
    await once(file, 'open').catch((error: NodeJS.ErrnoException) => {
      throw new AppError('bad_request', `cannot write ${options.out}: ${error.code ?? error.message}`);
    });
    out = file;
  } else out = options.out;
  const orgId = ctx.actor.orgId;
  const pageSize = options.pageSize ?? 2000;
  const needs = (...names: string[]) => columns.some((c) => names.includes(c));
  const fieldKeys = columns.filter((c) => c.startsWith('field:')).map((c) => c.slice('field:'.length));

  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let rows = 0;
  let completed = false;
  const filters = options.filters ?? {};
  const audit = () =>
    ctx.audit.record({
      orgId,
      action: 'people.export',
      actor: ctx.actor,
      at: ctx.now(),
      fields: columns,
      detail: {
        format: 'csv',
        filters: {
          ...(filters.tag !== undefined ? { tag: filters.tag } : {}),
          ...(filters.unit !== undefined ? { unit: filters.unit } : {}),
          ...(filters.list !== undefined ? { list: filters.list } : {}),
          ...(filters.updatedSince ? { updated_since: filters.updatedSince.toISOString() } : {}),
        },
        rows,
        completed,
      },
    });
  try {
    await write(stringify([columns]));
    let after: string | null = null;
    for (;;) {
      const people: PersonRow[] = await peoplePage(ctx.db, orgId, filters, after, pageSize, scope);
      if (people.length === 0) break;
      const ids = people.map((p) => p.id);
      // Per person, only what an export grant over them shows (cells of other fields stay empty).
      const facts = scope === null && widest.classes.size === 5 ? null : await loadFacts(ctx.db, access, ids);
      const [emails, phones, addresses, tags, identifiers, fields] = await Promise.all([
        needs('email', 'emails') ? emailsOf(ctx.db, orgId, ids) : undefined,
        needs('phone', 'phones') ? phonesOf(ctx.db, orgId, ids) : undefined,
        needs('address_line1', 'address_line2', 'city', 'state', 'zip', 'country')
          ? addressesOf(ctx.db, orgId, ids)
          : undefined,
        needs('tags') ? tagsOf(ctx.db, orgId, ids) : undefined,
        needs('identifiers') ? identifiersOf(ctx.db, orgId, ids) : undefined,
        fieldKeys.length > 0 ? fieldValuesOf(ctx.db, orgId, ids, fieldKeys) : undefined,
      ]);
      const records = people.map((p) => {
        const address = addresses?.get(p.id)?.[0];
        const personFields = fields?.get(p.id) ?? [];
        const personFacts = facts?.get(p.id);
        const grant =
          facts === null ? widest : personFacts ? visibleFields(access, personFacts, 'people.export') : null;
        return columns.map((column): string => {
          if (!grant || !columnVisible(column, grant, customClasses)) return '';
          switch (column) {
            case 'email':
              return emails?.get(p.id)?.[0]?.address ?? '';
            case 'emails':
              return joinList((emails?.get(p.id) ?? []).map((e) => e.address));
            case 'phone':
              return phones?.get(p.id)?.[0]?.number ?? '';
            case 'phones':
              return joinList((phones?.get(p.id) ?? []).map((e) => e.number));
            case 'address_line1':
              return address?.address_lines[0] ?? '';
            case 'address_line2':
              return address?.address_lines.slice(1).join(', ') ?? '';
            case 'city':
              return address?.locality ?? '';
            case 'state':
              return address?.region ?? '';
            case 'zip':
              return address?.postal_code ?? '';
            case 'country':
              return address?.country ?? '';
            case 'tags':
              return joinList((tags?.get(p.id) ?? []).map((t) => t.name));
            case 'identifiers':
              return joinList((identifiers?.get(p.id) ?? []).map((i) => i.identifier));
            case 'do_not_contact':
              return p.do_not_contact ? 'true' : 'false';
            case 'created_at':
              return p.created_at.toISOString();
            case 'updated_at':
              return p.updated_at.toISOString();
            case 'id':
            case 'given_name':
            case 'family_name':
            case 'additional_name':
            case 'birthdate':
            case 'pronouns':
            case 'preferred_language':
            case 'home_unit':
              return p[column] ?? '';
            default: {
              const key = column.slice('field:'.length);
              return fieldText(personFields.find((f) => f.key === key)?.value);
            }
          }
        });
      });
      await write(stringify(records));
      rows += people.length;
      after = (people[people.length - 1] as PersonRow).id;
      if (people.length < pageSize) break;
    }
  } catch (error) {
    audit();
    out.destroy(error instanceof Error ? error : undefined);
    throw error;
  }
  completed = true;
  audit();
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  return { rows, columns };
}
