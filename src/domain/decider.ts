// The decider shape (as in Emmett): decide(command, state, context) → events, evolve(state,
// fact) → state, initialState(). One per aggregate and per programme-wide decision taken
// stream by stream (payout.ts, tier-evaluation.ts). The command layer loads a stream with
// evolve and initialState, decides, and appends; the specs fold given facts the same way.
import { type CustomerCommand, type CustomerDecideContext, type CustomerEvent, decideCustomer } from './customer-decide.js';
import { type CustomerState, evolveCustomer, initialCustomerState } from './customer.js';
import type { FoldFact } from './fact.js';
import { defaultTieWindow, type TieWindow } from './tie-window.js';
import { decidePartner, type PartnerCommand, type PartnerDecideContext, type PartnerEvent } from './partner-decide.js';
import { evolvePartner, initialPartnerState, type PartnerState } from './partner.js';

export interface Decider<Command, State, Event, Context> {
  /** The events the command decides on the state, or a DomainRuleError naming the rule. */
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, fact: FoldFact): State;
  initialState(): State;
}

/** The state a decider's stream holds after the facts, folded in order. */
export function foldWith<State>(decider: Pick<Decider<never, State, unknown, never>, 'evolve' | 'initialState'>, facts: Iterable<FoldFact>): State {
  let state = decider.initialState();
  for (const fact of facts) state = decider.evolve(state, fact);
  return state;
}

/** A partner's stream: signing, deposits and deductions, manual tier changes. */
export const partnerDecider: Decider<PartnerCommand, PartnerState, PartnerEvent, PartnerDecideContext> = {
  decide: decidePartner,
  evolve: evolvePartner,
  initialState: initialPartnerState,
};

/** A customer's stream (one per customer key): claims, ownership, stages, cash; ties judged in the policy's window. */
export function customerDecider(customerKey: string, tieWindow: TieWindow = defaultTieWindow): Decider<CustomerCommand, CustomerState, CustomerEvent, CustomerDecideContext> {
  return { decide: decideCustomer, evolve: evolveCustomer, initialState: () => initialCustomerState(customerKey, tieWindow) };
}
