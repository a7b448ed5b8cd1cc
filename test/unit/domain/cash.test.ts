import { describe, expect, it } from 'vitest';
import { addYears, commissionYearOf } from '../../../src/domain/customer-decide.js';
import { foldPartner } from '../../../src/domain/partner.js';
import { advanced, day, ev, givenCustomer, KEY, registered, signed, toFacts } from './spec.js';

const SIGNED_AT = day(10);
const P1 = foldPartner(toFacts([signed('P1', 'silver', day(-100)), ev('TierChanged', { partnerId: 'P1', from: 'silver', to: 'gold', reason: 'promoted', source: 'manual', quarter: null, figures: {} }, day(50))]));
const base = [registered('D1', 'P1', day(0)), registered('D2', null, day(1)), advanced('D1', null, 'signed', SIGNED_AT)];
const pay = (paymentId: string, amountFen: number, line: 'port' | 'conference' | 'long-distance' = 'port', dealId = 'D1') => ({
  type: 'ReceivePayment' as const,
  data: { paymentId, dealId, line, amountFen },
});
const received = (paymentId: string, amountFen: number, noCommissionReason: string | null, line = 'port' as const, owner = { deal: 'D1', partner: 'P1' as string | null }) =>
  ev('PaymentReceived', { paymentId, customerKey: KEY, dealId: 'D1', line, amountFen, ownerDealId: owner.deal, ownerPartnerId: owner.partner, noCommissionReason }, day(0));
const accrued = (paymentId: string, cashFen: number, tier: string, year: number, rateBps: number, commissionFen: number, line: 'port' | 'conference' = 'port') =>
  ev('CommissionAccrued', { paymentId, customerKey: KEY, dealId: 'D1', partnerId: 'P1', line, cashFen, tier, commissionYear: year, rateBps, commissionFen }, day(0));

describe('cash received', () => {
  it('earns the owning partner commission at the tier it held when the cash came in', () => {
    givenCustomer(...base).when(pay('PAY-1', 1_000_005), day(20), { ownerPartner: P1 }).then([
      received('PAY-1', 1_000_005, null).event,
      accrued('PAY-1', 1_000_005, 'silver', 1, 3000, 300_002).event, // 300,001.5 rounds away from zero
    ]);
    givenCustomer(...base).when(pay('PAY-2', 1_000_000), day(60), { ownerPartner: P1 }).then([
      received('PAY-2', 1_000_000, null).event,
      accrued('PAY-2', 1_000_000, 'gold', 1, 4000, 400_000).event,
    ]);
  });

  it('pays conference at 10% for every tier', () => {
    const events = givenCustomer(...base).when(pay('PAY-1', 50_000, 'conference'), day(60), { ownerPartner: P1 }).events();
    expect(events[1]).toMatchObject({ type: 'CommissionAccrued', data: { rateBps: 1000, commissionFen: 5_000 } });
  });

  it('drops port to the year-two rate from the first anniversary of the signing', () => {
    const atAnniversary = addYears(SIGNED_AT, 1);
    const events = givenCustomer(...base).when(pay('PAY-1', 100_000), atAnniversary, { ownerPartner: P1 }).events();
    expect(events[1]).toMatchObject({ data: { commissionYear: 2, rateBps: 1000, commissionFen: 10_000 } });
    const justBefore = new Date(Date.parse(atAnniversary) - 1).toISOString();
    expect(givenCustomer(...base).when(pay('PAY-1', 100_000), justBefore, { ownerPartner: P1 }).events()[1]).toMatchObject({ data: { commissionYear: 1 } });
  });

  it('earns nothing after two years: PaymentReceived says why and no commission follows', () => {
    const events = givenCustomer(...base).when(pay('PAY-1', 100_000), addYears(SIGNED_AT, 2), { ownerPartner: P1 }).events();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'PaymentReceived', data: { noCommissionReason: expect.stringContaining('2-year commission window') } });
  });

  it('earns nothing for direct sales', () => {
    const direct = [registered('D2', null, day(1)), advanced('D2', null, 'signed', SIGNED_AT)];
    givenCustomer(...direct).when(pay('PAY-1', 100_000, 'port', 'D2'), day(20)).then([
      ev('PaymentReceived', { paymentId: 'PAY-1', customerKey: KEY, dealId: 'D2', line: 'port', amountFen: 100_000, ownerDealId: 'D2', ownerPartnerId: null, noCommissionReason: 'direct sales earn no commission' }, day(20)).event,
    ]);
  });

  it('refuses cash before the customer is signed', () => {
    givenCustomer(...base).when(pay('PAY-1', 100_000), day(9), { ownerPartner: P1 }).thenRefuses('payment-before-signing');
    givenCustomer(registered('D1', 'P1', day(0))).when(pay('PAY-1', 100_000), day(9), { ownerPartner: P1 }).thenRefuses('payment-before-signing', /at registration/);
  });

  it('refuses a payment id already recorded and a deal not on the customer', () => {
    const paid = [...base, received('PAY-1', 100, null), accrued('PAY-1', 100, 'silver', 1, 3000, 30)];
    givenCustomer(...paid).when(pay('PAY-1', 100), day(20), { ownerPartner: P1 }).thenRefuses('payment-id-taken');
    givenCustomer(...base).when(pay('PAY-1', 100, 'port', 'D9'), day(20), { ownerPartner: P1 }).thenRefuses('deal-unknown');
  });

  it('counts commission years by calendar years from the signing', () => {
    expect(commissionYearOf('2026-02-10T00:00:00.000Z', '2027-02-09T23:59:59.999Z', 2)).toBe(1);
    expect(commissionYearOf('2026-02-10T00:00:00.000Z', '2027-02-10T00:00:00.000Z', 2)).toBe(2);
    expect(commissionYearOf('2026-02-10T00:00:00.000Z', '2030-02-10T00:00:00.000Z', 2)).toBe(3);
  });
});

