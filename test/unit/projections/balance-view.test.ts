import { describe, expect, it } from 'vitest';
import { balanceView } from '../../../projections/balances.js';
import { payableOf, zeroAccountTotals } from '../../../src/domain/postings.js';

const totals = (t: Partial<ReturnType<typeof zeroAccountTotals>>) => ({ ...zeroAccountTotals(), ...t });

describe('the balance view', () => {
  it('shows clawbacks that exceed the unsettled commission as pending, never as a negative payable', () => {
    const view = balanceView('P-1', totals({ accrued: 10_000, clawedBack: 25_000, paidOut: 10_000, deposit: 500_000 }), payableOf, 500_000);
    expect(view.payable).toBe(0);
    expect(view.pendingClawback).toBe(25_000);
    expect(view.debt).toBe(0);
  });

  it('has nothing pending while earnings cover the clawbacks', () => {
    const view = balanceView('P-1', totals({ accrued: 40_000, clawedBack: 15_000, paidOut: 5_000 }), payableOf, 0);
    expect(view.payable).toBe(20_000);
    expect(view.pendingClawback).toBe(0);
  });
});
