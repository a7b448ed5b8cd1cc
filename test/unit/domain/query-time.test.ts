// The one time-zone rule for the instants a reader asks about (src/domain/query-time.ts): a bare
// date is the end of that day in the policy's zone; instants are shown as local time with the offset.
import { describe, expect, it } from 'vitest';
import { endOfLocalDay, formatLocalInstant } from '../../../src/domain/quarter.js';
import { readQueryInstant, resolveQueryInstant, resolveQueryTime } from '../../../src/domain/query-time.js';

describe('a bare date asked about is the end of that day in the policy zone', () => {
  it('ends a Shanghai day at 15:59:59.999 UTC, and follows daylight saving time elsewhere', () => {
    expect(resolveQueryInstant('2026-01-01', 'Asia/Shanghai')).toBe('2026-01-01T15:59:59.999Z');
    expect(endOfLocalDay('2026-03-08', 'America/New_York')).toBe('2026-03-09T03:59:59.999Z');
    expect(endOfLocalDay('2026-11-01', 'America/New_York')).toBe('2026-11-02T04:59:59.999Z');
    expect(resolveQueryInstant('2026-12-31', 'UTC')).toBe('2026-12-31T23:59:59.999Z');
  });

  it('keeps a bare date as written when reading it, and an instant canonical', () => {
    expect(readQueryInstant('2026-01-01')).toEqual({ ok: true, value: '2026-01-01' });
    expect(readQueryInstant(' 2026-01-01T23:59:59.999+08:00 ')).toEqual({ ok: true, value: '2026-01-01T15:59:59.999Z' });
    expect(readQueryInstant('2026-02-30')).toMatchObject({ ok: false, problem: expect.stringContaining('February 2026 has 28 days') });
    expect(readQueryInstant('2026-01-01T10:00:00')).toMatchObject({ ok: false, problem: expect.stringContaining('needs its zone') });
  });

  it('resolves both clocks of a query, leaving instants alone', () => {
    expect(resolveQueryTime({ asOf: '2026-01-01', validAt: '2025-06-30T00:00:00.000Z' }, 'Asia/Shanghai')).toEqual({
      asOf: '2026-01-01T15:59:59.999Z',
      validAt: '2025-06-30T00:00:00.000Z',
    });
    const same = { asOf: undefined, validAt: '2025-06-30T00:00:00.000Z' };
    expect(resolveQueryTime(same, 'Asia/Shanghai')).toBe(same);
  });
});

describe('an instant is shown as local time with its offset', () => {
  it('writes the policy zone’s wall clock and offset', () => {
    expect(formatLocalInstant('2026-06-30T16:00:00.000Z', 'Asia/Shanghai')).toBe('2026-07-01 00:00:00 +08:00');
    expect(formatLocalInstant('2026-06-30T16:00:00.123Z', 'America/New_York', true)).toBe('2026-06-30 12:00:00.123 -04:00');
    expect(formatLocalInstant('2026-01-15T05:30:00.000Z', 'Asia/Kolkata')).toBe('2026-01-15 11:00:00 +05:30');
  });
});
