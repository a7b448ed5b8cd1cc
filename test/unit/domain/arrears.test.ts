// Arrears (issue #22 item 7), as specifications of src/domain/customer-bills.ts and
// src/domain/arrears-deduction.ts: given the partner's stream, when a customer bill is issued,
// collected, exempted (the vendor's fault) or the arrears are deducted as of an instant, then
// the events, or the refusal naming its rule.
import { describe, expect, it } from 'vitest';
import { type ArrearsCommand, arrearsDecider, deductibleFrom } from '../../../src/domain/arrears-deduction.js';
import type { BilledDeal } from '../../../src/domain/customer-bills.js';
import type { DecideContext } from '../../../src/domain/decide-context.js';
import { foldPartner } from '../../../src/domain/partner.js';
import { defaultPolicy, loadPolicy } from '../../../src/domain/policy.js';
import { partnerDeltasOf } from '../../../src/domain/postings.js';
import { ev, FINANCE, type Given, MANAGER, signed, specOf, toFacts } from './spec.js';

const givenArrears = specOf(arrearsDecider, (at): DecideContext => ({ policy: defaultPolicy, occurredAt: at, actor: FINANCE }));
const asManager = (at: string): Partial<DecideContext> => ({ actor: MANAGER, occurredAt: at });

const DUE = '2026-02-01T00:00:00.000Z';
const GRACE_END = '2026-05-02T00:00:00.000Z'; // DUE + 90 days
const justBefore = (instant: string) => new Date(Date.parse(instant) - 1).toISOString();

const P1 = signed('P1', 'standard', '2025-12-01T02:00:00.000Z');
const deposit = (amountFen: number) => ev('DepositPosted', { partnerId: 'P1', amountFen }, '2025-12-02T02:00:00.000Z');
const issued = (billId: string, amountFen: number, dueAt = DUE, dealId = 'D1') =>
  ev('CustomerBillIssued', { partnerId: 'P1', billId, dealId, customerKey: 'name:acme', amountFen, dueAt }, '2026-01-05T02:00:00.000Z');
const collected = (billId: string, collectionId: string, amountFen: number, outstandingFen: number) =>
  ev('CustomerBillCollected', { partnerId: 'P1', billId, collectionId, amountFen, outstandingFen }, '2026-02-10T02:00:00.000Z');
const exempted = (billId: string, outstandingFen: number, reason = 'the vendor’s voice platform was down for the customer for three weeks') =>
  ev('ArrearsExempted', { partnerId: 'P1', billId, reason, outstandingFen }, '2026-03-01T02:00:00.000Z');
const deducted = (billId: string, requestedFen: number, deductedFen: number, days: number, dueAt = DUE, dealId = 'D1') =>
  ev(
    'DepositDeducted',
    {
      partnerId: 'P1',
      requestedFen,
      deductedFen,
      debtFen: requestedFen - deductedFen,
      reason: `customer arrears not collected: bill ${billId} (deal ${dealId}) has ${(requestedFen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })} CNY uncollected, ${days} days after it fell due on ${dueAt} (grace 90 days, policy ${defaultPolicy.version})`,
      reference: `arrears ${billId}`,
    },
    GRACE_END,
  );

const signedDeal: BilledDeal = { customerKey: 'name:acme', partnerId: 'P1', signedAt: '2026-01-02T02:00:00.000Z' };
const issue = (billId: string, amountFen: number, deal: BilledDeal | null = signedDeal, dueAt = DUE): ArrearsCommand => ({
  type: 'IssueCustomerBill',
  data: { partnerId: 'P1', billId, dealId: 'D1', amountFen, dueAt },
  deal,
});
const collect = (billId: string, collectionId: string, amountFen: number): ArrearsCommand => ({ type: 'CollectCustomerBill', data: { partnerId: 'P1', billId, collectionId, amountFen } });
const exempt = (billId: string, reason = 'the vendor’s voice platform was down for the customer for three weeks'): ArrearsCommand => ({ type: 'ExemptArrears', data: { partnerId: 'P1', billId, reason } });
const deduct = (asOf: string): ArrearsCommand => ({ type: 'DeductArrears', data: { partnerId: 'P1', asOf } });

