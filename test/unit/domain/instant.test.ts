// readInstant (src/domain/instant.ts): the one strict reader of instants users type.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth, isCalendarDate, readInstant } from '../../../src/domain/instant.js';
import { canonicalInstant } from '../../../projections/cut.js';

const iso = (text: string): string => {
  const reading = readInstant(text);
  if (!reading.ok) throw new Error(`expected "${text}" to read, got: ${reading.problem}`);
  return reading.iso;
};
const problem = (text: string): string => {
  const reading = readInstant(text);
  if (reading.ok) throw new Error(`expected "${text}" to be refused, got ${reading.iso}`);
  return reading.problem;
};

describe('readInstant accepts real instants and makes them canonical', () => {
  it('reads Z, offsets, fractions and a bare date (its UTC midnight)', () => {
    expect(iso('2026-07-01T00:00:00Z')).toBe('2026-07-01T00:00:00.000Z');
    expect(iso('2026-07-01T08:00:00+08:00')).toBe('2026-07-01T00:00:00.000Z');
    expect(iso('2026-06-30T19:30:00-04:30')).toBe('2026-07-01T00:00:00.000Z');
    expect(iso('2026-07-01T00:00:00.5Z')).toBe('2026-07-01T00:00:00.500Z');
    expect(iso('2026-07-01T00:00:00.05Z')).toBe('2026-07-01T00:00:00.050Z');
    expect(iso('2026-07-01T23:59:59.999Z')).toBe('2026-07-01T23:59:59.999Z');
    expect(iso('2026-07-01')).toBe('2026-07-01T00:00:00.000Z');
    expect(iso('  2026-07-01T00:00:00Z\n')).toBe('2026-07-01T00:00:00.000Z');
  });

  it('knows the last day of every month, leap years included', () => {
    expect(iso('2024-02-29T12:00:00Z')).toBe('2024-02-29T12:00:00.000Z');
    expect(iso('2000-02-29')).toBe('2000-02-29T00:00:00.000Z');
    expect(iso('2026-04-30T00:00:00Z')).toBe('2026-04-30T00:00:00.000Z');
    expect(iso('2026-12-31T23:59:59Z')).toBe('2026-12-31T23:59:59.000Z');
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2026, m))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect([1900, 2000, 2024, 2100].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 29, 28]);
  });

  it('keeps years 1000–9999, in the text and in UTC', () => {
    expect(iso('1000-01-01T00:00:00Z')).toBe('1000-01-01T00:00:00.000Z');
    expect(iso('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
    expect(iso('1026-03-01T00:00:00+08:00')).toBe('1026-02-28T16:00:00.000Z');
  });

  it('round-trips every canonical instant of years 1000–9999', () => {
    const min = Date.UTC(1000, 0, 1);
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min, max }), (ms) => {
        const canonical = new Date(ms).toISOString();
        expect(iso(canonical)).toBe(canonical);
        expect(iso(canonical.replace('.000Z', 'Z'))).toBe(canonical);
      }),
    );
  });
});

describe('readInstant refuses what is not a calendar instant, saying why', () => {
  it('refuses days that do not exist instead of rolling them into the next month', () => {
    expect(problem('2026-06-31T00:00:00Z')).toContain('June 2026 has 30 days, not a day 31');
    expect(problem('2026-02-30')).toContain('February 2026 has 28 days, not a day 30');
    expect(problem('2026-02-29T00:00:00Z')).toContain('February 2026 has 28 days');
    expect(problem('2100-02-29T00:00:00Z')).toContain('February 2100 has 28 days');
    expect(problem('2026-04-31T00:00:00Z')).toContain('April 2026 has 30 days');
    expect(problem('2026-01-00T00:00:00Z')).toContain('not a day 0');
    expect(problem('2026-13-01T00:00:00Z')).toContain('there is no month 13');
    expect(problem('2026-00-10')).toContain('there is no month 0');
  });

  it('refuses times of day that do not exist: 24:00, minute 60, a leap second', () => {
    expect(problem('2026-01-01T24:00:00Z')).toContain('hour 24 is outside 00–23');
    expect(problem('2026-01-01T23:60:00Z')).toContain('minute 60 is outside 00–59');
    expect(problem('2026-12-31T23:59:60Z')).toContain('second 60 is outside 00–59');
    expect(problem('2026-01-01T00:00:00+24:00')).toContain('offset');
    expect(problem('2026-01-01T00:00:00+05:60')).toContain('offset');
  });

  it('refuses years outside 1000–9999, in the text or once in UTC', () => {
    expect(problem('0000-01-01T00:00:00Z')).toContain('year 0 is outside 1000–9999');
    expect(problem('0999-12-31')).toContain('year 999 is outside 1000–9999');
    expect(problem('1000-01-01T00:00:00+00:01')).toContain('0999-12-31T23:59:00.000Z in UTC');
    expect(problem('9999-12-31T23:59:59-00:01')).toContain('outside the years 1000–9999');
    expect(problem('+010000-01-01T00:00:00Z')).toContain('must be an ISO-8601 instant');
    expect(problem('-000001-01-01T00:00:00Z')).toContain('must be an ISO-8601 instant');
  });

  it('refuses a date-time without its zone, saying a zone is needed', () => {
    for (const text of ['2026-07-01T00:00:00', '2026-07-01T00:00', '2026-07-01T00:00:00.123']) {
      expect(problem(text)).toContain('a date-time needs its zone');
    }
  });

  it('refuses other shapes and garbage', () => {
    for (const text of ['', 'yesterday', '2026-7-1', '20260701', '2026-07-01 00:00:00Z', '2026-07-01t00:00:00z', '2026-07-01T00:00Z', '2026-07-01T00:00:00.1234Z', '2026-07-01T00:00:00+0800', '1782864000000']) {
      expect(problem(text), text).toMatch(/^must be an ISO-8601 instant like 2026-07-01T00:00:00Z/);
    }
    expect(problem('x'.repeat(500)).length).toBeLessThan(250);
  });
});

describe('canonicalInstant (projections/cut.ts) uses the same reader', () => {
  it('names the field in its RangeError', () => {
    expect(canonicalInstant('2026-07-01T08:00:00+08:00', 'asOf')).toBe('2026-07-01T00:00:00.000Z');
    expect(() => canonicalInstant('2026-02-30', 'asOf')).toThrow(new RangeError('asOf is not a calendar date: February 2026 has 28 days, not a day 30 (got "2026-02-30")'));
    expect(() => canonicalInstant('soon', 'validAt')).toThrow(/^validAt must be an ISO-8601 instant/);
  });
});

describe('isCalendarDate', () => {
  it('checks a YYYY-MM-DD date against the calendar', () => {
    expect(isCalendarDate('2000-01-01')).toBe(true);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-06-31')).toBe(false);
    expect(isCalendarDate('2026-06-30T00:00:00Z')).toBe(false);
  });
});