describe('refunds', () => {
  const paid = [...base, received('PAY-1', 1_000_000, null), accrued('PAY-1', 1_000_000, 'silver', 1, 3000, 300_000)];
  const refund = (refundId: string, amountFen: number, paymentId = 'PAY-1') => ({ type: 'IssueRefund' as const, data: { refundId, paymentId, amountFen, reason: 'customer left early' } });

  it('claws back the commission of the refunded cash at the rate that cash earned', () => {
    givenCustomer(...paid).when(refund('R-1', 400_005), day(30)).then([
      ev('RefundIssued', { refundId: 'R-1', paymentId: 'PAY-1', customerKey: KEY, amountFen: 400_005, reason: 'customer left early' }, day(30)).event,
      ev('CommissionClawedBack', { refundId: 'R-1', paymentId: 'PAY-1', customerKey: KEY, partnerId: 'P1', line: 'port', refundedCashFen: 400_005, rateBps: 3000, commissionFen: 120_002 }, day(30)).event,
    ]);
  });

  it('never claws back more than the cash earned, over many partial refunds', () => {
    const small = [...base, received('PAY-1', 3, null), accrued('PAY-1', 3, 'gold', 1, 4000, 1)];
    let spec = givenCustomer(...small);
    const clawed: number[] = [];
    const history = [...small];
    for (const id of ['R-1', 'R-2', 'R-3']) {
      const [issued, claw] = spec.when(refund(id, 1), day(30)).events();
      clawed.push((claw!.data as { commissionFen: number }).commissionFen);
      history.push({ event: issued!, occurredAt: day(30) }, { event: claw!, occurredAt: day(30) });
      spec = givenCustomer(...history);
    }
    expect(clawed.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('cannot exceed what is left of the payment', () => {
    const once = [...paid, ev('RefundIssued', { refundId: 'R-1', paymentId: 'PAY-1', customerKey: KEY, amountFen: 900_000, reason: 'x' }, day(30))];
    const e = givenCustomer(...once).when(refund('R-2', 100_001), day(31)).thenRefuses('refund-exceeds-payment');
    expect(e.figures).toMatchObject({ leftFen: 100_000, refundFen: 100_001 });
  });

  it('must name a recorded payment, once per refund id', () => {
    givenCustomer(...paid).when(refund('R-1', 1, 'PAY-9'), day(30)).thenRefuses('payment-unknown');
    const once = [...paid, ev('RefundIssued', { refundId: 'R-1', paymentId: 'PAY-1', customerKey: KEY, amountFen: 1, reason: 'x' }, day(30))];
    givenCustomer(...once).when(refund('R-1', 1), day(31)).thenRefuses('refund-id-taken');
  });

  it('of cash that earned nothing claws nothing back', () => {
    const direct = [...base, received('PAY-1', 1_000, 'direct sales earn no commission')];
    expect(givenCustomer(...direct).when(refund('R-1', 1_000), day(30)).events().map((e) => e.type)).toEqual(['RefundIssued']);
  });
});
