// What the command side reads from the read model (implemented by ReadModelLookups over the
// projections). Commands call catchUp() first so what they read includes every write before
// them; the stream they decide on is always read from the store itself.

/** A commission line no payout settled yet (the read model's StatementLine fits this shape). */
export interface LookupLine {
  eventId: string;
  kind: 'accrual' | 'clawback';
  /** Signed: positive for an accrual, negative for a clawback. */
  commissionFen: number;
  /** When the cash moved (payment or refund occurredAt). */
  cashAt: string;
  position: number;
}

import type { AccountTotals } from '../domain/postings.js';

type Maybe<T> = T | Promise<T>;

export interface LedgerLookups {
  /** Resolves when the read model includes `position` (the log's head when omitted). */
  catchUp(position?: bigint): Promise<void>;
  customerKeyOfDeal(dealId: string): Maybe<string | null>;
  customerKeyOfPayment(paymentId: string): Maybe<string | null>;
  unsettledLines(partnerId: string): Maybe<LookupLine[]>;
  /** Per partner, the customers whose owning deal was signed inside the quarter. */
  signedCustomersByPartner(quarter: string): Maybe<Map<string, number>>;
  /** Every signed partner. */
  partnerIds(): Maybe<string[]>;
  /** A partner's account totals (the balances projection's sums) at the read model's position. */
  balanceTotals(partnerId: string): Maybe<AccountTotals>;
}