describe('customer bills', () => {
  it("records a bill to the partner's signed customer, with its customer key", () => {
    givenArrears(P1).when(issue('B1', 300_000), '2026-01-05T02:00:00.000Z').then([issued('B1', 300_000).event]);
  });

  it('writes nothing for the same bill again; the same id with other figures is a conflict', () => {
    givenArrears(P1, issued('B1', 300_000)).when(issue('B1', 300_000), '2026-01-06T02:00:00.000Z').then([]);
    expect(givenArrears(P1, issued('B1', 300_000)).when(issue('B1', 300_001), '2026-01-06T02:00:00.000Z').thenRefuses('customer-bill-id-taken').kind).toBe('conflict');
  });

  it("refuses an unknown deal, another partner's deal and a deal not signed", () => {
    expect(givenArrears(P1).when(issue('B1', 1, null), '2026-01-05T02:00:00.000Z').thenRefuses('deal-unknown').kind).toBe('not-found');
    givenArrears(P1).when(issue('B1', 1, { ...signedDeal, partnerId: 'P2' }), '2026-01-05T02:00:00.000Z').thenRefuses('customer-bill-not-partners-deal');
    givenArrears(P1).when(issue('B1', 1, { ...signedDeal, partnerId: null }), '2026-01-05T02:00:00.000Z').thenRefuses('customer-bill-not-partners-deal');
    givenArrears(P1).when(issue('B1', 1, { ...signedDeal, signedAt: null }), '2026-01-05T02:00:00.000Z').thenRefuses('customer-bill-deal-not-signed');
  });
});

describe('collections', () => {
  it('reduce what is uncollected; never more than it; the same collection again writes nothing', () => {
    givenArrears(P1, issued('B1', 300_000)).when(collect('B1', 'C1', 100_000), '2026-02-10T02:00:00.000Z').then([collected('B1', 'C1', 100_000, 200_000).event]);
    givenArrears(P1, issued('B1', 300_000), collected('B1', 'C1', 100_000, 200_000)).when(collect('B1', 'C1', 100_000), '2026-02-11T02:00:00.000Z').then([]);
    const e = givenArrears(P1, issued('B1', 300_000), collected('B1', 'C1', 100_000, 200_000)).when(collect('B1', 'C2', 200_001), '2026-02-11T02:00:00.000Z').thenRefuses('collection-exceeds-outstanding');
    expect(e.figures).toEqual({ amountFen: 200_001, outstandingFen: 200_000, excessFen: 1 });
    expect(givenArrears(P1).when(collect('B9', 'C1', 1), '2026-02-11T02:00:00.000Z').thenRefuses('customer-bill-unknown').kind).toBe('not-found');
  });
});

describe("the vendor's service-quality fault", () => {
  it('a manager exempts the uncollected arrears, with the reason; again writes nothing', () => {
    givenArrears(P1, issued('B1', 300_000), collected('B1', 'C1', 100_000, 200_000)).when(exempt('B1'), '2026-03-01T02:00:00.000Z', asManager('2026-03-01T02:00:00.000Z')).then([exempted('B1', 200_000).event]);
    givenArrears(P1, issued('B1', 300_000), exempted('B1', 300_000)).when(exempt('B1', 'again'), '2026-03-02T02:00:00.000Z', asManager('2026-03-02T02:00:00.000Z')).then([]);
  });

  it('only a manager, with a reason, and only for arrears that exist', () => {
    givenArrears(P1, issued('B1', 300_000)).when(exempt('B1'), '2026-03-01T02:00:00.000Z').thenRefuses('exemption-needs-manager');
    givenArrears(P1, issued('B1', 300_000)).when(exempt('B1', '  '), '2026-03-01T02:00:00.000Z', asManager('2026-03-01T02:00:00.000Z')).thenRefuses('exemption-reason-required');
    givenArrears(P1, issued('B1', 300_000), collected('B1', 'C1', 300_000, 0)).when(exempt('B1'), '2026-03-01T02:00:00.000Z', asManager('2026-03-01T02:00:00.000Z')).thenRefuses('customer-bill-collected');
  });
});

