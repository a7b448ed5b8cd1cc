// Quarterly payouts: pay the lines due in the quarter (payout-lines.ts: accruals with cash on or
// before the quarter's end, net of the clawbacks recorded so far), recover carried debt first; a
// negative net is taken from the deposit as far as it goes and the rest is kept as debt.
// Payable is never negative. Paying the same quarter twice writes nothing; a quarter earlier
// than one already paid is refused.
import { type DecideContext, eventOf } from './decide-context.js';
import type { Decider } from './decider.js';
import { refuse } from './errors.js';
import type { EventOf } from './events.js';
import { sumFen } from './money.js';
import { deductionOf, requireSigned } from './partner-decide.js';
import { evolvePartner, initialPartnerState, type PartnerState } from './partner.js';
import { dueLines, signedCommissionFen, type UnsettledLine } from './payout-lines.js';
import { compareQuarters, quarterEnd } from './quarter.js';

export { signedCommissionFen, type UnsettledLine } from './payout-lines.js';

export interface PayoutCommand {
  partnerId: string;
  quarter: string;
}

export interface PayoutContext extends DecideContext {
  /** The partner's commission lines no payout settled yet, as the read model knows them. */
  lines: readonly UnsettledLine[];
  /** The log position up to which the lines were known (the read model's position). */
  throughPosition: bigint;
}

export type PayoutEvent = EventOf<'CommissionPaidOut' | 'DepositDeducted'>;

/**
 * Payout order: quarters are paid in order. A quarter earlier than one already paid to the
 * partner is refused (its late lines go into the next payout as prior-period adjustments). A
 * payout runs over every partner, so the command checks every partner before writing any.
 */
export function requirePayoutInOrder(state: PartnerState, quarter: string): void {
  if (state.lastPaidQuarter === null || compareQuarters(quarter, state.lastPaidQuarter) >= 0) return;
  refuse('payout-quarter-out-of-order', `payout refused: ${quarter} is earlier than ${state.lastPaidQuarter}, already paid to partner ${state.partnerId}; later lines go into the next payout`, {
    quarter,
    lastPaidQuarter: state.lastPaidQuarter,
    partnerId: state.partnerId,
  });
}

export function decidePayout(command: PayoutCommand, state: PartnerState, ctx: PayoutContext): PayoutEvent[] {
  requireSigned(state, command.partnerId);
  if (state.paidQuarters.has(command.quarter)) return []; // paying the same quarter twice writes nothing
  requirePayoutInOrder(state, command.quarter);
  const endsAt = quarterEnd(command.quarter, ctx.policy.timeZone);
  const due = dueLines(ctx.lines, state.settledLineIds, { quarterEnd: endsAt, paidAt: ctx.occurredAt });
  if (due.length === 0) return [];
  const netFen = sumFen(due.map(signedCommissionFen));
  const debtRecoveredFen = netFen > 0 ? Math.min(state.debtFen, netFen) : 0;
  const paidFen = Math.max(0, netFen - debtRecoveredFen);
  const paid = eventOf('CommissionPaidOut', {
    partnerId: command.partnerId,
    quarter: command.quarter,
    quarterEnd: endsAt,
    throughPosition: ctx.throughPosition.toString(),
    lines: due.map((l) => ({ eventId: l.eventId, commissionFen: signedCommissionFen(l) })),
    netFen,
    debtRecoveredFen,
    paidFen,
  });
  if (paidFen < 0 || paidFen + debtRecoveredFen !== Math.max(0, netFen)) throw new Error('payout arithmetic broke its invariant');
  if (netFen >= 0) return [paid];
  const reason = `clawbacks exceed earnings in the ${command.quarter} payout by ${-netFen} fen`;
  return [paid, deductionOf(state, -netFen, reason, `payout ${command.quarter}`)];
}

/** The payout as a decider on the partner's stream. */
export const payoutDecider: Decider<PayoutCommand, PartnerState, PayoutEvent, PayoutContext> = {
  decide: decidePayout,
  evolve: evolvePartner,
  initialState: initialPartnerState,
};
