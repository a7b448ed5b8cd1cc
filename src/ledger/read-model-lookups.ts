// The indexes the command side reads, answered from the read model at its current position.
// A command handler first calls catchUp(position) with the position its last append returned
// (or the head) so that what it reads includes its own writes.
import * as read from '../../projections/readers.js';
import type { Signing } from '../domain/signed-customers.js';
import { headCut } from '../../projections/cut.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import type { StatementLine } from '../../projections/statements.js';
import { keyForInput } from '../domain/customer-key.js';
import type { AccountTotals } from '../domain/postings.js';
import type { LedgerLookups } from './lookups.js';

export class ReadModelLookups implements LedgerLookups {
  constructor(private readonly runner: ProjectionRunner) {}

  /** Resolves when the read model includes `position` (the head of the log when omitted). */
  catchUp(position?: bigint): Promise<void> {
    return this.runner.catchUp(position ?? -1);
  }

  customerKeyOfDeal(dealId: string): string | null {
    return read.customerKeyOfDeal(this.runner.db, dealId);
  }

  customerKeyOfPayment(paymentId: string): string | null {
    return read.customerKeyOfPayment(this.runner.db, paymentId);
  }

  customerKeyOfTransfer(transferId: string): string | null {
    return read.customerKeyOfTransfer(this.runner.db, transferId);
  }

  /** Commission lines (accruals positive, clawbacks negative) no payout has settled yet, in log order. */
  unsettledLines(partnerId: string): StatementLine[] {
    return read.unsettledLinesOf(this.runner.db, partnerId, headCut(this.runner.position()));
  }

  /** The deals signed inside the quarter by the read model's quarter index (the domain decides which count). */
  signingsOf(quarter: string): Signing[] {
    return read.signingsInQuarter(this.runner.db, quarter);
  }

  /** Every signed partner, sorted. */
  partnerIds(): string[] {
    return read.partnersAt(this.runner.db, headCut(this.runner.position())).map((p) => p.partnerId);
  }

  customerKeysMatching(input: string): string[] {
    const keys = new Set<string>();
    const normalised = keyForInput(input);
    for (const key of [input, normalised]) if (key !== null && read.customerExists(this.runner.db, key)) keys.add(key);
    for (const key of read.customerKeysNamed(this.runner.db, input)) keys.add(key);
    return [...keys];
  }

  balanceTotals(partnerId: string): AccountTotals {
    return read.balanceTotalsAt(this.runner.db, partnerId, headCut(this.runner.position()));
  }
}
