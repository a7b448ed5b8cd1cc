// Wholesale-voice traffic: bills against a reseller's deposit and their settlements, on the
// reseller's own stream (concurrent bills for one reseller serialise on its revision). The
// rules are src/domain/traffic-decide.ts.
import { z } from 'zod';
import { BillingPeriod } from '../../domain/events.js';
import type { PartnerState } from '../../domain/partner.js';
import { creditUseOf, trafficOutstandingFen } from '../../domain/traffic.js';
import { decideTrafficBill, decideTrafficSettlement } from '../../domain/traffic-decide.js';
import { defineCommand, occurredAtOf, onPartnerStream, outcome } from '../command-handling.js';
import { AmountFen, EntityId, OccurredAt } from './fields.js';

function creditAnswer(s: PartnerState, recorded: boolean) {
  return { partnerId: s.partnerId!, ...creditUseOf(s.depositFen, trafficOutstandingFen(s.traffic)), recorded };
}

/** TrafficBilled, or a 422 naming the limit, the outstanding traffic and the shortfall; the same bill again writes nothing. */
export const billTraffic = defineCommand({
  name: 'billTraffic',
  input: z.strictObject({ partnerId: EntityId, billId: EntityId, amount: AmountFen, period: BillingPeriod.meta({ example: '2026-07' }), occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const bill = { partnerId: input.partnerId, billId: input.billId, amountFen: input.amount, period: input.period };
    const h = await onPartnerStream(deps, ctx, input.partnerId, occurredAt, (state) => ({
      events: decideTrafficBill(bill, state, deps.policy),
      answer: (s, events) => ({ billId: input.billId, ...creditAnswer(s, events.length > 0) }),
    }));
    return outcome(h.answer, [h]);
  },
});

/** TrafficSettled, refused above the outstanding traffic; the same settlement again writes nothing. */
export const settleTraffic = defineCommand({
  name: 'settleTraffic',
  input: z.strictObject({ partnerId: EntityId, settlementId: EntityId, amount: AmountFen, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const settlement = { partnerId: input.partnerId, settlementId: input.settlementId, amountFen: input.amount };
    const h = await onPartnerStream(deps, ctx, input.partnerId, occurredAt, (state) => ({
      events: decideTrafficSettlement(settlement, state, deps.policy),
      answer: (s, events) => ({ settlementId: input.settlementId, ...creditAnswer(s, events.length > 0) }),
    }));
    return outcome(h.answer, [h]);
  },
});
