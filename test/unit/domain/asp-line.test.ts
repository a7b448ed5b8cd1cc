// ASP service revenue is a commission line of its own (issue #22 item 7), as specifications of
// src/domain/asp-line.ts through the customer decider: given a signed customer, when ASP cash
// is received, then the commission at the tier's asp rate (illustrative by default), or, under a
// policy that names no asp rates (a file from before the line), the cash alone with the reason.
import { describe, expect, it } from 'vitest';
import { linePaysCommission } from '../../../src/domain/asp-line.js';
import { foldPartner } from '../../../src/domain/partner.js';
import { commissionRateBps, defaultPolicy, loadPolicy, type Policy } from '../../../src/domain/policy.js';
import { advanced, day, ev, givenCustomer, KEY, registered, signed, toFacts } from './spec.js';

const SIGNED_AT = day(10);
const gold = foldPartner(toFacts([signed('P1', 'gold', day(-100))]));
const standard = foldPartner(toFacts([signed('P1', 'standard', day(-100))]));
const base = [registered('D1', 'P1', day(0)), advanced('D1', null, 'signed', SIGNED_AT)];
const payAsp = (paymentId: string, amountFen: number) => ({ type: 'ReceivePayment' as const, data: { paymentId, dealId: 'D1', line: 'asp' as const, amountFen } });
const received = (paymentId: string, amountFen: number, noCommissionReason: string | null) =>
  ev('PaymentReceived', { paymentId, customerKey: KEY, dealId: 'D1', line: 'asp', amountFen, ownerDealId: 'D1', ownerPartnerId: 'P1', noCommissionReason }, day(20));

/** A policy file written before the asp line existed: no asp rates, no illustrativeLines. */
function policyWithoutAsp(): Policy {
  const json = structuredClone(defaultPolicy) as unknown as { version: string; commission: { ratesBps: Record<string, unknown>; illustrativeLines?: unknown } };
  json.version = 'before-asp.1';
  delete json.commission.ratesBps.asp;
  delete json.commission.illustrativeLines;
  return loadPolicy(json);
}

describe('ASP service revenue', () => {
  it('has a rate per tier in the default policy, marked illustrative', () => {
    expect([1, 2].map((year) => ['gold', 'silver', 'standard'].map((tier) => commissionRateBps(defaultPolicy, 'asp', tier, year)))).toEqual([
      [1500, 1200, 1000],
      [1500, 1200, 1000],
    ]);
    expect(defaultPolicy.commission.illustrativeLines).toContain('asp');
  });

  it('accrues commission on ASP cash at the owning partner’s tier rate', () => {
    givenCustomer(...base)
      .when(payAsp('PAY-A1', 200_005), day(20), { ownerPartner: gold })
      .then([
        received('PAY-A1', 200_005, null).event,
        ev('CommissionAccrued', { paymentId: 'PAY-A1', customerKey: KEY, dealId: 'D1', partnerId: 'P1', line: 'asp', cashFen: 200_005, tier: 'gold', commissionYear: 1, rateBps: 1500, commissionFen: 30_001 }, day(20)).event,
      ]);
    const events = givenCustomer(...base).when(payAsp('PAY-A2', 100_000), day(20), { ownerPartner: standard }).events();
    expect(events[1]).toMatchObject({ type: 'CommissionAccrued', data: { line: 'asp', tier: 'standard', rateBps: 1000, commissionFen: 10_000 } });
  });

  it('under a policy without asp rates: the policy still loads, the cash is recorded and earns nothing, saying why', () => {
    const old = policyWithoutAsp();
    expect(linePaysCommission(old, 'asp')).toBe(false);
    expect(linePaysCommission(old, 'port')).toBe(true);
    givenCustomer(...base)
      .when(payAsp('PAY-A1', 100_000), day(20), { ownerPartner: gold, policy: old })
      .then([received('PAY-A1', 100_000, 'policy before-asp.1 names no asp commission rates, so asp cash earns no commission').event]);
  });

  it('a policy may leave out asp only: the other lines stay required', () => {
    const json = structuredClone(defaultPolicy) as unknown as { commission: { ratesBps: Record<string, unknown> } };
    delete json.commission.ratesBps.conference;
    expect(() => loadPolicy(json)).toThrow(/commission\.ratesBps\.conference: missing/);
  });
});
