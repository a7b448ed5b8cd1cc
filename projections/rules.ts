// What the projections take from the domain's rules, gathered in one object so the folds stay
// free of policy constants: account deltas from the domain's postings, the payable rule, the
// deposit a tier requires, quarters in the policy's time zone, the idle window of a claim.
import type { AccountTotals } from '../src/domain/accounts.js';
import type { DeltasOf } from './balances.js';
import type { QuarterOf } from './statements.js';

export interface ProjectionRules {
  deltasOf: DeltasOf;
  payableOf(totals: AccountTotals): number;
  depositRequiredFen(tier: string, kind: string): number;
  quarterOf: QuarterOf;
  /** Days without progress after which an open claim is flagged (28 by default). */
  idleWindowDays: number;
}
