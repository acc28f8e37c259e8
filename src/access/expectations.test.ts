import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, PEOPLE_ACTIONS, PERSON_FIELDS } from '../policy/index.js';
import { type Expectation, formatExpectation, parseExpectations, type Target } from './expectations.js';

const ID = '0193c2a4-5b6c-7d8e-9f01-23456789abcd';

describe('parseExpectations', () => {
  it.each<[string, Omit<Expectation, 'line'>]>([
    [
      'deny  maria@example.org  read  emails  of people in fresno',
      {
        effect: 'deny',
        user: 'maria@example.org',
        action: 'people.read',
        field: 'emails',
        target: { kind: 'unit', path: 'fresno' },
      },
    ],
    [
      'allow Maria@Example.org read given_name of people in east.oakland   # the organizer',
      {
        effect: 'allow',
        user: 'maria@example.org',
        action: 'people.read',
        field: 'given_name',
        target: { kind: 'unit', path: 'east.oakland' },
      },
    ],
    [
      `DENY host@example.org read phones of person ${ID.toUpperCase()}`,
      {
        effect: 'deny',
        user: 'host@example.org',
        action: 'people.read',
        field: 'phones',
        target: { kind: 'person', id: ID },
      },
    ],
    [
      '\tallow maria@example.org write people in east',
      {
        effect: 'allow',
        user: 'maria@example.org',
        action: 'people.write',
        field: null,
        target: { kind: 'unit', path: 'east' },
      },
    ],
    [
      'deny analyst@example.org people.read everyone',
      {
        effect: 'deny',
        user: 'analyst@example.org',
        action: 'people.read',
        field: null,
        target: { kind: 'everyone' },
      },
    ],
    [
      'allow a@example.org message custom_fields.shirt_size of everyone',
      {
        effect: 'allow',
        user: 'a@example.org',
        action: 'person.message',
        field: 'custom_fields.shirt_size',
        target: { kind: 'everyone' },
      },
    ],
    [
      `deny ${ID} access.manage`,
      { effect: 'deny', user: ID, action: 'access.manage', field: null, target: null },
    ],
  ])('reads %j', (line, expected) => {
    const { expectations, problems } = parseExpectations(line);
    expect(problems).toEqual([]);
    expect(expectations).toEqual([{ line: 1, ...expected }]);
  });

  it.each<[string, number, RegExp]>([
    ['permit maria@example.org read emails of everyone', 1, /expected "allow" or "deny", found "permit"/],
    ['deny maria read emails of everyone', 6, /expected a user's email or id, found "maria"/],
    ['deny maria@example.org peek emails of everyone', 24, /unknown action "peek"/],
    ['deny maria@example.org read email of everyone', 29, /unknown field "email"/],
    [
      'deny maria@example.org read emails everyone',
      36,
      /expected "of" after the field emails, found "everyone"/,
    ],
    [
      'deny maria@example.org read emails of',
      38,
      /expected people in UNIT, person ID or everyone here, at the end/,
    ],
    [
      'deny maria@example.org read emails of people at fresno',
      46,
      /expected "in" after "people", found "at"/,
    ],
    ['deny maria@example.org read emails of people in Fresno', 49, /expected a unit path/],
    ['deny maria@example.org read emails of person 42', 46, /expected a person's id, found "42"/],
    [
      'deny maria@example.org read emails of everybody',
      39,
      /expected people in UNIT, person ID or everyone, found "everybody"/,
    ],
    ['deny maria@example.org read everyone please', 38, /unexpected "please" after the expectation/],
    ['deny maria@example.org access.manage of everyone', 38, /access.manage is not about people/],
    ['deny', 5, /expected a user's email or id here, at the end of the line/],
  ])('names the column of what is wrong in %j', (line, column, message) => {
    const { expectations, problems } = parseExpectations(line);
    expect(expectations).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 1, column });
    expect(problems[0]?.message).toMatch(message);
  });

  it('skips blank lines and comments, numbers lines as the file does, and reports every bad line', () => {
    const text = [
      '# Fresno is off limits for the East Bay organizers',
      '',
      'deny maria@example.org read emails of people in fresno',
      '   # indented comment',
      'deny maria@example.org reed emails of people in fresno',
      'allow maria@example.org read given_name of people in east.oakland',
      'allow maria@example.org read',
      'nonsense',
    ].join('\r\n');
    const { expectations, problems } = parseExpectations(text);
    expect(expectations.map((e) => e.line)).toEqual([3, 6, 7]);
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [5, 24],
      [8, 1],
    ]);
  });
});

