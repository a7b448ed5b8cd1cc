// Decisions on a wholesale-voice reseller's traffic. A bill is a fact: it is recorded whatever
// the credit limit says (traffic already carried is billed); the limit (the deposit) decides
// whether service goes on, which credit-suspension.ts records. A bill recorded while the credit
// is suspended says so (whileSuspended). A settlement larger than the unpaid traffic is
// refused. Concurrent bills for one reseller all append to its partner stream with the
// revision they decided on, so they serialise there and the suspension is decided once.
import { requireAmountFen } from './amount-limit.js';
import { type DecideContext, eventOf } from './decide-context.js';
import type { Decider } from './decider.js';
import { assertNever, refuse } from './errors.js';
import type { EventOf } from './events.js';
import { formatFen } from './money.js';
import { evolvePartner, initialPartnerState, type PartnerState } from './partner.js';
import { requireSigned } from './partner-decide.js';
import type { Policy } from './policy.js';
import { trafficOutstandingFen } from './traffic.js';

export const WHOLESALE_VOICE = 'wholesale-voice';

export interface BillTraffic {
  partnerId: string;
  billId: string;
  amountFen: number;
  period: string;
}

export interface SettleTraffic {
  partnerId: string;
  settlementId: string;
  amountFen: number;
}

/** The deposit a wholesale-voice reseller must hold before its first bill (policy data). */
export function wholesaleMinimumFen(policy: Policy): number {
  return policy.deposits.minimumByKindFen[WHOLESALE_VOICE] ?? 0;
}

/** A bill (never refused for the credit limit), or nothing when the same bill (same id, amount and period) is recorded already. */
export function decideTrafficBill(c: BillTraffic, state: PartnerState, policy: Policy): Array<EventOf<'TrafficBilled'>> {
  requireSigned(state, c.partnerId);
  requireAmountFen(c.amountFen, policy, 'traffic bill');
  const known = state.traffic.bills.get(c.billId);
  if (known) {
    if (known.amountFen === c.amountFen && known.period === c.period) return [];
    refuse('bill-id-taken', `bill ${c.billId} is already recorded for partner ${c.partnerId} with ${formatFen(known.amountFen)} for ${known.period}`, { billId: c.billId }, 'conflict');
  }
  if (state.kind !== WHOLESALE_VOICE) {
    refuse('traffic-wholesale-voice-only', `traffic is billed only to wholesale-voice resellers; partner ${c.partnerId} is ${state.kind}`, { partnerId: c.partnerId, kind: state.kind });
  }
  const minimumFen = wholesaleMinimumFen(policy);
  if (state.traffic.bills.size === 0 && state.depositFen < minimumFen) {
    refuse(
      'traffic-deposit-below-minimum',
      `a wholesale-voice reseller must hold at least ${formatFen(minimumFen)} before its first bill; partner ${c.partnerId} holds ${formatFen(state.depositFen)} (${formatFen(minimumFen - state.depositFen)} short)`,
      { minimumFen, depositFen: state.depositFen, shortfallFen: minimumFen - state.depositFen },
    );
  }
  const creditLimitFen = state.depositFen;
  const afterFen = trafficOutstandingFen(state.traffic) + c.amountFen;
  const whileSuspended = state.traffic.suspended;
  return [eventOf('TrafficBilled', { billId: c.billId, partnerId: c.partnerId, amountFen: c.amountFen, period: c.period, creditLimitFen, outstandingFen: afterFen, whileSuspended })];
}

/** A settlement, or nothing when the same settlement (same id and amount) is recorded already. */
export function decideTrafficSettlement(c: SettleTraffic, state: PartnerState, policy: Policy): Array<EventOf<'TrafficSettled'>> {
  requireSigned(state, c.partnerId);
  requireAmountFen(c.amountFen, policy, 'traffic settlement');
  const known = state.traffic.settlements.get(c.settlementId);
  if (known !== undefined) {
    if (known === c.amountFen) return [];
    refuse('settlement-id-taken', `settlement ${c.settlementId} is already recorded for partner ${c.partnerId} with ${formatFen(known)}`, { settlementId: c.settlementId }, 'conflict');
  }
  const outstandingFen = trafficOutstandingFen(state.traffic);
  if (c.amountFen > outstandingFen) {
    refuse(
      'traffic-settlement-exceeds-outstanding',
      `settlement ${c.settlementId} of ${formatFen(c.amountFen)} refused: only ${formatFen(outstandingFen)} of traffic is outstanding for partner ${c.partnerId}`,
      { amountFen: c.amountFen, outstandingFen, excessFen: c.amountFen - outstandingFen },
    );
  }
  return [eventOf('TrafficSettled', { settlementId: c.settlementId, partnerId: c.partnerId, amountFen: c.amountFen, outstandingFen: outstandingFen - c.amountFen })];
}


export type TrafficCommand = { type: 'BillTraffic'; data: BillTraffic } | { type: 'SettleTraffic'; data: SettleTraffic };
export type TrafficEvent = EventOf<'TrafficBilled' | 'TrafficSettled'>;

/** Wholesale-voice traffic on the reseller's stream, in the one decider shape. */
export function decideTraffic(command: TrafficCommand, state: PartnerState, ctx: DecideContext): TrafficEvent[] {
  switch (command.type) {
    case 'BillTraffic':
      return decideTrafficBill(command.data, state, ctx.policy);
    case 'SettleTraffic':
      return decideTrafficSettlement(command.data, state, ctx.policy);
    default:
      return assertNever(command, 'traffic command');
  }
}

export const trafficDecider: Decider<TrafficCommand, PartnerState, TrafficEvent, DecideContext> = {
  decide: decideTraffic,
  evolve: evolvePartner,
  initialState: initialPartnerState,
};
