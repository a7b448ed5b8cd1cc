// The weekly report (src/domain/weekly-report.ts) and the forecast revision it reads
// (ForecastRevised, src/domain/customer-decide.ts): ISO weeks, the review instant, what counts as
// new, as progress, as support, the month's forecast and sales.
import { describe, expect, it } from 'vitest';
import { foldCustomer } from '../../../src/domain/customer.js';
import { defaultPolicy, loadPolicy } from '../../../src/domain/policy.js';
import defaultPolicyJson from '../../../src/domain/default-policy.json' with { type: 'json' };
import {
  formatIsoWeek,
  isoWeekMonday,
  isoWeekOfDate,
  parseIsoWeek,
  previousIsoWeek,
  requireIsoWeek,
  reviewInstant,
  type WeeklyFact,
  weeklyReport,
  weekWindow,
} from '../../../src/domain/weekly-report.js';
import { advanced, day, ev, givenCustomer, KEY, lost, registered, toFacts } from './spec.js';

const P1 = { role: 'partner' as const, id: 'P1' };
const revise = (dealId: string, expectedPorts: number | null, expectedRevenueFen: number | null) => ({
  type: 'ReviseForecast' as const,
  data: { dealId, expectedPorts, expectedRevenueFen },
});
const revised = (dealId: string, expectedPorts: number | null, expectedRevenueFen: number | null, at: string) =>
  ev('ForecastRevised', { dealId, customerKey: KEY, expectedPorts, expectedRevenueFen }, at);

describe('a forecast revision (ForecastRevised)', () => {
  it('given an open deal, when its partner revises ports and revenue, then a ForecastRevised records both', () => {
    givenCustomer(registered('D1', 'P1', day(0)))
      .when(revise('D1', 120, 3_600_000), day(3), { actor: P1 })
      .then([revised('D1', 120, 3_600_000, day(3)).event]);
  });

  it('one figure alone is a revision; the other stays null (unchanged)', () => {
    givenCustomer(registered('D1', 'P1', day(0))).when(revise('D1', null, 500_000), day(3)).then([revised('D1', null, 500_000, day(3)).event]);
  });

  it('neither figure is refused: forecast-empty', () => {
    givenCustomer(registered('D1', 'P1', day(0))).when(revise('D1', null, null), day(3)).thenRefuses('forecast-empty', /expectedPorts, expectedRevenue or both/);
  });

  it('a revenue estimate above limits.maxAmountFen is refused: amount-over-limit', () => {
    givenCustomer(registered('D1', 'P1', day(0)))
      .when(revise('D1', null, defaultPolicy.limits.maxAmountFen + 1), day(3))
      .thenRefuses('amount-over-limit', /revenue estimate/);
  });

  it('a signed or lost deal is final: deal-closed; a revision before the registration is refused', () => {
    givenCustomer(registered('D1', 'P1', day(0)), lost('D1', day(2))).when(revise('D1', 5, null), day(3)).thenRefuses('deal-closed', /lost/);
    givenCustomer(registered('D1', 'P1', day(0)), advanced('D1', null, 'signed', day(2))).when(revise('D1', 5, null), day(3)).thenRefuses('deal-closed', /signed/);
    givenCustomer(registered('D1', 'P1', day(2))).when(revise('D1', 5, null), day(1)).thenRefuses('forecast-before-registration');
  });

  it('an unknown deal is refused; the revision leaves ownership as it was', () => {
    givenCustomer(registered('D1', 'P1', day(0))).when(revise('D9', 5, null), day(3)).thenRefuses('deal-unknown');
    const state = foldCustomer(KEY, toFacts([registered('D1', 'P1', day(0)), revised('D1', 5, null, day(1))]));
    expect(state.claims.map((c) => c.dealId)).toEqual(['D1']);
    expect(state.ownershipFacts).toHaveLength(1);
  });
});

