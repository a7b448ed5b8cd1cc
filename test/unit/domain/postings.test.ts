import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../../src/domain/events.js';
import { partnerDeltasOf, payableOf, postingsOf, zeroAccountTotals } from '../../../src/domain/postings.js';

describe('postings', () => {
  it('move an accrual between the partner and the vendor, summing to zero', () => {
    const e = parseEvent('CommissionAccrued', { paymentId: 'PAY-1', customerKey: 'name:acme', dealId: 'D1', partnerId: 'P1', line: 'port', cashFen: 100, tier: 'gold', commissionYear: 1, rateBps: 4000, commissionFen: 40 });
    expect(postingsOf(e)).toEqual([
      { side: 'partner', partnerId: 'P1', account: 'accrued', amountFen: 40 },
      { side: 'vendor', account: 'commissionExpense', amountFen: -40 },
    ]);
  });

  it('split a deduction into deposit taken and debt kept', () => {
    const e = parseEvent('DepositDeducted', { partnerId: 'P1', requestedFen: 500, deductedFen: 300, debtFen: 200, reason: 'x', reference: null });
    expect(partnerDeltasOf(e)).toEqual([{ partnerId: 'P1', deltas: { ...zeroAccountTotals(), deposit: -300, debt: 200 } }]);
  });

  it('settle a payout: net into paidOut, recovered debt out of debt', () => {
    const e = parseEvent('CommissionPaidOut', { partnerId: 'P1', quarter: '2026-Q3', quarterEnd: '2026-09-30T15:59:59.999Z', throughPosition: '9', lines: [], netFen: 500, debtRecoveredFen: 300, paidFen: 200 });
    expect(partnerDeltasOf(e)).toEqual([{ partnerId: 'P1', deltas: { ...zeroAccountTotals(), paidOut: 500, debt: -300 } }]);
  });

  it('write nothing for events that move no money', () => {
    expect(postingsOf(parseEvent('DealLost', { dealId: 'D1', customerKey: 'k', reason: null }))).toEqual([]);
  });

  it('report payable as earned minus settled, never negative', () => {
    expect(payableOf({ ...zeroAccountTotals(), accrued: 100, clawedBack: 30, paidOut: 50 })).toBe(20);
    expect(payableOf({ ...zeroAccountTotals(), accrued: 100, clawedBack: 130 })).toBe(0);
  });
});
