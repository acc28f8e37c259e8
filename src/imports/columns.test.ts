import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { describeTarget, planColumns } from './columns.js';
import { sniffBytes, sniffDelimiter } from './csv-source.js';
import { countryCode, parseDate, rowMapper } from './row-mapper.js';

const fieldsOf = (header: string[], mapping: Record<string, string> = {}, custom: string[] = []) =>
  Object.fromEntries(
    planColumns(header, mapping, new Set(custom)).columns.map((c) => [c.column, describeTarget(c.target)]),
  );

describe('delimiter and encoding sniffing', () => {
  it('picks the delimiter that splits the header line, ignoring quoted ones', () => {
    expect(sniffDelimiter('first,last,email\n')).toBe(',');
    expect(sniffDelimiter('first;last;"a,b"\n')).toBe(';');
    expect(sniffDelimiter('first\tlast\t"x;y;z"\r\n1,2,3,4,5')).toBe('\t');
    expect(sniffDelimiter('email')).toBe(',');
  });

  it('reads valid UTF-8 as UTF-8 and anything else as Windows-1252', () => {
    expect(sniffBytes(Buffer.from('\uFEFFnom;prénom\n', 'utf8'), true)).toEqual({
      delimiter: ';',
      encoding: 'utf-8',
    });
    expect(sniffBytes(Buffer.from('nom,pr\xe9nom\n', 'latin1'), true).encoding).toBe('windows-1252');
  });

  it('refuses UTF-16 with a message saying what to do', () => {
    expect(() => sniffBytes(Buffer.from([0xff, 0xfe, 0x61, 0]), true)).toThrow(/UTF-16.*UTF-8/);
  });
});

describe('header detection', () => {
  it('understands the OSDI sample headers, with DoB as the day next to YoB and MoB', () => {
    const header = [
      'Household ID',
      'Last',
      'First',
      'Middle',
      'YoB',
      'MoB',
      'DoB',
      'Address',
      'City',
      'State',
      'Zip',
      'Email',
    ];
    const plan = planColumns(header, {}, new Set());
    expect(fieldsOf(header)).toEqual({
      Last: 'family_name',
      First: 'given_name',
      Middle: 'additional_name',
      YoB: 'birth_year',
      MoB: 'birth_month',
      DoB: 'birth_day',
      Address: 'address_line',
      City: 'locality',
      State: 'region',
      Zip: 'postal_code',
      Email: 'email',
    });
    // Shared by a household, so never taken as a person identifier.
    expect(plan.unmapped).toEqual(['Household ID']);
  });

  it('reads DOB alone as the date of birth, and common spellings case-insensitively', () => {
    expect(
      fieldsOf([
        'FIRST NAME',
        'Surname',
        'E-mail Address',
        'Cell Phone',
        'Postal Code',
        'DOB',
        'Province',
        'VAN ID',
      ]),
    ).toEqual({
      'FIRST NAME': 'given_name',
      Surname: 'family_name',
      'E-mail Address': 'email',
      'Cell Phone': 'mobile_phone',
      'Postal Code': 'postal_code',
      DOB: 'birthdate',
      Province: 'region',
      'VAN ID': 'identifier:van',
    });
  });

  it('maps columns named after custom fields by key, and field:KEY headers', () => {
    expect(fieldsOf(['Email', 'Shirt Size', 'field:skills', 'Notes'], {}, ['shirt_size', 'skills'])).toEqual({
      Email: 'email',
      'Shirt Size': 'field:shirt_size',
      'field:skills': 'field:skills',
    });
  });

  it('lets an explicit mapping override detection and skip columns', () => {
    const plan = planColumns(
      ['Household ID', 'Email', 'Name'],
      { 'household id': 'identifier:household', Name: 'ignore', Email: 'work phone' },
      new Set(),
    );
    expect(plan.columns.map((c) => [c.column, describeTarget(c.target)])).toEqual([
      ['Household ID', 'identifier:household'],
      ['Email', 'work_phone'],
    ]);
    expect(plan.unmapped).toEqual([]);
  });

  it('names an unknown column or field in the mapping', () => {
    const attempt = (mapping: Record<string, string>) => {
      try {
        planColumns(['Email', 'Zip'], mapping, new Set(['skills']));
      } catch (error) {
        return error as AppError;
      }
      throw new Error('no error');
    };
    expect(attempt({ Phone: 'phone' }).message).toMatch(/no column "Phone".*"Email", "Zip"/);
    expect(attempt({ Zip: 'zipcodez' }).message).toMatch(/column "Zip": "zipcodez" is not a field/);
    expect(attempt({ Zip: 'field:shoe' }).message).toMatch(/"field:shoe" names no custom field/);
    expect(attempt({ Zip: 'field:shoe' })).toBeInstanceOf(AppError);
  });
});

