import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { parseFilter } from './osdi.filter.js';

describe('OSDI filters', () => {
  it('reads the forms the spec uses', () => {
    expect(parseFilter("modified_date gt '2014-03-20'")).toEqual([
      { field: 'modified_date', op: 'gt', value: new Date('2014-03-20T00:00:00Z') },
    ]);
    expect(
      parseFilter("modified_date gt '2014-03-20T21:04:31Z' and modified_date lt '2015-01-01'"),
    ).toHaveLength(2);
    expect(parseFilter("email_address eq 'Ann@Example.org'")).toEqual([
      { field: 'email_address', op: 'eq', value: 'ann@example.org' },
    ]);
    expect(parseFilter("created_date eq '2020-01-02'")[0]).toMatchObject({ field: 'created_date', op: 'eq' });
    expect(parseFilter("email_address eq 'o''brien@example.org'")[0]).toMatchObject({
      value: "o'brien@example.org",
    });
  });

  it.each([
    ["family_name eq 'x'", 'expected one of'],
    ["modified_date after '2014-03-20'", 'expected an operator'],
    ['modified_date gt 2014', 'expected a quoted value'],
    ["modified_date gt 'yesterday'", 'is not a date'],
    ["email_address gt 'a@b.org'", 'only be compared with eq'],
    ["modified_date gt '2014-03-20' or created_date lt '2015-01-01'", 'expected "and"'],
    ["modified_date gt '2014-03-20", 'never closed'],
    ['', 'is empty'],
  ])('refuses %s, naming the filter', (input, message) => {
    try {
      parseFilter(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).fields[0]?.field).toBe('filter');
      expect((error as AppError).message).toContain(message);
    }
  });

  it('never fails with anything but a validation error, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^(modified_date|email_address|and|eq|gt|'[^']*'| )+$/)),
        (input) => {
          try {
            parseFilter(input);
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
            expect((error as AppError).code).toBe('validation_failed');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips any date condition it writes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('modified_date', 'created_date'),
        fc.constantFrom('eq', 'gt', 'lt', 'ge', 'le'),
        fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (field, op, date) => {
          const iso = `${date.toISOString().slice(0, 19)}Z`;
          expect(parseFilter(`${field} ${op} '${iso}'`)).toEqual([{ field, op, value: new Date(iso) }]);
        },
      ),
    );
  });

  it('round-trips any quoted email value and any chain of conditions joined by and', () => {
    const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              field: fc.constant('email_address' as const),
              op: fc.constant('eq' as const),
              value: fc.string({ minLength: 1, maxLength: 40 }),
            }),
            fc.record({
              field: fc.constantFrom('modified_date' as const, 'created_date' as const),
              op: fc.constantFrom('eq' as const, 'gt' as const, 'lt' as const, 'ge' as const, 'le' as const),
              value: fc.date({
                min: new Date('1990-01-01'),
                max: new Date('2100-01-01'),
                noInvalidDate: true,
              }),
            }),
          ),
          { minLength: 1, maxLength: 10 },
        ),
        (conditions) => {
          const text = conditions
            .map((c) =>
              c.field === 'email_address'
                ? `${c.field} ${c.op} ${quote(c.value)}`
                : `${c.field} ${c.op} ${quote(`${c.value.toISOString().slice(0, 19)}Z`)}`,
            )
            .join(' and ');
          const parsed = parseFilter(text);
          expect(parsed).toHaveLength(conditions.length);
          parsed.forEach((p, i) => {
            const c = conditions[i];
            if (!c) throw new Error('length checked above');
            expect(p.field).toBe(c.field);
            expect(p.op).toBe(c.op);
            if (c.field === 'email_address') expect(p.value).toBe(c.value.trim().toLowerCase());
            else expect(p.value).toEqual(new Date(`${c.value.toISOString().slice(0, 19)}Z`));
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
