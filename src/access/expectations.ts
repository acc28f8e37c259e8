import { ACTIONS, type Action, isAction, isPersonField, PEOPLE_ACTIONS } from '../policy/index.js';

/**
 * Access expectations: a file an organization writes itself, one expectation a line, checked
 * against the live configuration by `rhizome access test`.
 *
 *     # who must not see what
 *     deny  maria@example.org  read  emails      of people in fresno
 *     allow maria@example.org  read  given_name  of people in east.oakland
 *     deny  host@example.org   read  phones      of person 0193c2a4-…
 *     allow maria@example.org  write people in east.oakland
 *     deny  analyst@example.org read everyone
 *     deny  maria@example.org  access.manage
 *
 * A line is `allow|deny USER ACTION [FIELD of] [TARGET]`: USER an email or a user id; ACTION a
 * verb (read, write, delete, merge, export, aggregate, message, call) or any action by its full
 * name; FIELD a built-in field or `custom_fields.KEY`; TARGET `people in UNIT` (everyone homed in
 * that subtree), `person ID` or `everyone`. Without a target the question is "at all". `#` starts
 * a comment; blank lines are ignored; keywords are case-insensitive.
 */
export type Effect = 'allow' | 'deny';

export type Target = { kind: 'unit'; path: string } | { kind: 'person'; id: string } | { kind: 'everyone' };

export interface Expectation {
  /** 1-based line in the file. */
  line: number;
  effect: Effect;
  /** An email (lower-cased) or a user id. */
  user: string;
  action: Action;
  field: string | null;
  target: Target | null;
}

export interface ParseProblem {
  line: number;
  /** 1-based column of the offending token (or of the end of the line when something is missing). */
  column: number;
  message: string;
}

/** Short verbs for the actions about people. */
export const VERBS: Readonly<Record<string, Action>> = {
  read: 'people.read',
  write: 'people.write',
  delete: 'people.delete',
  merge: 'people.merge',
  export: 'people.export',
  aggregate: 'people.aggregate',
  message: 'person.message',
  call: 'person.call',
};
const VERB_OF = new Map(Object.entries(VERBS).map(([verb, action]) => [action, verb]));

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIT_PATH = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;
const CUSTOM_FIELD = /^custom_fields\.[a-z][a-z0-9_]*$/;
const TARGET_WORDS = new Set(['people', 'person', 'everyone']);

interface Token {
  text: string;
  column: number;
}

/** Whitespace-separated tokens with their columns; `#` at the start of a token ends the line. */
function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    if (m[0].startsWith('#')) break;
    tokens.push({ text: m[0], column: m.index + 1 });
  }
  return tokens;
}

class LineProblem extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

const quote = (s: string) => JSON.stringify(s);

function parseLine(line: string, lineNo: number): Expectation | null {
  const tokens = tokenize(line);
  if (tokens.length === 0) return null;
  const end = line.replace(/\s+$/, '').length + 1;
  let i = 0;
  const next = (expected: string): Token => {
    const token = tokens[i++];
    if (!token) throw new LineProblem(end, `expected ${expected} here, at the end of the line`);
    return token;
  };

  const effectToken = next('"allow" or "deny"');
  const effect = effectToken.text.toLowerCase();
  if (effect !== 'allow' && effect !== 'deny')
    throw new LineProblem(effectToken.column, `expected "allow" or "deny", found ${quote(effectToken.text)}`);

  const userToken = next("a user's email or id");
  if (!EMAIL.test(userToken.text) && !UUID.test(userToken.text))
    throw new LineProblem(userToken.column, `expected a user's email or id, found ${quote(userToken.text)}`);
  const user = userToken.text.toLowerCase();

  const actionToken = next('an action (read, write, … or a full name like people.read)');
  const word = actionToken.text.toLowerCase();
  const action = VERBS[word] ?? (isAction(word) ? word : undefined);
  if (!action)
    throw new LineProblem(
      actionToken.column,
      `unknown action ${quote(actionToken.text)}: use ${Object.keys(VERBS).join(', ')} or one of ${ACTIONS.join(', ')}`,
    );

  let field: string | null = null;
  let target: Target | null = null;
  const first = tokens[i];
  if (first) {
    if (!PEOPLE_ACTIONS.has(action))
      throw new LineProblem(
        first.column,
        `${action} is not about people: write it without a field or target (found ${quote(first.text)})`,
      );
    if (!TARGET_WORDS.has(first.text.toLowerCase())) {
      i++;
      if (!isPersonField(first.text) && !CUSTOM_FIELD.test(first.text))
        throw new LineProblem(
          first.column,
          `unknown field ${quote(first.text)}: a built-in field (like emails) or custom_fields.KEY`,
        );
      field = first.text;
      const of = next(`"of" after the field ${field}`);
      if (of.text.toLowerCase() !== 'of')
        throw new LineProblem(of.column, `expected "of" after the field ${field}, found ${quote(of.text)}`);
    }
    const kind = next('people in UNIT, person ID or everyone');
    switch (kind.text.toLowerCase()) {
      case 'people': {
        const inToken = next('"in" after "people"');
        if (inToken.text.toLowerCase() !== 'in')
          throw new LineProblem(inToken.column, `expected "in" after "people", found ${quote(inToken.text)}`);
        const unit = next('a unit path like east.oakland');
        if (!UNIT_PATH.test(unit.text))
          throw new LineProblem(
            unit.column,
            `expected a unit path like east.oakland, found ${quote(unit.text)}`,
          );
        target = { kind: 'unit', path: unit.text };
        break;
      }
      case 'person': {
        const id = next("a person's id");
        if (!UUID.test(id.text))
          throw new LineProblem(id.column, `expected a person's id, found ${quote(id.text)}`);
        target = { kind: 'person', id: id.text.toLowerCase() };
        break;
      }
      case 'everyone':
        target = { kind: 'everyone' };
        break;
      default:
        throw new LineProblem(
          kind.column,
          `expected people in UNIT, person ID or everyone, found ${quote(kind.text)}`,
        );
    }
  }
  const extra = tokens[i];
  if (extra) throw new LineProblem(extra.column, `unexpected ${quote(extra.text)} after the expectation`);
  return { line: lineNo, effect, user, action, field, target };
}

/** Parses a whole file; every malformed line is a problem (the well-formed ones are still returned). */
export function parseExpectations(text: string): { expectations: Expectation[]; problems: ParseProblem[] } {
  const expectations: Expectation[] = [];
  const problems: ParseProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    try {
      const parsed = parseLine(line, index + 1);
      if (parsed) expectations.push(parsed);
    } catch (error) {
      if (!(error instanceof LineProblem)) throw error;
      problems.push({ line: index + 1, column: error.column, message: error.message });
    }
  });
  return { expectations, problems };
}

export function formatTarget(target: Target): string {
  switch (target.kind) {
    case 'unit':
      return `people in ${target.path}`;
    case 'person':
      return `person ${target.id}`;
    case 'everyone':
      return 'everyone';
  }
}

/** An expectation as one canonical line, which parses back to it (a field always comes with a target). */
export function formatExpectation(e: Omit<Expectation, 'line'>): string {
  const parts: string[] = [e.effect, e.user, VERB_OF.get(e.action) ?? e.action];
  if (e.field) parts.push(e.field, 'of');
  if (e.target) parts.push(formatTarget(e.target));
  return parts.join(' ');
}
