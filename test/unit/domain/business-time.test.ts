// occurredAtProblem (src/domain/business-time.ts): the range of business time the policy admits.
import { describe, expect, it } from 'vitest';
import { earliestOccurredAt, latestOccurredAt, occurredAtProblem } from '../../../src/domain/business-time.js';
import { defaultPolicy, loadPolicy } from '../../../src/domain/policy.js';

const NOW = '2026-07-01T00:00:00.000Z';

describe('occurredAtProblem under the default policy (from 2000-01-01 in Asia/Shanghai, 60 s of clock skew)', () => {
  it('reads the limits of the default policy', () => {
    expect(defaultPolicy.limits).toEqual({ maxAmountFen: 100_000_000_000, earliestOccurredAt: '2000-01-01', futureSkewMs: 60_000 });
    expect(earliestOccurredAt(defaultPolicy)).toBe('1999-12-31T16:00:00.000Z');
    expect(latestOccurredAt(defaultPolicy, NOW)).toBe('2026-07-01T00:01:00.000Z');
  });

  it('admits every instant from the earliest date’s local midnight to now plus the skew, both included', () => {
    for (const at of ['1999-12-31T16:00:00.000Z', '2000-01-01T00:00:00+08:00', '2000-01-01', '2025-03-10T02:00:00Z', NOW, '2026-07-01T00:01:00.000Z']) {
      expect(occurredAtProblem(at, defaultPolicy, NOW), at).toBeNull();
    }
  });

  it('refuses an instant before the earliest date in the policy’s zone, naming the date and the zone', () => {
    expect(occurredAtProblem('1999-12-31T15:59:59.999Z', defaultPolicy, NOW)).toBe(
      "must not be before 2000-01-01 in Asia/Shanghai (1999-12-31T16:00:00.000Z), the policy's earliest business date; got 1999-12-31T15:59:59.999Z",
    );
    expect(occurredAtProblem('1026-03-01T00:00:00Z', defaultPolicy, NOW)).toMatch(/^must not be before 2000-01-01 in Asia\/Shanghai/);
    expect(occurredAtProblem('1000-01-01T00:00:00Z', defaultPolicy, NOW)).toMatch(/^must not be before/);
  });

  it('refuses an instant more than the skew past now', () => {
    expect(occurredAtProblem('2026-07-01T00:01:00.001Z', defaultPolicy, NOW)).toBe('must not be in the future');
    expect(occurredAtProblem('2026-07-02T00:00:00Z', defaultPolicy, NOW)).toBe('must not be in the future');
    expect(occurredAtProblem('9999-12-31T23:59:59.999Z', defaultPolicy, NOW)).toBe('must not be in the future');
  });

  it('refuses text that is not a calendar instant with the reader’s own reason', () => {
    expect(occurredAtProblem('2026-06-31T00:00:00Z', defaultPolicy, NOW)).toContain('June 2026 has 30 days');
    expect(occurredAtProblem('0000-01-01T00:00:00Z', defaultPolicy, NOW)).toContain('year 0 is outside 1000–9999');
    expect(occurredAtProblem('2026-01-01T24:00:00Z', defaultPolicy, NOW)).toContain('hour 24');
    expect(occurredAtProblem('2026-01-01T00:00:00', defaultPolicy, NOW)).toContain('needs its zone');
  });
});

describe('occurredAtProblem under a company’s own limits', () => {
  const policyWith = (timeZone: string, earliest: string, futureSkewMs: number) =>
    loadPolicy({ ...structuredClone(defaultPolicy), timeZone, limits: { ...defaultPolicy.limits, earliestOccurredAt: earliest, futureSkewMs } });

  it('takes the earliest date at midnight in the policy’s zone, whatever the offset', () => {
    const newYork = policyWith('America/New_York', '1990-07-01', 0);
    expect(earliestOccurredAt(newYork)).toBe('1990-07-01T04:00:00.000Z');
    expect(occurredAtProblem('1990-07-01T03:59:59.999Z', newYork, NOW)).toMatch(/^must not be before 1990-07-01 in America\/New_York \(1990-07-01T04:00:00\.000Z\)/);
    expect(occurredAtProblem('1990-07-01T04:00:00.000Z', newYork, NOW)).toBeNull();
    const utc = policyWith('UTC', '2010-01-01', 0);
    expect(earliestOccurredAt(utc)).toBe('2010-01-01T00:00:00.000Z');
  });

  it('with no skew refuses even a millisecond past now', () => {
    const strict = policyWith('UTC', '2000-01-01', 0);
    expect(occurredAtProblem(NOW, strict, NOW)).toBeNull();
    expect(occurredAtProblem('2026-07-01T00:00:00.001Z', strict, NOW)).toBe('must not be in the future');
  });

  it('refuses a policy whose earliest date is not a calendar date', () => {
    expect(() => policyWith('UTC', '2000-02-30', 0)).toThrow(/limits\.earliestOccurredAt/);
  });
});
