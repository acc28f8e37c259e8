import type { CountryCode } from 'libphonenumber-js';
import { normalizeBirthdate, normalizeEmail, normalizePhone, PersonInput } from '../people/index.js';
import type { ColumnPlan, PlannedColumn } from './columns.js';

/**
 * One CSV row as a person, or why it cannot be one.
 *
 * The rules (a rejected row goes to the rejects file and the import_reject table, verbatim, with
 * the reason; it never stops the import):
 *  - A row whose fields are all blank is skipped, not rejected: spreadsheets end with such rows.
 *  - A row with a different number of fields than the header is rejected (extra fields are
 *    allowed only when blank, as some exporters end every row with a delimiter): a missing or
 *    extra field shifts every value after it into the wrong column.
 *  - A value that is present but invalid (an email without a domain, a phone with too few digits,
 *    an impossible date, an unknown country, a text too long) rejects the whole row, naming the
 *    field and the column. Dropping just that value would import the person without it, and the
 *    corrected value imported later would then not match them (a duplicate) — so even a row with
 *    a good name and a bad email is rejected.
 *  - A row with no name, no email, no phone and no identifier is rejected: there is nobody to
 *    store or to match. A name alone is accepted (a paper sign-in sheet).
 *  - Birth year, month and day columns are combined; all three are needed when any is given.
 */
export type RowResult =
  | { kind: 'person'; input: PersonInput }
  | { kind: 'reject'; reason: string }
  | { kind: 'blank' };

interface Problem {
  field: string;
  message: string;
  column?: string;
}

const isBlank = (fields: string[]): boolean => {
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
};

const formatProblems = (problems: Problem[]): string =>
  problems
    .map((p) => `${p.field}: ${p.message}${p.column !== undefined ? ` (column "${p.column}")` : ''}`)
    .join('; ');

let countryNames: Map<string, string> | undefined;
/** English country names and codes -> ISO 3166-1 alpha-2, built once from Intl. */
function countryTable(): Map<string, string> {
  if (countryNames) return countryNames;
  const table = new Map<string, string>();
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      const name = names.of(code);
      if (name && name !== code) {
        table.set(code.toLowerCase(), code);
        table.set(name.toLowerCase(), code);
      }
    }
  }
  for (const [alias, code] of [
    ['usa', 'US'],
    ['u.s.', 'US'],
    ['u.s.a.', 'US'],
    ['united states of america', 'US'],
    ['america', 'US'],
    ['uk', 'GB'],
    ['great britain', 'GB'],
    ['england', 'GB'],
    ['scotland', 'GB'],
    ['wales', 'GB'],
    ['can', 'CA'],
    ['mex', 'MX'],
    ['deutschland', 'DE'],
  ] as const)
    table.set(alias, code);
  countryNames = table;
  return table;
}

export function countryCode(raw: string): string | undefined {
  return countryTable().get(raw.trim().toLowerCase());
}

const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO_SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;

/**
 * A date as spreadsheets write it: YYYY-MM-DD, YYYY/MM/DD, or M/D/YYYY (the US order, as the
 * default phone country is US too); an ISO timestamp keeps its date part.
 */
export function parseDate(raw: string): string | null {
  const value = raw.trim();
  const iso = /^(\d{4}-\d{1,2}-\d{1,2})(?:[T ].*)?$/.exec(value);
  if (iso) return normalizeBirthdate(iso[1] as string);
  let m = ISO_SLASH.exec(value);
  if (m) return normalizeBirthdate(`${m[1]}-${m[2]}-${m[3]}`);
  m = SLASH_DATE.exec(value);
  if (m) return normalizeBirthdate(`${m[3]}-${m[1]}-${m[2]}`);
  return null;
}

const IDENTIFIER = /^[^:\s]+:.+$/;
const LIST_SPLIT = /[;,]/;