describe('ISO weeks and the review', () => {
  it('parses weeks of the year, refusing week 53 of a short year and other forms', () => {
    expect(parseIsoWeek('2025-W14')).toEqual({ year: 2025, week: 14 });
    expect(parseIsoWeek('2020-W53')).toEqual({ year: 2020, week: 53 });
    expect(parseIsoWeek('2025-W53')).toBeNull();
    expect(parseIsoWeek('2025-W00')).toBeNull();
    expect(parseIsoWeek('2025-14')).toBeNull();
    expect(() => requireIsoWeek('2025-W60')).toThrow(/not an ISO week/);
    expect(formatIsoWeek({ year: 2025, week: 4 })).toBe('2025-W04');
  });

  it('the Monday of a week, the week of a date, the week before', () => {
    expect(isoWeekMonday({ year: 2025, week: 14 })).toBe('2025-03-31');
    expect(isoWeekMonday({ year: 2026, week: 1 })).toBe('2025-12-29');
    expect(isoWeekOfDate('2025-04-03')).toEqual({ year: 2025, week: 14 });
    expect(isoWeekOfDate('2021-01-03')).toEqual({ year: 2020, week: 53 });
    expect(previousIsoWeek({ year: 2021, week: 1 })).toEqual({ year: 2020, week: 53 });
  });

  it('the review is the policy\'s day and local time: Thursday 10:00 Asia/Shanghai by default', () => {
    expect(defaultPolicy.weeklyReview).toEqual({ day: 'thursday', time: '10:00' });
    expect(reviewInstant({ year: 2025, week: 14 }, { day: 'thursday', time: '10:00' }, 'Asia/Shanghai')).toBe('2025-04-03T02:00:00.000Z');
    expect(reviewInstant({ year: 2025, week: 14 }, { day: 'friday', time: '16:30' }, 'UTC')).toBe('2025-04-04T16:30:00.000Z');
    // A policy file without weeklyReview (every one before it) loads with the default; another review is honoured, a bad time refused.
    const friday = loadPolicy({ ...defaultPolicyJson, weeklyReview: { day: 'friday', time: '16:30' } });
    expect(weekWindow({ year: 2025, week: 14 }, friday).review).toBe('2025-04-04T08:30:00.000Z');
    expect(() => loadPolicy({ ...defaultPolicyJson, weeklyReview: { day: 'thursday', time: '25:00' } })).toThrow();
    const w = weekWindow({ year: 2025, week: 14 }, defaultPolicy);
    expect(w).toEqual({ week: '2025-W14', review: '2025-04-03T02:00:00.000Z', previousReview: '2025-03-27T02:00:00.000Z', month: '2025-04', monthStart: '2025-03-31T16:00:00.000Z' });
  });
});

