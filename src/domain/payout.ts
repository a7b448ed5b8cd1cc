// Quarterly payouts: pay every commission line with cash on or before the quarter's end that
// no payout settled yet, net of clawbacks; recover carried debt first; a negative net is taken
// from the deposit as far as it goes and the rest is kept as debt. Payable is never negative.
import { type DecideContext, eventOf } from './decide-context.js';
import { refuse } from './errors.js';
import type { EventOf } from './events.js';
import { sumFen } from './money.js';
import { deductionOf, requireSigned } from './partner-decide.js';
import type { PartnerState } from './partner.js';
import { compareQuarters, quarterEnd } from './quarter.js';

/** A commission line the read model knows for the partner and no payout settled yet. */
export interface UnsettledLine {
  eventId: string;
  type: 'CommissionAccrued' | 'CommissionClawedBack';
  /** As in the event: never negative; a clawback counts against the partner. */
  commissionFen: number;
  /** When the cash was received (accrual) or returned (clawback). */
  occurredAt: string;
  position: bigint;
}

export interface PayoutCommand {
  partnerId: string;
  quarter: string;
}

export interface PayoutContext extends DecideContext {
  /** The log position up to which the lines were known (the read model's position). */
  throughPosition: bigint;
}

export type PayoutEvent = EventOf<'CommissionPaidOut' | 'DepositDeducted'>;

export const signedCommissionFen = (line: UnsettledLine): number => (line.type === 'CommissionAccrued' ? line.commissionFen : -line.commissionFen);

export function decidePayout(command: PayoutCommand, state: PartnerState, lines: readonly UnsettledLine[], ctx: PayoutContext): PayoutEvent[] {
  requireSigned(state, command.partnerId);
  if (state.paidQuarters.has(command.quarter)) return []; // paying the same quarter twice writes nothing
  if (state.lastPaidQuarter !== null && compareQuarters(command.quarter, state.lastPaidQuarter) < 0) {
    refuse('payout-quarter-out-of-order', `payout refused: ${command.quarter} is earlier than ${state.lastPaidQuarter}, already paid; later lines go into the next payout`, {
      quarter: command.quarter,
      lastPaidQuarter: state.lastPaidQuarter,
    });
  }
  const endsAt = quarterEnd(command.quarter, ctx.policy.timeZone);
  const due = dueLines(state, lines, endsAt);
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

/** Lines with cash on or before the quarter's end, not settled, each once, in log order. */
function dueLines(state: PartnerState, lines: readonly UnsettledLine[], endsAt: string): UnsettledLine[] {
  const seen = new Set<string>();
  const due: UnsettledLine[] = [];
  for (const line of lines) {
    if (line.occurredAt > endsAt || state.settledLineIds.has(line.eventId) || seen.has(line.eventId)) continue;
    if (!Number.isSafeInteger(line.commissionFen) || line.commissionFen < 0) throw new Error(`line ${line.eventId}: commission must be non-negative fen`);
    seen.add(line.eventId);
    due.push(line);
  }
  return due.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}
