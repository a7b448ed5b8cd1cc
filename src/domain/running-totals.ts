// Running totals stay exact: a partner's account totals (the sums the balances projection keeps,
// from the same postings) stay safe integers after every fact. The command handler applies a
// command's deltas to the totals the read model holds before the append; a command that would
// carry one out of range is refused and writes nothing.
import { requireRunningTotal } from './errors.js';
import type { LedgerEvent } from './events.js';
import { type AccountTotals, sumAccountTotals } from './accounts.js';
import { partnerDeltasOf } from './postings.js';

/** The totals after the deltas; throws InvariantViolation naming the account when one is out of range. */
export function addAccountTotals(partnerId: string, totals: AccountTotals, deltas: AccountTotals): AccountTotals {
  return sumAccountTotals(totals, deltas, (sum, account) => requireRunningTotal(sum, `partner ${partnerId}'s ${account} total`, null));
}

/** Every partner an event sequence moves money for, with the summed deltas. */
export function deltasByPartner(events: readonly LedgerEvent[]): Map<string, AccountTotals> {
  const byPartner = new Map<string, AccountTotals>();
  for (const event of events) {
    for (const { partnerId, deltas } of partnerDeltasOf(event)) {
      const known = byPartner.get(partnerId);
      byPartner.set(partnerId, known ? addAccountTotals(partnerId, known, deltas) : deltas);
    }
  }
  return byPartner;
}
