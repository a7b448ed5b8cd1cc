// What the command side reads from the read model (implemented by ReadModelLookups over the
// projections). Commands call catchUp() first so what they read includes every write before
// them; the stream they decide on is always read from the store itself. The lookups hand over
// plain rows; the rules that choose among them live in src/domain (payout-lines.ts,
// signed-customers.ts).
import type { AccountTotals } from '../domain/postings.js';
import type { Signing } from '../domain/signed-customers.js';

/** A commission line no payout settled yet (the read model's StatementLine fits this shape). */
export interface LookupLine {
  eventId: string;
  kind: 'accrual' | 'clawback';
  /** Signed: positive for an accrual, negative for a clawback. */
  commissionFen: number;
  /** The payment whose commission the line earns (accrual) or reverses (clawback). */
  paymentId: string;
  /** When the cash moved (payment or refund occurredAt). */
  cashAt: string;
  position: number;
}

type Maybe<T> = T | Promise<T>;

export interface LedgerLookups {
  /** Resolves when the read model includes `position` (the log's head when omitted). */
  catchUp(position?: bigint): Promise<void>;
  customerKeyOfDeal(dealId: string): Maybe<string | null>;
  customerKeyOfPayment(paymentId: string): Maybe<string | null>;
  /** The customer a proposed transfer is about (src/domain/transfers.ts), or null. */
  customerKeyOfTransfer(transferId: string): Maybe<string | null>;
  unsettledLines(partnerId: string): Maybe<LookupLine[]>;
  /**
   * Candidate signings for the quarter's tier evaluation: at least every deal signed inside it
   * (more is harmless: signedCustomersByPartner in src/domain/signed-customers.ts decides).
   */
  signingsOf(quarter: string): Maybe<Signing[]>;
  /** Every signed partner. */
  partnerIds(): Maybe<string[]>;
  /**
   * The stored customer keys a user's input may mean: the input as a key, the key it normalises
   * to (customer-key.ts keyForInput), and customers registered under that spelling or tax id.
   */
  customerKeysMatching(input: string): Maybe<string[]>;
  /** A partner's account totals (the balances projection's sums) at the read model's position. */
  balanceTotals(partnerId: string): Maybe<AccountTotals>;
}
