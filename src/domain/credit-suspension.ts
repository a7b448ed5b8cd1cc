// The rule: a wholesale-voice reseller's service stops when its outstanding traffic reaches its
// deposit, and resumes when a top-up or a settlement brings it back under. DOMAIN.md: "when
// billed traffic reaches the deposit, service stops until the deposit is topped up or the bills
// are settled (a credit limit). Traffic already carried is still billed: the bill is a fact;
// what the limit decides is whether service goes on."
//  - Suspended ⇔ outstanding traffic (billed − settled) is above zero and at least the deposit
//    (creditStatusOf). A reseller with nothing outstanding is active whatever its deposit;
//    partners of other kinds have no credit limit and are always active.
//  - The status is recorded on the reseller's stream, in the same append as the fact that moved
//    it: CreditSuspended when a decision takes its figures to suspended, CreditResumed when it
//    takes them back to active, each with the limit and the outstanding traffic after the
//    decision and the event that moved them (its cause).
//  - Every decision on a partner stream passes through withCreditStatus (the command layer's
//    onPartnerStream), so a bill, a settlement, a deposit and any deduction (by hand, by a
//    payout, for arrears) are all covered, and the balance's creditStatus (the same rule on the
//    balance's own figures) agrees with the events.
//  - A bill is never refused for the limit (traffic-decide.ts); one recorded while the credit is
//    suspended is flagged whileSuspended.
import { type DecideContext, eventOf } from './decide-context.js';
import type { Decider } from './decider.js';
import { InvariantViolation } from './errors.js';
import { type EventOf, type LedgerEvent } from './events.js';
import type { FoldFact } from './fact.js';
import { decidePartner, type PartnerCommand } from './partner-decide.js';
import { evolvePartner, initialPartnerState, type PartnerState } from './partner.js';
import { trafficOutstandingFen } from './traffic.js';
import { type BillTraffic, decideTrafficBill, decideTrafficSettlement, type SettleTraffic, WHOLESALE_VOICE } from './traffic-decide.js';

export type CreditStatus = 'active' | 'suspended';
export type CreditEvent = EventOf<'CreditSuspended' | 'CreditResumed'>;
type Cause = EventOf<'CreditSuspended'>['data']['cause'];

const causes: ReadonlySet<string> = new Set<Cause>(['TrafficBilled', 'TrafficSettled', 'DepositPosted', 'DepositDeducted']);

/** A reseller's status from its figures: suspended once outstanding traffic reaches the deposit. */
export function creditStatusOf(depositFen: number, outstandingFen: number): CreditStatus {
  if (!Number.isSafeInteger(depositFen) || depositFen < 0 || !Number.isSafeInteger(outstandingFen) || outstandingFen < 0) {
    throw new Error('deposit and outstanding traffic are whole, non-negative fen');
  }
  return outstandingFen > 0 && outstandingFen >= depositFen ? 'suspended' : 'active';
}

/** The status a partner's figures give (always active for a partner that is not a reseller). */
export function partnerCreditStatus(state: PartnerState): CreditStatus {
  if (state.kind !== WHOLESALE_VOICE) return 'active';
  return creditStatusOf(state.depositFen, trafficOutstandingFen(state.traffic));
}

/** CreditSuspended or CreditResumed when the figures and the recorded status disagree; else nothing. */
export function decideCreditStatus(state: PartnerState, cause: Cause): CreditEvent[] {
  if (!state.signed || state.kind !== WHOLESALE_VOICE) return [];
  const status = partnerCreditStatus(state);
  const figures = { partnerId: state.partnerId!, creditLimitFen: state.depositFen, outstandingFen: trafficOutstandingFen(state.traffic), cause };
  if (status === 'suspended' && !state.traffic.suspended) return [eventOf('CreditSuspended', figures)];
  if (status === 'active' && state.traffic.suspended) return [eventOf('CreditResumed', figures)];
  return [];
}

/**
 * The decided events followed by the credit status change they cause, if any: the events are
 * folded into the state (in memory) and the rule is applied to the result. Events that move
 * neither the deposit nor the traffic cause nothing.
 */
export function withCreditStatus<E extends LedgerEvent>(state: PartnerState, events: readonly E[], occurredAt: string): Array<E | CreditEvent> {
  const cause = events.findLast((e) => causes.has(e.type))?.type as Cause | undefined;
  if (cause === undefined || !state.signed || state.kind !== WHOLESALE_VOICE) return [...events];
  let after = state;
  try {
    events.forEach((e, i) => {
      const fact = { ...e, eventId: `provisional-${i}`, occurredAt, recordedAt: occurredAt, position: state.lastPosition + BigInt(i + 1) } as FoldFact;
      after = evolvePartner(after, fact);
    });
  } catch (error) {
    // Events that break an invariant are refused with their rule by the check before the append.
    if (error instanceof InvariantViolation) return [...events];
    throw error;
  }
  return [...events, ...decideCreditStatus(after, cause)];
}

/** The decisions that move a reseller's figures, each followed by the status change it causes. */
export type CreditCommand =
  | { type: 'BillTraffic'; data: BillTraffic }
  | { type: 'SettleTraffic'; data: SettleTraffic }
  | Extract<PartnerCommand, { type: 'PostDeposit' | 'DeductDeposit' }>;

/** The reseller's stream as a decider: a bill, a settlement, a deposit or a deduction, with the credit status it leads to. */
export const creditDecider: Decider<CreditCommand, PartnerState, LedgerEvent, DecideContext> = {
  decide(command, state, ctx) {
    const events: LedgerEvent[] =
      command.type === 'BillTraffic' ? decideTrafficBill(command.data, state, ctx.policy)
      : command.type === 'SettleTraffic' ? decideTrafficSettlement(command.data, state, ctx.policy)
      : decidePartner(command, state, ctx);
    return withCreditStatus(state, events, ctx.occurredAt);
  },
  evolve: evolvePartner,
  initialState: initialPartnerState,
};
