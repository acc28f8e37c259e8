import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { addressKey, normalizeBirthdate, normalizeEmail, normalizePhone } from './normalize.js';

describe('normalizePhone', () => {
  it.each([
    ['(510) 555-0134', '+15105550134'],
    ['510.555.0134', '+15105550134'],
    ['1-510-555-0134', '+15105550134'],
    ['+1 510 555 0134', '+15105550134'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+33 1 42 68 53 00', '+33142685300'],
  ])('reads %s as %s', (raw, e164) => {
    expect(normalizePhone(raw)).toBe(e164);
  });

  it.each(['12', 'call me', '(010) 555-0134', '+1 510 055 0134', ''])('rejects %s', (raw) => {
    expect(normalizePhone(raw)).toBeNull();
  });

  it('agrees with libphonenumber on every ten-digit North American number', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{10}$/),
        fc.constantFrom('', '1', '+1 ', '(', '1-'),
        (digits, prefix) => {
          const raw =
            prefix === '('
              ? `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`
              : `${prefix}${digits}`;
          const reference = parsePhoneNumberFromString(raw, 'US');
          const expected =
            reference?.isPossible() && /^[2-9]\d{2}[2-9]/.test(digits) ? reference.number : null;
          expect(normalizePhone(raw)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('normalizeEmail', () => {
  it('lower-cases and trims, and rejects what cannot be an address', () => {
    expect(normalizeEmail('  Maria@Example.ORG ')).toBe('maria@example.org');
    for (const bad of ['maria', 'maria@', '@example.org', 'maria@example', 'ma ria@example.org', 'a@b.c']) {
      expect(normalizeEmail(bad), bad).toBeNull();
    }
  });
});

describe('normalizeBirthdate', () => {
  it('accepts real past dates only', () => {
    const today = new Date('2026-11-24T00:00:00Z');
    expect(normalizeBirthdate('1976-2-3', today)).toBe('1976-02-03');
    expect(normalizeBirthdate('2001-02-29', today)).toBeNull();
    expect(normalizeBirthdate('2030-01-01', today)).toBeNull();
    expect(normalizeBirthdate('1850-01-01', today)).toBeNull();
    expect(normalizeBirthdate('03/02/1976', today)).toBeNull();
  });
});

describe('addressKey', () => {
  it('treats spelling variants of spacing and case as one address', () => {
    expect(addressKey({ lines: ['12  Oak St '], locality: 'OAKLAND', postal_code: '94607' })).toBe(
      addressKey({ lines: ['12 oak st'], locality: 'Oakland', postal_code: '94607' }),
    );
  });
});