const userArb = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[a-z0-9._+-]{1,12}$/), fc.stringMatching(/^[a-z0-9-]{1,10}\.[a-z]{2,4}$/))
    .map(([local, domain]) => `${local}@${domain}`),
  fc.uuid().map((u) => u.toLowerCase()),
);
const unitArb = fc
  .array(fc.stringMatching(/^[a-z0-9_]{1,8}$/), { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join('.'));
const targetArb: fc.Arbitrary<Target> = fc.oneof(
  unitArb.map((path) => ({ kind: 'unit' as const, path })),
  fc.uuid().map((id) => ({ kind: 'person' as const, id: id.toLowerCase() })),
  fc.constant({ kind: 'everyone' as const }),
);
const fieldArb = fc.oneof(
  fc.constantFrom(...Object.keys(PERSON_FIELDS)),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/).map((k) => `custom_fields.${k}`),
);
const expectationArb: fc.Arbitrary<Omit<Expectation, 'line'>> = fc.oneof(
  // About people: with or without a target, a field only with a target.
  fc
    .record({
      effect: fc.constantFrom('allow' as const, 'deny' as const),
      user: userArb,
      action: fc.constantFrom(...PEOPLE_ACTIONS),
      target: fc.option(targetArb, { nil: null }),
      field: fc.option(fieldArb, { nil: null }),
    })
    .map((e) => ({ ...e, field: e.target ? e.field : null })),
  // Everything else: no field, no target.
  fc.record({
    effect: fc.constantFrom('allow' as const, 'deny' as const),
    user: userArb,
    action: fc.constantFrom(...ACTIONS.filter((a) => !PEOPLE_ACTIONS.has(a))),
    field: fc.constant(null),
    target: fc.constant(null),
  }),
);

describe('the expectation format (properties)', () => {
  it('reads back every expectation it writes, whatever the spacing and trailing comment', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            e: expectationArb,
            indent: fc.stringMatching(/^[ \t]{0,3}$/),
            gap: fc.stringMatching(/^[ \t]{1,3}$/),
            comment: fc.option(fc.stringMatching(/^[^\r\n]{0,20}$/), { nil: undefined }),
          }),
          { maxLength: 8 },
        ),
        (lines) => {
          const text = lines
            .map(
              ({ e, indent, gap, comment }) =>
                `${indent}${formatExpectation(e).split(' ').join(gap)}${comment === undefined ? '' : ` # ${comment}`}`,
            )
            .join('\n');
          const { expectations, problems } = parseExpectations(text);
          expect(problems).toEqual([]);
          expect(expectations).toEqual(lines.map(({ e }, i) => ({ line: i + 1, ...e })));
        },
      ),
    );
  });

  it('never throws on arbitrary text, and places every problem on a real line and column', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const { expectations, problems } = parseExpectations(text);
        const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
        for (const p of problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lines.length);
          expect(p.column).toBeGreaterThanOrEqual(1);
          expect(p.column).toBeLessThanOrEqual((lines[p.line - 1] as string).length + 1);
        }
        const used = new Set([...expectations.map((e) => e.line), ...problems.map((p) => p.line)]);
        expect(used.size).toBe(expectations.length + problems.length);
      }),
    );
  });

  it('refuses a line with any one token left out, at the first token it cannot read', () => {
    fc.assert(
      fc.property(
        expectationArb.filter((e) => e.target !== null),
        fc.nat(),
        (e, n) => {
          const tokens = formatExpectation(e).split(' ');
          const drop = n % tokens.length;
          const line = tokens.filter((_, i) => i !== drop).join(' ');
          // "allow USER read everyone" without "everyone" is still an expectation (about "at all").
          if (drop === tokens.length - 1 && e.target?.kind === 'everyone' && !e.field) return;
          const { expectations, problems } = parseExpectations(line);
          expect(expectations).toEqual([]);
          expect(problems).toHaveLength(1);
          // Everything before the gap still reads; the problem is where the gap is, or after it.
          const gapColumn = tokens.slice(0, drop).join(' ').length + (drop > 0 ? 2 : 1);
          expect(problems[0]?.column).toBeGreaterThanOrEqual(Math.min(gapColumn, line.length + 1));
        },
      ),
    );
  });
});
