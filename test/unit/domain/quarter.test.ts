// Quarters (src/domain/quarter.ts) for every instant the log may hold: years 1000–9999 as the
// strict reader admits them, their neighbours 0999 and 10000 in a zone off UTC, and older
// instants a log written before dates were checked may carry (year 0000 and 0050).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareQuarters,
  nextQuarter,
  parseQuarter,
  previousQuarter,
  quarterEnd,
  quarterOf,
  quarterStart,
  startOfLocalDay,
} from '../../../src/domain/quarter.js';

const ZONES = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kolkata', 'America/Santiago', 'Europe/London'];

describe('quarters at the edges of the calendar', () => {
  it('names the quarter of a signing in year 1026 and of the first and last instants of 1000–9999', () => {
    expect(quarterOf('1026-03-01T00:00:00.000Z', 'Asia/Shanghai')).toBe('1026-Q1');
    expect(quarterOf('1000-01-01T00:00:00.000Z', 'Asia/Shanghai')).toBe('1000-Q1');
    expect(quarterOf('1000-01-01T00:00:00.000Z', 'America/New_York')).toBe('0999-Q4');
    expect(quarterOf('9999-12-31T23:59:59.999Z', 'UTC')).toBe('9999-Q4');
    expect(quarterOf('9999-12-31T23:59:59.999Z', 'Asia/Shanghai')).toBe('10000-Q1');
    expect(quarterOf('0050-06-01T00:00:00.000Z', 'UTC')).toBe('0050-Q2');
    expect(quarterOf('0000-01-01T00:00:00.000Z', 'UTC')).toBe('0000-Q1');
    expect(quarterOf('0000-01-01T00:00:00.000Z', 'America/New_York')).toBe('-0001-Q4');
  });

  it('starts and ends those quarters where the local calendar does (local mean time before zones existed)', () => {
    // Shanghai kept local mean time, +08:05:43, until 1901.
    expect(quarterStart('1026-Q1', 'Asia/Shanghai')).toBe('1025-12-31T15:54:17.000Z');
    expect(quarterEnd('1026-Q1', 'Asia/Shanghai')).toBe('1026-03-31T15:54:16.999Z');
    expect(quarterStart('0050-Q2', 'UTC')).toBe('0050-04-01T00:00:00.000Z');
    expect(quarterStart('10000-Q1', 'UTC')).toBe('+010000-01-01T00:00:00.000Z');
    expect(quarterStart('0000-Q1', 'UTC')).toBe('0000-01-01T00:00:00.000Z');
    expect(quarterStart('-0001-Q4', 'UTC')).toBe('-000001-10-01T00:00:00.000Z');
  });

  it('counts quarters across year 0, 999/1000 and 9999/10000, and compares them as numbers', () => {
    expect(nextQuarter('0999-Q4')).toBe('1000-Q1');
    expect(nextQuarter('9999-Q4')).toBe('10000-Q1');
    expect(nextQuarter('-0001-Q4')).toBe('0000-Q1');
    expect(previousQuarter('1000-Q1')).toBe('0999-Q4');
    expect(previousQuarter('10000-Q1')).toBe('9999-Q4');
    expect(previousQuarter('0000-Q1')).toBe('-0001-Q4');
    expect(previousQuarter('2026-Q3')).toBe('2026-Q2');
    expect(compareQuarters('9999-Q4', '10000-Q1')).toBe(-1);
    expect(compareQuarters('0999-Q4', '1000-Q1')).toBe(-1);
    expect(compareQuarters('-0001-Q4', '0000-Q1')).toBe(-1);
    expect(compareQuarters('2026-Q3', '2026-Q3')).toBe(0);
    expect(compareQuarters('2027-Q1', '2026-Q4')).toBe(1);
    expect(parseQuarter('10000-Q1')).toEqual({ year: 10_000, q: 1 });
    expect(() => parseQuarter('999-Q4')).toThrow(RangeError);
    expect(() => parseQuarter('2026-Q5')).toThrow(RangeError);
  });

  it('puts every instant of years 1000–9999 inside its quarter, in every zone', () => {
    const min = Date.UTC(1000, 0, 1);
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min, max }), fc.constantFrom(...ZONES), (ms, zone) => {
        const at = new Date(ms).toISOString();
        const quarter = quarterOf(at, zone);
        expect(Date.parse(quarterStart(quarter, zone))).toBeLessThanOrEqual(ms);
        expect(Date.parse(quarterEnd(quarter, zone))).toBeGreaterThanOrEqual(ms);
        expect(quarterOf(quarterStart(quarter, zone), zone)).toBe(quarter);
        expect(quarterOf(quarterEnd(quarter, zone), zone)).toBe(quarter);
        expect(previousQuarter(nextQuarter(quarter))).toBe(quarter);
      }),
      { numRuns: 300 },
    );
  });
});

describe('startOfLocalDay', () => {
  it('is the local midnight of a date in the zone', () => {
    expect(startOfLocalDay('2000-01-01', 'Asia/Shanghai')).toBe('1999-12-31T16:00:00.000Z');
    expect(startOfLocalDay('2026-07-01', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z');
    expect(startOfLocalDay('2026-01-15', 'UTC')).toBe('2026-01-15T00:00:00.000Z');
    expect(startOfLocalDay('2026-03-09', 'Asia/Kolkata')).toBe('2026-03-08T18:30:00.000Z');
  });

  it('is the first instant of a day whose midnight the zone skips', () => {
    // Chile moved its clocks from 00:00 to 01:00 on 2022-09-11: the day starts at 01:00 (-03:00).
    expect(startOfLocalDay('2022-09-11', 'America/Santiago')).toBe('2022-09-11T04:00:00.000Z');
  });

  it('refuses what is not a date', () => {
    expect(() => startOfLocalDay('2026-7-1', 'UTC')).toThrow(RangeError);
  });
});
