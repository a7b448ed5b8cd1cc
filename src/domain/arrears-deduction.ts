// The rule: uncollected arrears past the grace period are deducted from the partner's deposit.
// DOMAIN.md: "The vendor deducts from the deposit when a partner ... fails to collect a
// customer's unpaid bills (unless the arrears come from the vendor's own service-quality fault).
// ... Deposits never go negative: a deduction larger than the deposit leaves the rest as a debt
// the partner owes."
//  - A bill's arrears are deductible as of `asOf` when something of it is still uncollected, no
//    manager exempted it (the vendor's fault, customer-bills.ts), it was not deducted before,
//    and the policy's grace period (deposits.arrearsGraceDays, default 90 days) has run out:
//    dueAt + grace ≤ asOf.
//  - Finance runs the deduction explicitly (POST /arrears-deductions {asOf}); each deductible
//    bill gets one DepositDeducted for what is uncollected, with the reason (the bill, its deal,
//    the days overdue, the grace period, the policy) and the reference `arrears <billId>`. Bills
//    are taken by due date, then id; the deposit covers them as far as it goes, the rest
//    becomes debt.
//  - A deducted bill is closed, so running the deduction again, for the same or a later asOf,
//    deducts nothing twice (its event id is also derived from the bill: a retry writes nothing).
//  - What is uncollected is what the ledger knows when the deduction is decided.
import type { BilledDeal, CollectCustomerBill, CustomerBill, CustomerBillsState, ExemptArrears, IssueCustomerBill } from './customer-bills.js';
import { arrearsReference, decideCollection, decideCustomerBill, decideExemption, outstandingOf } from './customer-bills.js';
import { type DecideContext, eventOf, wholeDaysBetween } from './decide-context.js';
import type { Decider } from './decider.js';
import { assertNever } from './errors.js';
import type { EventOf, LedgerEvent } from './events.js';
import { formatFen } from './money.js';
import { evolvePartner, initialPartnerState, type PartnerState } from './partner.js';
import { DAY_MS, type Policy } from './policy.js';

/** The first instant a bill's arrears may be deducted: its due date plus the grace period. */
export function deductibleFrom(bill: Pick<CustomerBill, 'dueAt'>, policy: Policy): string {
  return new Date(Date.parse(bill.dueAt) + policy.deposits.arrearsGraceDays * DAY_MS).toISOString();
}

/** Whether the bill's arrears are deductible as of `asOf`. */
export function isDeductible(bill: CustomerBill, asOf: string, policy: Policy): boolean {
  return outstandingOf(bill) > 0 && bill.exemptReason === null && bill.deductedFen === null && deductibleFrom(bill, policy) <= asOf;
}

/** The partner's bills deductible as of `asOf`, by due date then id. */
export function deductibleBills(bills: CustomerBillsState, asOf: string, policy: Policy): CustomerBill[] {
  return [...bills.bills.values()]
    .filter((b) => isDeductible(b, asOf, policy))
    .sort((a, b) => (a.dueAt !== b.dueAt ? (a.dueAt < b.dueAt ? -1 : 1) : a.billId < b.billId ? -1 : a.billId > b.billId ? 1 : 0));
}

export interface DeductArrears {
  partnerId: string;
  /** Which arrears are past their grace period: those whose due date plus the grace lies at or before it. */
  asOf: string;
}

/** One DepositDeducted per deductible bill (none for a partner not signed or without such bills). */
export function decideArrearsDeduction(c: DeductArrears, state: PartnerState, ctx: DecideContext): Array<EventOf<'DepositDeducted'>> {
  if (!state.signed) return [];
  if (state.partnerId !== c.partnerId) throw new Error(`arrears of ${c.partnerId} decided on partner ${state.partnerId}'s stream`);
  const policy = ctx.policy;
  let depositFen = state.depositFen;
  return deductibleBills(state.customerBills, c.asOf, policy).map((bill) => {
    const requestedFen = outstandingOf(bill);
    const deductedFen = Math.min(depositFen, requestedFen);
    depositFen -= deductedFen;
    const days = wholeDaysBetween(bill.dueAt, c.asOf);
    const reason =
      `customer arrears not collected: bill ${bill.billId} (deal ${bill.dealId}) has ${formatFen(requestedFen)} uncollected, ` +
      `${days} days after it fell due on ${bill.dueAt} (grace ${policy.deposits.arrearsGraceDays} days, policy ${policy.version})`;
    return eventOf('DepositDeducted', { partnerId: c.partnerId, requestedFen, deductedFen, debtFen: requestedFen - deductedFen, reason, reference: arrearsReference(bill.billId) });
  });
}

/** The partner's customer bills as one decider (the specs' given/when/then): bills, collections, exemptions, deductions. */
export type ArrearsCommand =
  | { type: 'IssueCustomerBill'; data: IssueCustomerBill; deal: BilledDeal | null }
  | { type: 'CollectCustomerBill'; data: CollectCustomerBill }
  | { type: 'ExemptArrears'; data: ExemptArrears }
  | { type: 'DeductArrears'; data: DeductArrears };

export const arrearsDecider: Decider<ArrearsCommand, PartnerState, LedgerEvent, DecideContext> = {
  decide(command, state, ctx) {
    switch (command.type) {
      case 'IssueCustomerBill':
        return decideCustomerBill(command.data, state, command.deal, ctx);
      case 'CollectCustomerBill':
        return decideCollection(command.data, state, ctx);
      case 'ExemptArrears':
        return decideExemption(command.data, state, ctx);
      case 'DeductArrears':
        return decideArrearsDeduction(command.data, state, ctx);
      default:
        return assertNever(command, 'arrears command');
    }
  },
  evolve: evolvePartner,
  initialState: initialPartnerState,
};
