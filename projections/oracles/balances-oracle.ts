// A test oracle, not run by the ledger: the naive fold of every partner's account sums over the
// whole log, which the property tests (test/unit/projections) compare the balances projection's
// answers against (projections/balances.ts).
import { type AccountTotals, zeroAccountTotals } from '../../src/domain/accounts.js';
import type { EventEnvelope } from '../../src/domain/events.js';
import { addTotals, type DeltasOf } from '../balances.js';

export type BalancesState = ReadonlyMap<string, AccountTotals>;
export const initialBalances = (): BalancesState => new Map();

export function evolveBalances(state: BalancesState, e: EventEnvelope, deltasOf: DeltasOf): BalancesState {
  const deltas = deltasOf(e);
  if (deltas.length === 0) return state;
  const next = new Map(state);
  for (const d of deltas) next.set(d.partnerId, addTotals(next.get(d.partnerId) ?? zeroAccountTotals(), d.deltas));
  return next;
}
