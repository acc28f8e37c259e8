import { AppError } from '../errors.js';

/**
 * OSDI's filter language, the OData subset the spec uses:
 *   filter   := condition ( "and" condition )*
 *   condition:= field op literal
 *   field    := modified_date | created_date | email_address
 *   op       := eq | gt | lt | ge | le
 *   literal  := '...' (a quote inside doubled: '')
 * Anything else is refused with a message that names `filter` and says where it went wrong.
 */
export const FILTER_FIELDS = ['modified_date', 'created_date', 'email_address'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export const FILTER_OPS = ['eq', 'gt', 'lt', 'ge', 'le'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export type Condition =
  | { field: 'modified_date' | 'created_date'; op: FilterOp; value: Date }
  | { field: 'email_address'; op: 'eq'; value: string };

type Token = { kind: 'word'; text: string; at: number } | { kind: 'string'; text: string; at: number };

const bad = (message: string): AppError =>
  new AppError('validation_failed', `filter: ${message}`, { fields: [{ field: 'filter', message }] });

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const at = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw bad(`the quote opened at character ${at + 1} is never closed`);
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += input[i];
        i++;
      }
      tokens.push({ kind: 'string', text, at });
    } else if (/[A-Za-z0-9_]/.test(c)) {
      // A bare word: a field, an operator, "and", or an unquoted value (refused by the grammar).
      const at = i;
      while (i < input.length && /[A-Za-z0-9_.:+-]/.test(input[i] as string)) i++;
      tokens.push({ kind: 'word', text: input.slice(at, i), at });
    } else {
      throw bad(`unexpected "${c}" at character ${i + 1}`);
    }
  }
  return tokens;
}

function parseDate(text: string): Date | null {
  // A date, or a date-time with a zone (ISO 8601), as the spec's examples write them.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return null;
  const iso =
    text.length === 10
      ? `${text}T00:00:00Z`
      : /Z|[+-]\d{2}:?\d{2}$/.test(text)
        ? text.replace(' ', 'T')
        : `${text.replace(' ', 'T')}Z`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function parseFilter(input: string): Condition[] {
  if (input.length > 1000) throw bad('is too long');
  const tokens = tokenize(input);
  if (tokens.length === 0) throw bad('is empty');
  const conditions: Condition[] = [];
  let i = 0;
  const next = (): Token | undefined => tokens[i++];
  for (;;) {
    const field = next();
    if (field?.kind !== 'word' || !FILTER_FIELDS.includes(field.text as FilterField)) {
      throw bad(
        `expected one of ${FILTER_FIELDS.join(', ')}${field ? ` at character ${field.at + 1}, not "${field.text}"` : ' at the end'}`,
      );
    }
    const op = next();
    if (op?.kind !== 'word' || !FILTER_OPS.includes(op.text as FilterOp)) {
      throw bad(`expected an operator (${FILTER_OPS.join(', ')}) after ${field.text}`);
    }
    const literal = next();
    if (literal?.kind !== 'string') throw bad(`expected a quoted value after ${field.text} ${op.text}`);
    if (field.text === 'email_address') {
      if (op.text !== 'eq') throw bad('email_address can only be compared with eq');
      conditions.push({ field: 'email_address', op: 'eq', value: literal.text.trim().toLowerCase() });
    } else {
      const date = parseDate(literal.text);
      if (!date) throw bad(`"${literal.text}" is not a date like 2014-03-20 or 2014-03-20T21:04:31Z`);
      conditions.push({
        field: field.text as 'modified_date' | 'created_date',
        op: op.text as FilterOp,
        value: date,
      });
    }
    const joiner = next();
    if (!joiner) return conditions;
    if (joiner.kind !== 'word' || joiner.text.toLowerCase() !== 'and') {
      throw bad(`expected "and" or the end at character ${joiner.at + 1}, not "${joiner.text}"`);
    }
    if (conditions.length >= 10) throw bad('has too many conditions');
  }
}
