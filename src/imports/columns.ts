import { AppError } from '../errors.js';

/**
 * Where one CSV column goes on a person. `phone` carries its type when the header says it
 * ("Mobile", "Home phone"); `identifier` names the other system ("VAN ID" -> `van:<value>`).
 */
export type Target =
  | {
      kind:
        | 'given_name'
        | 'family_name'
        | 'additional_name'
        | 'full_name'
        | 'pronouns'
        | 'preferred_language'
        | 'birthdate'
        | 'birth_year'
        | 'birth_month'
        | 'birth_day'
        | 'email'
        | 'address_line'
        | 'locality'
        | 'region'
        | 'postal_code'
        | 'country'
        | 'tags'
        | 'identifiers'
        | 'home_unit'
        | 'ignore';
    }
  | { kind: 'phone'; type?: 'mobile' | 'home' | 'work' }
  | { kind: 'identifier'; system: string }
  | { kind: 'field'; key: string };

/** A column of the file and what it maps to. */
export interface PlannedColumn {
  index: number;
  column: string;
  target: Target;
}

export interface ColumnPlan {
  header: string[];
  columns: PlannedColumn[];
  /** Columns that go nowhere (reported in the summary, never silently lost). */
  unmapped: string[];
}

/** The field names an explicit mapping may use (besides `identifier:SYSTEM` and `field:KEY`). */
export const MAPPING_FIELDS = [
  'given_name',
  'family_name',
  'additional_name',
  'full_name',
  'email',
  'phone',
  'mobile_phone',
  'home_phone',
  'work_phone',
  'address_line',
  'locality',
  'region',
  'postal_code',
  'country',
  'birthdate',
  'birth_year',
  'birth_month',
  'birth_day',
  'pronouns',
  'preferred_language',
  'tags',
  'identifiers',
  'home_unit',
  'ignore',
] as const;

/** Headers folded to lower-case letters and digits ("E-mail Address" -> "emailaddress"). */
export const foldHeader = (header: string): string => header.toLowerCase().replace(/[^a-z0-9]/g, '');

const SYNONYMS: Record<string, Target> = {};
function synonyms(target: Target, names: string[]): void {
  for (const name of names) SYNONYMS[foldHeader(name)] = target;
}
synonyms({ kind: 'given_name' }, ['given_name', 'first', 'first name', 'given', 'fname', 'forename']);
synonyms({ kind: 'family_name' }, ['family_name', 'last', 'last name', 'family', 'surname', 'lname']);
synonyms({ kind: 'additional_name' }, [
  'additional_name',
  'middle',
  'middle name',
  'middle initial',
  'mi',
  'additional name',
]);
synonyms({ kind: 'full_name' }, ['full_name', 'name', 'full name', 'contact name']);
synonyms({ kind: 'email' }, [
  'email',
  'e-mail',
  'email address',
  'e-mail address',
  'emails',
  'primary email',
  'email 1',
  'email 2',
  'email 3',
  'secondary email',
  'personal email',
  'work email',
  'home email',
  'other email',
]);
synonyms({ kind: 'phone' }, [
  'phone',
  'phones',
  'phone number',
  'telephone',
  'tel',
  'primary phone',
  'phone 1',
  'phone 2',
  'other phone',
]);
synonyms({ kind: 'phone', type: 'mobile' }, [
  'mobile_phone',
  'mobile',
  'mobile phone',
  'mobile number',
  'cell',
  'cell phone',
  'cellphone',
]);
synonyms({ kind: 'phone', type: 'home' }, ['home_phone', 'home phone', 'landline']);
synonyms({ kind: 'phone', type: 'work' }, ['work_phone', 'work phone', 'office phone']);
synonyms({ kind: 'address_line' }, [
  'address_line',
  'address',
  'street',
  'street address',
  'address 1',
  'address 2',
  'address 3',
  'address line 1',
  'address line 2',
  'address line 3',
  'street 1',
  'street 2',
  'line 1',
  'line 2',
]);
synonyms({ kind: 'locality' }, ['locality', 'city', 'town']);
synonyms({ kind: 'region' }, ['region', 'state', 'province', 'state/province', 'st']);
synonyms({ kind: 'postal_code' }, [
  'postal_code',
  'zip',
  'zip code',
  'zipcode',
  'postal',
  'postcode',
  'zip5',
]);
synonyms({ kind: 'country' }, ['country', 'country code']);
synonyms({ kind: 'birthdate' }, ['birthdate', 'date of birth', 'birth date', 'dob', 'birthday']);
synonyms({ kind: 'birth_year' }, ['birth_year', 'yob', 'birth year', 'year of birth']);
synonyms({ kind: 'birth_month' }, ['birth_month', 'mob', 'birth month', 'month of birth']);
synonyms({ kind: 'birth_day' }, ['birth_day', 'day of birth', 'birth day of month']);
synonyms({ kind: 'pronouns' }, ['pronouns', 'pronoun']);
synonyms({ kind: 'preferred_language' }, ['preferred_language', 'language', 'preferred language', 'lang']);
synonyms({ kind: 'tags' }, ['tags', 'tag', 'labels']);
synonyms({ kind: 'identifiers' }, ['identifiers']);
synonyms({ kind: 'home_unit' }, ['home_unit', 'unit', 'home unit', 'unit path']);
synonyms({ kind: 'ignore' }, ['ignore']);