describe('deducting arrears past the grace period', () => {
  it('deducts what is uncollected once the grace period (90 days by default) has run out, not a moment before', () => {
    const given: Given[] = [P1, deposit(500_000), issued('B1', 300_000), collected('B1', 'C1', 100_000, 200_000)];
    givenArrears(...given).when(deduct(justBefore(GRACE_END)), GRACE_END).then([]);
    givenArrears(...given).when(deduct(GRACE_END), GRACE_END).then([deducted('B1', 200_000, 200_000, 90).event]);
    expect(deductibleFrom({ dueAt: DUE }, defaultPolicy)).toBe(GRACE_END);
  });

  it('leaves out bills exempted for the vendor’s fault, collected in full, or deducted before', () => {
    givenArrears(P1, deposit(500_000), issued('B1', 300_000), exempted('B1', 300_000)).when(deduct(GRACE_END), GRACE_END).then([]);
    givenArrears(P1, deposit(500_000), issued('B1', 300_000), collected('B1', 'C1', 300_000, 0)).when(deduct(GRACE_END), GRACE_END).then([]);
    const once: Given[] = [P1, deposit(500_000), issued('B1', 300_000), deducted('B1', 300_000, 300_000, 90)];
    givenArrears(...once).when(deduct('2026-09-01T00:00:00.000Z'), '2026-09-01T00:00:00.000Z').then([]);
  });

  it('refuses a collection or an exemption once the arrears were deducted', () => {
    const once: Given[] = [P1, deposit(500_000), issued('B1', 300_000), deducted('B1', 300_000, 300_000, 90)];
    givenArrears(...once).when(collect('B1', 'C9', 1_000), '2026-06-01T02:00:00.000Z').thenRefuses('customer-bill-deducted');
    givenArrears(...once).when(exempt('B1'), '2026-06-01T02:00:00.000Z', asManager('2026-06-01T02:00:00.000Z')).thenRefuses('customer-bill-deducted');
  });

  it('takes bills by due date; the deposit covers them as far as it goes, the rest is debt', () => {
    const earlier = '2026-01-20T00:00:00.000Z';
    givenArrears(P1, deposit(250_000), issued('B2', 200_000), issued('B1', 100_000, earlier, 'D1'))
      .when(deduct(GRACE_END), GRACE_END)
      .then([deducted('B1', 100_000, 100_000, 102, earlier).event, deducted('B2', 200_000, 150_000, 90).event]);
  });

  it("reads the grace period from the policy (deposits.arrearsGraceDays); a policy file without it gets 90 days", () => {
    const json = structuredClone(defaultPolicy) as unknown as { deposits: Record<string, unknown> };
    delete json.deposits.arrearsGraceDays;
    expect(loadPolicy(json).deposits.arrearsGraceDays).toBe(90);
    const short = loadPolicy({ ...structuredClone(defaultPolicy), deposits: { ...defaultPolicy.deposits, arrearsGraceDays: 30 } });
    const events = givenArrears(P1, deposit(500_000), issued('B1', 300_000)).when(deduct('2026-03-03T00:00:00.000Z'), '2026-03-03T00:00:00.000Z', { policy: short }).events();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ requestedFen: 300_000, reference: 'arrears B1', reason: expect.stringContaining('30 days after it fell due') });
  });

  it('a deduction closes the bill in the state and posts as a deposit deduction; bills and collections post nothing', () => {
    const state = foldPartner(toFacts([P1, deposit(500_000), issued('B1', 300_000), deducted('B1', 300_000, 300_000, 90)]));
    expect(state.customerBills.bills.get('B1')).toMatchObject({ deductedFen: 300_000 });
    expect(state.depositFen).toBe(200_000);
    expect(partnerDeltasOf(issued('B1', 1).event)).toEqual([]);
    expect(partnerDeltasOf(collected('B1', 'C1', 1, 0).event)).toEqual([]);
    expect(partnerDeltasOf(exempted('B1', 1).event)).toEqual([]);
  });
});