describe('the weekly report', () => {
  const window = weekWindow({ year: 2025, week: 14 }, defaultPolicy); // review 2025-04-03T02:00Z, previous 2025-03-27T02:00Z
  const reg = (dealId: string, at: string, partnerId = 'P1', expectedPorts = 10, expectedRevenueFen = 1_000_000): WeeklyFact => ({
    kind: 'registered',
    occurredAt: at,
    dealId,
    customerKey: `name:${dealId.toLowerCase()}`,
    customerName: `Customer ${dealId}`,
    partnerId,
    expectedPorts,
    expectedRevenueFen,
  });
  const adv = (dealId: string, stage: 'interest' | 'meeting' | 'solution' | 'trial' | 'signed', at: string): WeeklyFact => ({ kind: 'advanced', occurredAt: at, dealId, stage });
  const facts: WeeklyFact[] = [
    reg('D1', '2025-03-10T02:00:00.000Z'),
    adv('D1', 'meeting', '2025-03-20T02:00:00.000Z'),
    adv('D1', 'solution', '2025-04-01T02:00:00.000Z'), // progress this week: meeting → solution
    { kind: 'forecast', occurredAt: '2025-03-25T02:00:00.000Z', dealId: 'D1', expectedPorts: 40, expectedRevenueFen: null },
    { kind: 'forecast', occurredAt: '2025-04-05T02:00:00.000Z', dealId: 'D1', expectedPorts: 99, expectedRevenueFen: 9 }, // after the review
    reg('D2', '2025-03-28T02:00:00.000Z', 'P1', 5, 500_000), // new this week
    reg('D3', '2025-03-11T02:00:00.000Z', 'P1', 30),
    adv('D3', 'trial', '2025-03-15T02:00:00.000Z'),
    adv('D3', 'signed', '2025-04-01T03:00:00.000Z'), // signed in April, paid: sales (contract ports)
    reg('D4', '2025-02-01T02:00:00.000Z', 'P1', 7),
    adv('D4', 'signed', '2025-04-02T02:00:00.000Z'), // signed in April, not paid
    reg('D5', '2025-03-01T02:00:00.000Z', 'P1', 3),
    { kind: 'lost', occurredAt: '2025-04-02T02:00:00.000Z', dealId: 'D5' },
    reg('D6', '2025-03-01T02:00:00.000Z', 'P1', 8),
    adv('D6', 'signed', '2025-04-01T04:00:00.000Z'), // signed and paid, no contract: its estimate
    reg('E1', '2025-03-12T02:00:00.000Z', 'P2', 11),
    reg('D7', '2025-04-04T02:00:00.000Z', 'P1'), // after the review: not known
  ];
  const report = weeklyReport(
    window,
    facts,
    new Map([['D3', 36]]),
    new Map([
      ['D3', '2025-04-02T02:00:00.000Z'],
      ['D6', '2025-04-02T05:00:00.000Z'],
    ]),
  );
  const p1 = report.partners.find((p) => p.partnerId === 'P1')!;

  it('lists each partner\'s deals with the figures known at the review (a later revision and deal are not)', () => {
    expect(report.partners.map((p) => p.partnerId)).toEqual(['P1', 'P2']);
    expect(p1.deals.map((d) => d.dealId)).toEqual(['D1', 'D2', 'D3', 'D4', 'D5', 'D6']);
    expect(p1.deals[0]).toMatchObject({ stage: 'solution', expectedPorts: 40, expectedRevenueFen: 1_000_000, forecastRevisedAt: '2025-03-25T02:00:00.000Z' });
  });

  it('support needed: key deals at solution or trial, not closed', () => {
    expect(p1.supportNeeded.map((d) => d.dealId)).toEqual(['D1']);
  });

  it('new this week: registered after the previous review; progress: stage advances this week on earlier deals', () => {
    expect(p1.newThisWeek.map((d) => d.dealId)).toEqual(['D2']);
    expect(p1.progressOnEarlier).toEqual([
      { dealId: 'D1', customerName: 'Customer D1', from: 'meeting', to: 'solution' },
      { dealId: 'D3', customerName: 'Customer D3', from: 'trial', to: 'signed' },
      { dealId: 'D4', customerName: 'Customer D4', from: 'registered', to: 'signed' },
      { dealId: 'D6', customerName: 'Customer D6', from: 'registered', to: 'signed' },
    ]);
  });

  it("the month's port forecast: the open deals' expected ports", () => {
    expect(p1.monthPortForecast).toBe(40 + 5);
  });

  it("the month's sales: signed this month and paid by the review, the contract's ports else the estimate", () => {
    expect(p1.monthSales).toEqual({
      ports: 36 + 8,
      deals: [
        { dealId: 'D3', customerName: 'Customer D3', signedAt: '2025-04-01T03:00:00.000Z', ports: 36, portsFrom: 'contract' },
        { dealId: 'D6', customerName: 'Customer D6', signedAt: '2025-04-01T04:00:00.000Z', ports: 8, portsFrom: 'estimate' },
      ],
    });
  });

  it('one partner only', () => {
    const only = weeklyReport(window, facts, new Map(), new Map(), 'P2');
    expect(only.partners.map((p) => p.partnerId)).toEqual(['P2']);
    expect(only.partners[0]).toMatchObject({ monthPortForecast: 11, newThisWeek: [], progressOnEarlier: [], supportNeeded: [] });
  });
});