describe('row mapping', () => {
  const header = [
    'First',
    'Last',
    'Email',
    'Phone',
    'YoB',
    'MoB',
    'DoB',
    'Address',
    'City',
    'State',
    'Zip',
    'Country',
    'Tags',
  ];
  const map = rowMapper(planColumns(header, {}, new Set()));
  const row = (values: Partial<Record<string, string>>) => header.map((h) => values[h] ?? '');

  it('builds a normalized person from a good row', () => {
    const result = map(
      row({
        First: ' Ana ',
        Last: 'Lima',
        Email: 'ANA@Example.org; ana2@example.org',
        Phone: '(510) 555-0142',
        YoB: '1980',
        MoB: '2',
        DoB: '29',
        Address: '1 Main St',
        City: 'Oakland',
        State: 'CA',
        Zip: '94607',
        Country: 'United States',
        Tags: 'volunteer, donor;volunteer',
      }),
    );
    expect(result).toMatchObject({
      kind: 'person',
      input: {
        given_name: 'Ana',
        family_name: 'Lima',
        birthdate: '1980-02-29',
        emails: [{ address: 'ana@example.org' }, { address: 'ana2@example.org' }],
        phones: [{ number: '+15105550142' }],
        addresses: [
          { lines: ['1 Main St'], locality: 'Oakland', region: 'CA', postal_code: '94607', country: 'US' },
        ],
        tags: ['volunteer', 'donor'],
      },
    });
  });

  it('rejects a bad email even when the name is good, naming the field and column', () => {
    expect(map(row({ First: 'Ana', Email: 'ana@' }))).toEqual({
      kind: 'reject',
      reason: 'email: "ana@" is not a valid email address (column "Email")',
    });
  });

  it('rejects impossible dates, partial birth parts, bad phones and unknown countries', () => {
    expect(map(row({ First: 'A', YoB: '1981', MoB: '2', DoB: '29' }))).toMatchObject({
      kind: 'reject',
      reason: expect.stringMatching(/^birthdate: year 1981, month 2, day 29 is not a valid date/),
    });
    expect(map(row({ First: 'A', YoB: '1981' }))).toMatchObject({
      reason: expect.stringMatching(/^birthdate: the birth month and day is missing/),
    });
    expect(map(row({ First: 'A', Phone: '12' }))).toMatchObject({
      reason: 'phone: "12" is not a valid phone number (column "Phone")',
    });
    expect(map(row({ First: 'A', Country: 'Atlantis' }))).toMatchObject({
      reason: expect.stringMatching(/^country: "Atlantis"/),
    });
  });

  it('rejects a row with nobody in it, and one with a wrong number of fields; skips blank rows', () => {
    expect(map(row({ City: 'Oakland' }))).toEqual({
      kind: 'reject',
      reason: 'no name, email, phone or identifier: nothing to import',
    });
    expect(map(['Ana', 'Lima'])).toEqual({ kind: 'reject', reason: 'row has 2 fields; the header has 13' });
    expect(map([...row({ First: 'Ana' }), '', ''])).toMatchObject({ kind: 'person' });
    expect(map([...row({ First: 'Ana' }), 'x'])).toMatchObject({ kind: 'reject' });
    expect(map(row({}))).toEqual({ kind: 'blank' });
  });

  it('rejects text longer than a field allows, naming the field', () => {
    expect(map(row({ Zip: '1'.repeat(30), First: 'A' }))).toMatchObject({
      kind: 'reject',
      reason: 'postal_code: longer than 20 characters (column "Zip")',
    });
  });

  it('splits a full name column into given and family names', () => {
    const byName = rowMapper(planColumns(['Name', 'Email'], {}, new Set()));
    expect(byName(['Mary Ann Smith', ''])).toMatchObject({
      input: { given_name: 'Mary Ann', family_name: 'Smith' },
    });
  });

  it('accepts only what the PersonInput schema accepts, unchanged, without parsing each row with zod', () => {
    const checked = rowMapper(planColumns(header, {}, new Set()), { validate: 'zod' });
    const value = fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        'Ana',
        'ana@example.org',
        'x@',
        '510-555-0142',
        '+442079460000',
        '12',
        'US',
        'Germany',
      ),
      fc.constantFrom('1980', '2', '29', '1990-01-31', '7/4/1990', 'a;b', 'east', 'East!', 'x'.repeat(25)),
      fc.string({ maxLength: 210 }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: header.length, maxLength: header.length }), (fields) => {
        const fast = map(fields);
        const slow = checked(fields);
        expect(fast.kind).toBe(slow.kind);
        if (fast.kind === 'person' && slow.kind === 'person') expect(fast.input).toEqual(slow.input);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, whatever the fields hold', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 0, maxLength: 16 }), (fields) => {
        const result = map(fields);
        expect(['person', 'reject', 'blank']).toContain(result.kind);
      }),
    );
  });
});

describe('dates and countries', () => {
  it('reads ISO, year-first slashes and US month/day/year', () => {
    expect(parseDate('1990-07-04')).toBe('1990-07-04');
    expect(parseDate('1990/7/4')).toBe('1990-07-04');
    expect(parseDate('7/4/1990')).toBe('1990-07-04');
    expect(parseDate('1990-07-04T00:00:00Z')).toBe('1990-07-04');
    expect(parseDate('31/12/1990')).toBeNull();
    expect(parseDate('3000-01-01')).toBeNull();
  });

  it('turns country names and codes into ISO codes', () => {
    expect(countryCode('usa')).toBe('US');
    expect(countryCode('Germany')).toBe('DE');
    expect(countryCode('mx')).toBe('MX');
    expect(countryCode('Narnia')).toBeUndefined();
  });
});
