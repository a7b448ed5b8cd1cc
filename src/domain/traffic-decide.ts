// Decisions on a wholesale-voice reseller's traffic. The deposit is the credit limit: a bill
// that would take unpaid traffic above the deposit is refused and recorded nowhere; a
// settlement larger than the unpaid traffic is refused. Concurrent bills for one reseller all
// append to its partner stream with the revision they decided on, so they serialise there and
// the limit holds under races.
import { requireAmountFen } from './amount-limit.js';
import { eventOf } from './decide-context.js';
import { refuse } from './errors.js';
import type { EventOf } from './events.js';
import { formatFen } from './money.js';
import type { PartnerState } from './partner.js';
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

/** A bill, or nothing when the same bill (same id, amount and period) is recorded already. */
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
  const outstandingFen = trafficOutstandingFen(state.traffic);
  const creditLimitFen = state.depositFen;
  const afterFen = outstandingFen + c.amountFen;
  if (afterFen > creditLimitFen) {
    const shortfallFen = afterFen - creditLimitFen;
    refuse(
      'traffic-credit-limit',
      `bill ${c.billId} of ${formatFen(c.amountFen)} refused: the credit limit (the deposit) is ${formatFen(creditLimitFen)}, ${formatFen(outstandingFen)} is outstanding, so the bill is ${formatFen(shortfallFen)} over the limit; settle traffic or top up the deposit`,
      { creditLimitFen, outstandingFen, amountFen: c.amountFen, shortfallFen },
    );
  }
  return [eventOf('TrafficBilled', { billId: c.billId, partnerId: c.partnerId, amountFen: c.amountFen, period: c.period, creditLimitFen, outstandingFen: afterFen })];
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

