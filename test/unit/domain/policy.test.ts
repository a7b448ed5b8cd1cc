import { describe, expect, it } from 'vitest';
import {
  commissionRateBps,
  defaultPolicy,
  depositRequiredFen,
  depositShortfallFen,
  loadPolicy,
  PolicyError,
  tierForSignedCount,
} from '../../../src/domain/policy.js';
import { compareQuarters, nextQuarter, quarterEnd, quarterOf, quarterStart } from '../../../src/domain/quarter.js';

describe('the default policy', () => {
  it('carries the programme numbers', () => {
    expect(defaultPolicy.timeZone).toBe('Asia/Shanghai');
    expect(defaultPolicy.rounding).toBe('half-away-from-zero');
    expect(commissionRateBps(defaultPolicy, 'port', 'gold', 1)).toBe(4000);
    expect(commissionRateBps(defaultPolicy, 'port', 'silver', 1)).toBe(3000);
    expect(commissionRateBps(defaultPolicy, 'port', 'standard', 1)).toBe(2000);
    expect(commissionRateBps(defaultPolicy, 'port', 'gold', 2)).toBe(1000);
    expect(commissionRateBps(defaultPolicy, 'conference', 'standard', 2)).toBe(1000);
    expect(commissionRateBps(defaultPolicy, 'port', 'gold', 3)).toBeNull();
  });

  it('requires deposits per tier and the wholesale-voice minimum', () => {
    expect(depositRequiredFen(defaultPolicy, 'gold', 'relationship')).toBe(9_000_000);
    expect(depositRequiredFen(defaultPolicy, 'silver', 'relationship')).toBe(4_000_000);
    expect(depositRequiredFen(defaultPolicy, 'standard', 'development')).toBe(500_000);
    expect(depositRequiredFen(defaultPolicy, 'standard', 'wholesale-voice')).toBe(10_000_000);
    expect(depositShortfallFen(defaultPolicy, 'silver', 'relationship', 1_000_000)).toBe(3_000_000);
    expect(depositShortfallFen(defaultPolicy, 'silver', 'relationship', 5_000_000)).toBe(0);
  });

  it('evaluates tiers by newly signed customers: ≥10 gold, ≥5 silver, else standard', () => {
    expect(tierForSignedCount(defaultPolicy, 10)).toBe('gold');
    expect(tierForSignedCount(defaultPolicy, 9)).toBe('silver');
    expect(tierForSignedCount(defaultPolicy, 5)).toBe('silver');
    expect(tierForSignedCount(defaultPolicy, 4)).toBe('standard');
  });
});

describe('loadPolicy', () => {
  it('refuses an invalid policy naming every problem', () => {
    const bad = structuredClone(defaultPolicy) as Record<string, unknown>;
    bad.timeZone = 'Mars/Olympus';
    (bad.deposits as { byTierFen: Record<string, number> }).byTierFen = { gold: 1 };
    (bad.tierEvaluation as { otherwise: string }).otherwise = 'bronze';
    try {
      loadPolicy(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      const problems = (e as PolicyError).problems.join('\n');
      expect(problems).toContain('timeZone');
      expect(problems).toContain('deposits.byTierFen.silver: missing');
      expect(problems).toContain('deposits.byTierFen.standard: missing');
      expect(problems).toContain('tierEvaluation.otherwise: unknown tier "bronze"');
    }
  });

  it('refuses a fractional rate and a missing version in one answer', () => {
    const bad = structuredClone(defaultPolicy) as Record<string, unknown>;
    delete bad.version;
    (bad.commission as { ratesBps: Record<string, Record<string, number[]>> }).ratesBps.port!.gold = [40.5, 1000];
    expect(() => loadPolicy(bad)).toThrowError(/version.*ratesBps\.port\.gold\.0|ratesBps\.port\.gold\.0.*version/s);
  });
});

describe('quarters in Asia/Shanghai', () => {
  const tz = 'Asia/Shanghai';
  it('places an instant by local date', () => {
    expect(quarterOf('2026-06-30T15:59:59.999Z', tz)).toBe('2026-Q2');
    expect(quarterOf('2026-06-30T16:00:00.000Z', tz)).toBe('2026-Q3');
    expect(quarterOf('2026-12-31T16:00:00.000Z', tz)).toBe('2027-Q1');
  });
  it('knows start and end instants', () => {
    expect(quarterStart('2026-Q3', tz)).toBe('2026-06-30T16:00:00.000Z');
    expect(quarterEnd('2026-Q3', tz)).toBe('2026-09-30T15:59:59.999Z');
    expect(quarterEnd('2026-Q4', tz)).toBe('2026-12-31T15:59:59.999Z');
    expect(quarterStart('2026-Q1', 'UTC')).toBe('2026-01-01T00:00:00.000Z');
    expect(nextQuarter('2026-Q4')).toBe('2027-Q1');
    expect(compareQuarters('2026-Q4', '2027-Q1')).toBe(-1);
  });
  it('handles daylight saving zones', () => {
    expect(quarterStart('2026-Q2', 'America/New_York')).toBe('2026-04-01T04:00:00.000Z');
    expect(quarterStart('2026-Q1', 'America/New_York')).toBe('2026-01-01T05:00:00.000Z');
  });
});