/**
 * Person ids of other systems that are safe to match on. Only these are detected by header: a
 * generic "ID" could be anything (a row number, another file's ids), and the engine treats an
 * identifier as authoritative, so guessing wrong would merge different people. "Household ID" is
 * the cautionary case: the OSDI sample shares it across family members. Map such a column
 * explicitly (`ID=identifier:crm`) when it really names people.
 */
const ID_SYSTEMS: Record<string, string> = {
  vanid: 'van',
  actionnetworkid: 'actionnetwork',
  actionkitid: 'actionkit',
  akid: 'actionkit',
  nationbuilderid: 'nationbuilder',
  civicrmid: 'civicrm',
  everyactionid: 'everyaction',
  salesforceid: 'salesforce',
  mobilizeid: 'mobilize',
  zetkinid: 'zetkin',
};

const slug = (header: string): string =>
  header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** Reads a target name: a canonical field, `identifier:SYSTEM`, `field:KEY`, or a header synonym. */
function parseTarget(spec: string, customFields: ReadonlySet<string>): Target | undefined {
  const trimmed = spec.trim();
  const lower = trimmed.toLowerCase();
  if (lower.startsWith('identifier:')) {
    const system = trimmed.slice('identifier:'.length).trim();
    return /^[^:\s]+$/.test(system) ? { kind: 'identifier', system } : undefined;
  }
  if (lower.startsWith('field:')) {
    const key = trimmed.slice('field:'.length).trim();
    return customFields.has(key) ? { kind: 'field', key } : undefined;
  }
  return SYNONYMS[foldHeader(trimmed)];
}

/** What a header means on its own, or undefined. */
function detect(
  header: string,
  customFields: ReadonlySet<string>,
  hasBirthParts: boolean,
): Target | undefined {
  const folded = foldHeader(header);
  if (folded === '') return undefined;
  // "DoB" next to "YoB" and "MoB" (the OSDI sample) is the day of birth, not the date.
  if (hasBirthParts && folded === 'dob') return { kind: 'birth_day' };
  if (header.trim().toLowerCase().startsWith('field:')) return parseTarget(header, customFields);
  const known = SYNONYMS[folded];
  if (known && known.kind !== 'ignore') return known;
  const system = ID_SYSTEMS[folded];
  if (system) return { kind: 'identifier', system };
  const key = slug(header);
  if (customFields.has(key)) return { kind: 'field', key };
  return undefined;
}

export const describeTarget = (target: Target): string => {
  switch (target.kind) {
    case 'phone':
      return target.type ? `${target.type}_phone` : 'phone';
    case 'identifier':
      return `identifier:${target.system}`;
    case 'field':
      return `field:${target.key}`;
    default:
      return target.kind;
  }
};

/**
 * Decides where each column goes: the explicit mapping first (column names matched exactly, then
 * case-insensitively), then header detection. An unknown column or field in the mapping is an
 * error before any row is read, naming it.
 */
export function planColumns(
  header: string[],
  mapping: Record<string, string>,
  customFields: ReadonlySet<string>,
): ColumnPlan {
  const explicit = new Map<number, Target>();
  for (const [column, spec] of Object.entries(mapping)) {
    let index = header.indexOf(column);
    if (index === -1) {
      const wanted = column.trim().toLowerCase();
      index = header.findIndex((h) => h.trim().toLowerCase() === wanted);
    }
    if (index === -1) {
      throw new AppError(
        'validation_failed',
        `mapping: the file has no column "${column}" (its columns: ${header.map((h) => `"${h}"`).join(', ')})`,
        { fields: [{ field: 'mapping', message: `no column "${column}"` }] },
      );
    }
    const target = parseTarget(spec, customFields);
    if (!target) {
      const isField = spec.trim().toLowerCase().startsWith('field:');
      const message = isField
        ? `"${spec}" names no custom field of this organization`
        : `"${spec}" is not a field (use one of ${MAPPING_FIELDS.join(', ')}, identifier:SYSTEM or field:KEY)`;
      throw new AppError('validation_failed', `mapping for column "${column}": ${message}`, {
        fields: [{ field: `mapping.${column}`, message }],
      });
    }
    explicit.set(index, target);
  }
  const hasBirthParts = header.some((h, i) => {
    const t = explicit.get(i) ?? SYNONYMS[foldHeader(h)];
    return t?.kind === 'birth_year' || t?.kind === 'birth_month';
  });
  const columns: PlannedColumn[] = [];
  const unmapped: string[] = [];
  header.forEach((column, index) => {
    const target = explicit.get(index) ?? detect(column, customFields, hasBirthParts);
    if (!target) {
      unmapped.push(column.trim() === '' ? `(column ${index + 1}, no name)` : column);
      return;
    }
    if (target.kind !== 'ignore') columns.push({ index, column, target });
  });
  return { header, columns, unmapped };
}