/** Builds the row mapper for one file's column plan. Per-row work is plain string handling. */
export function rowMapper(
  plan: ColumnPlan,
  options: { validate?: 'fast' | 'zod' } = {},
): (fields: string[]) => RowResult {
  const width = plan.header.length;
  const columns: PlannedColumn[] = plan.columns;
  return (fields) => {
    if (isBlank(fields)) return { kind: 'blank' };
    if (fields.length < width || (fields.length > width && !isBlank(fields.slice(width)))) {
      return {
        kind: 'reject',
        reason: `row has ${fields.length} fields; the header has ${width}`,
      };
    }
    const problems: Problem[] = [];
    const raw: {
      given_name?: string;
      family_name?: string;
      additional_name?: string;
      pronouns?: string;
      preferred_language?: string;
      birthdate?: string;
      home_unit?: string;
      emails: { address: string }[];
      phones: { number: string; type?: 'mobile' | 'home' | 'work' }[];
      tags: string[];
      identifiers: string[];
      custom_fields: Record<string, string>;
    } = { emails: [], phones: [], tags: [], identifiers: [], custom_fields: {} };
    let fullName: string | undefined;
    const address: {
      lines: string[];
      locality?: string;
      region?: string;
      postal_code?: string;
      country?: string;
    } = {
      lines: [],
    };
    let hasAddress = false;
    let year: string | undefined;
    let month: string | undefined;
    let day: string | undefined;
    let birthColumn: string | undefined;
    const columnOf = new Map<string, string>();
    const phoneColumns: { value: string; column: string; type?: 'mobile' | 'home' | 'work' }[] = [];

    for (const { index, column, target } of columns) {
      const value = (fields[index] ?? '').trim();
      if (value === '') continue;
      switch (target.kind) {
        case 'given_name':
        case 'family_name':
        case 'additional_name':
        case 'pronouns':
        case 'preferred_language':
        case 'home_unit':
          // Two columns for one field: the first non-blank wins.
          if (raw[target.kind] === undefined) {
            raw[target.kind] = value;
            columnOf.set(target.kind, column);
          }
          break;
        case 'full_name':
          fullName ??= value;
          break;
        case 'email':
          for (const part of value.split(LIST_SPLIT)) {
            const text = part.trim();
            if (text === '') continue;
            const address = normalizeEmail(text);
            if (address) raw.emails.push({ address });
            else problems.push({ field: 'email', message: `"${text}" is not a valid email address`, column });
          }
          break;
        case 'phone':
          for (const part of value.split(';')) {
            const text = part.trim();
            if (text !== '')
              phoneColumns.push({ value: text, column, ...(target.type ? { type: target.type } : {}) });
          }
          break;
        case 'birthdate': {
          const date = parseDate(value);
          if (date) raw.birthdate ??= date;
          else
            problems.push({
              field: 'birthdate',
              message: `"${value}" is not a valid date (YYYY-MM-DD or M/D/YYYY, not in the future)`,
              column,
            });
          break;
        }
        case 'birth_year':
          year ??= value;
          birthColumn ??= column;
          break;
        case 'birth_month':
          month ??= value;
          birthColumn ??= column;
          break;
        case 'birth_day':
          day ??= value;
          birthColumn ??= column;
          break;
        case 'address_line':
          // A multi-line cell ("12 Oak St\nApt 4") is several address lines.
          for (const line of value.split(/\r?\n/)) if (line.trim() !== '') address.lines.push(line.trim());
          if (!columnOf.has('address_line')) columnOf.set('address_line', column);
          hasAddress = true;
          break;
        case 'locality':
        case 'region':
        case 'postal_code':
          if (address[target.kind] === undefined) {
            address[target.kind] = value;
            columnOf.set(target.kind, column);
          }
          hasAddress = true;
          break;
        case 'country': {
          const code = countryCode(value);
          if (code) address.country ??= code;
          else problems.push({ field: 'country', message: `"${value}" is not a known country`, column });
          hasAddress = true;
          break;
        }
        case 'tags':
          if (!columnOf.has('tags')) columnOf.set('tags', column);
          for (const part of value.split(LIST_SPLIT)) {
            const tag = part.trim();
            if (tag !== '' && !raw.tags.includes(tag)) raw.tags.push(tag);
          }
          break;
        case 'identifiers':
          for (const part of value.split(LIST_SPLIT)) {
            const id = part.trim();
            if (id === '') continue;
            if (IDENTIFIER.test(id)) raw.identifiers.push(id);
            else
              problems.push({
                field: 'identifiers',
                message: `"${id}" is not of the form system:id`,
                column,
              });
          }
          break;
        case 'identifier':
          raw.identifiers.push(`${target.system}:${value}`);
          break;
        case 'field':
          raw.custom_fields[target.key] ??= value;
          break;
        case 'ignore':
          break;
      }
    }

    if (fullName && raw.given_name === undefined && raw.family_name === undefined) {
      // "Mary Ann Smith": the last word is the family name, the rest the given name.
      const words = fullName.split(/\s+/);
      if (words.length === 1) raw.given_name = fullName;
      else {
        raw.family_name = words[words.length - 1] as string;
        raw.given_name = words.slice(0, -1).join(' ');
      }
    }

    if (year !== undefined || month !== undefined || day !== undefined) {
      if (year === undefined || month === undefined || day === undefined) {
        const missing = [year ? '' : 'year', month ? '' : 'month', day ? '' : 'day']
          .filter(Boolean)
          .join(' and ');
        problems.push({
          field: 'birthdate',
          message: `the birth ${missing} is missing (map the birth columns to ignore to import without a birth date)`,
          column: birthColumn,
        });
      } else {
        const date =
          /^\d{4}$/.test(year) && /^\d{1,2}$/.test(month) && /^\d{1,2}$/.test(day)
            ? normalizeBirthdate(`${year}-${month}-${day}`)
            : null;
        if (date) raw.birthdate ??= date;
        else
          problems.push({
            field: 'birthdate',
            message: `year ${year}, month ${month}, day ${day} is not a valid date`,
            column: birthColumn,
          });
      }
    }

    const country = (address.country ?? 'US') as CountryCode;
    for (const { value, column, type } of phoneColumns) {
      const number = normalizePhone(value, country);
      if (number) {
        if (!raw.phones.some((p) => p.number === number))
          raw.phones.push(type ? { number, type } : { number });
      } else problems.push({ field: 'phone', message: `"${value}" is not a valid phone number`, column });
    }

    if (problems.length > 0) return { kind: 'reject', reason: formatProblems(problems) };
    if (
      raw.given_name === undefined &&
      raw.family_name === undefined &&
      raw.emails.length === 0 &&
      raw.phones.length === 0 &&
      raw.identifiers.length === 0
    ) {
      return { kind: 'reject', reason: 'no name, email, phone or identifier: nothing to import' };
    }

    const input = { ...raw, addresses: hasAddress ? [address] : [] } as PersonInput;
    if (options.validate === 'zod') {
      const parsed = PersonInput.safeParse(input);
      if (!parsed.success) {
        return {
          kind: 'reject',
          reason: formatProblems(
            parsed.error.issues.map((issue) => ({
              field: issue.path.map(String).join('.') || 'row',
              message: issue.message,
            })),
          ),
        };
      }
      return { kind: 'person', input: parsed.data };
    }
    const tooLong = limitProblems(input, columnOf);
    if (tooLong.length > 0) return { kind: 'reject', reason: formatProblems(tooLong) };
    return { kind: 'person', input };
  };
}

