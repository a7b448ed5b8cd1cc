// Projection rules for specs that do not exercise the domain's own figures.
import type { AccountTotals, PartnerDelta } from '../../../projections/balances.js';
import type { ProjectionRules } from '../../../projections/rules.js';
import { eventOf } from '../../../projections/envelope.js';
import { quarterOfUtc8 } from './random-log.js';

const delta = (partnerId: string, d: Partial<AccountTotals>): PartnerDelta => ({
  partnerId,
  deltas: { accrued: 0, clawedBack: 0, paidOut: 0, deposit: 0, debt: 0, ...d },
});

export const testRules: ProjectionRules = {
  deltasOf: (e) => {
    const ev = eventOf(e);
    switch (ev.type) {
      case 'DepositPosted':
        return [delta(ev.data.partnerId, { deposit: ev.data.amountFen })];
      case 'DepositDeducted':
        return [delta(ev.data.partnerId, { deposit: -ev.data.deductedFen, debt: ev.data.debtFen })];
      case 'CommissionAccrued':
        return [delta(ev.data.partnerId, { accrued: ev.data.commissionFen })];
      case 'CommissionClawedBack':
        return [delta(ev.data.partnerId, { clawedBack: ev.data.commissionFen })];
      case 'CommissionPaidOut':
        return [delta(ev.data.partnerId, { paidOut: ev.data.paidFen, debt: -ev.data.debtRecoveredFen })];
      default:
        return [];
    }
  },
  payableOf: (t) => Math.max(0, t.accrued - t.clawedBack - t.paidOut),
  depositRequiredFen: () => 0,
  quarterOf: quarterOfUtc8,
  idleWindowDays: 28,
};
