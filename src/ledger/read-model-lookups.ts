// The indexes the command side reads, answered from the read model at its current position.
// A command handler first calls catchUp(position) with the position its last append returned
// (or the head) so that what it reads includes its own writes.
//
// With the live rows written on their own thread (projections/runner.ts, liveWorker), the read
// model has two positions: what is folded on this thread and what that thread has committed to
// the file. catchUp() waits for the first only (no wait on the thread when nothing is behind);
// a partner's running totals, the check every money command makes, come from the balances
// projection's folded heads held here, which include every event up to that position; every
// other look-up reads the file, so it first waits (without blocking: Atomics.waitAsync) until the
// file holds everything folded. Either way what a command reads includes every command answered
// before it: an answer leaves only once its events are committed (Ledger.execute), and a fold
// includes them as soon as the store hands them over.
import * as read from '../../projections/readers.js';
import type { Signing } from '../domain/signed-customers.js';
import { headCut } from '../../projections/cut.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import type { ProjectionName } from '../../projections/schema.js';
import type { StatementLine } from '../../projections/statements.js';
import { keyForInput } from '../domain/customer-key.js';
import type { AccountTotals } from '../domain/postings.js';
import type { LedgerLookups } from './lookups.js';

export class ReadModelLookups implements LedgerLookups {
  constructor(private readonly runner: ProjectionRunner) {}

  /** Resolves when the read model has folded `position` (the head of the log when omitted). */
  catchUp(position?: bigint): Promise<void> {
    return this.runner.catchUpFolded(position ?? -1);
  }

  /** Resolves once the file holds every event folded so far (at once when it does). */
  private onFile(): Promise<void> | null {
    const folded = this.runner.foldedPosition();
    return this.runner.position() >= folded ? null : this.runner.catchUp(folded);
  }

  /**
   * A look-up a command's checks make reads one projection: while that projection is rebuilt
   * beside with no old tables to answer from, the command is refused (503, naming it and the
   * rebuild's progress) rather than decided on missing figures. With old tables serving, the live
   * path keeps them current, so the command reads them as usual.
   */
  private need(projection: ProjectionName): void {
    this.runner.requireServing(projection);
  }

  private fromFile<T>(readIt: () => T): T | Promise<T> {
    const wait = this.onFile();
    return wait === null ? readIt() : wait.then(readIt);
  }

  customerKeyOfDeal(dealId: string): string | null | Promise<string | null> {
    this.need('ownership');
    return this.fromFile(() => read.customerKeyOfDeal(this.runner.db, dealId));
  }

  customerKeyOfPayment(paymentId: string): string | null | Promise<string | null> {
    this.need('statements');
    return this.fromFile(() => read.customerKeyOfPayment(this.runner.db, paymentId));
  }

  customerKeyOfTransfer(transferId: string): string | null | Promise<string | null> {
    this.need('ownership');
    return this.fromFile(() => read.customerKeyOfTransfer(this.runner.db, transferId));
  }

  /** Commission lines (accruals positive, clawbacks negative) no payout has settled yet, in log order. */
  unsettledLines(partnerId: string): StatementLine[] | Promise<StatementLine[]> {
    this.need('statements');
    return this.fromFile(() => read.unsettledLinesOf(this.runner.db, partnerId, headCut(this.runner.position())));
  }

  /** The deals signed inside the quarter by the read model's quarter index (the domain decides which count). */
  signingsOf(quarter: string): Signing[] | Promise<Signing[]> {
    this.need('pipeline');
    return this.fromFile(() => read.signingsInQuarter(this.runner.db, quarter));
  }

  /** Every signed partner, sorted. */
  partnerIds(): string[] | Promise<string[]> {
    this.need('partners');
    return this.fromFile(() => read.partnersAt(this.runner.db, headCut(this.runner.position())).map((p) => p.partnerId));
  }

  /**
   * Read from the file as it stands (queries call it too, synchronously): it holds every answered
   * command; events of commands not answered yet may still be on their way to it.
   */
  customerKeysMatching(input: string): string[] {
    this.need('ownership');
    const keys = new Set<string>();
    const normalised = keyForInput(input);
    for (const key of [input, normalised]) if (key !== null && read.customerExists(this.runner.db, key)) keys.add(key);
    for (const key of read.customerKeysNamed(this.runner.db, input)) keys.add(key);
    return [...keys];
  }

  /** The running totals as folded when held in memory (a copy), else the file's once it holds everything folded. */
  balanceTotals(partnerId: string): AccountTotals | Promise<AccountTotals> {
    this.need('balances');
    const folded = this.runner.writer.foldedAccountTotals(partnerId);
    if (folded !== undefined) return { ...folded };
    return this.fromFile(() => read.balanceTotalsAt(this.runner.db, partnerId, headCut(this.runner.position())));
  }
}