/*
 * The PersonInput schema's limits, checked directly. Every value above is already normalized the
 * way the schema's transforms normalize it (trimmed, emails lower-cased, phones E.164, dates
 * checked), so what remains of the schema is lengths, counts and the unit path's form. Parsing
 * each row with zod cost ~17 µs, half the per-row budget of a large import; a property test holds
 * this path to the schema: whatever it accepts, PersonInput.parse returns unchanged.
 */
const UNIT_PATH = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

function checkLength(
  problems: Problem[],
  columnOf: Map<string, string>,
  field: string,
  value: string | undefined,
  max: number,
): void {
  if (value !== undefined && value.length > max)
    problems.push({ field, message: `longer than ${max} characters`, column: columnOf.get(field) });
}

// Module-level helpers only: a closure made per row costs more than the checks themselves.
function limitProblems(input: PersonInput, columnOf: Map<string, string>): Problem[] {
  const problems: Problem[] = [];
  checkLength(problems, columnOf, 'given_name', input.given_name, 200);
  checkLength(problems, columnOf, 'family_name', input.family_name, 200);
  checkLength(problems, columnOf, 'additional_name', input.additional_name, 200);
  checkLength(problems, columnOf, 'pronouns', input.pronouns, 50);
  checkLength(problems, columnOf, 'preferred_language', input.preferred_language, 35);
  const address = input.addresses[0];
  if (address) {
    checkLength(problems, columnOf, 'locality', address.locality, 200);
    checkLength(problems, columnOf, 'region', address.region, 100);
    checkLength(problems, columnOf, 'postal_code', address.postal_code, 20);
    if (address.lines.length > 5)
      problems.push({
        field: 'address_line',
        message: 'more than 5 address lines',
        column: columnOf.get('address_line'),
      });
    for (const line of address.lines) checkLength(problems, columnOf, 'address_line', line, 300);
  }
  if (input.home_unit !== undefined && !UNIT_PATH.test(input.home_unit))
    problems.push({
      field: 'home_unit',
      message: 'a unit path like east.oakland',
      column: columnOf.get('home_unit'),
    });
  for (const tag of input.tags) checkLength(problems, columnOf, 'tags', tag, 100);
  if (input.tags.length > 100)
    problems.push({ field: 'tags', message: 'more than 100 tags', column: columnOf.get('tags') });
  if (input.emails.length > 50) problems.push({ field: 'email', message: 'more than 50 emails' });
  if (input.phones.length > 50) problems.push({ field: 'phone', message: 'more than 50 phones' });
  if (input.identifiers.length > 50)
    problems.push({ field: 'identifiers', message: 'more than 50 identifiers' });
  return problems;
}
