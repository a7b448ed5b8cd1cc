// Wholesale-voice traffic: bills against a reseller's deposit and their settlements, on the
// reseller's own stream (concurrent bills for one reseller serialise on its revision). The
// rules are src/domain/traffic-decide.ts; the suspension or resumption a bill or a settlement
// causes is appended with it (src/domain/credit-suspension.ts, through onPartnerStream).
import { z } from 'zod';
import { BillingPeriod } from '../../domain/events.js';
import { partnerCreditStatus } from '../../domain/credit-suspension.js';
import type { LedgerEvent } from '../../domain/events.js';
import type { PartnerState } from '../../domain/partner.js';
import { creditUseOf, trafficOutstandingFen } from '../../domain/traffic.js';
import { decideTrafficBill, decideTrafficSettlement } from '../../domain/traffic-decide.js';
import { defineCommand, occurredAtOf, onPartnerStream, outcome, policyAt } from '../command-handling.js';
import { AmountFen, EntityId, OccurredAt } from './fields.js';

function creditAnswer(s: PartnerState, events: readonly LedgerEvent[]) {
  const change = events.find((e) => e.type === 'CreditSuspended' || e.type === 'CreditResumed')?.type ?? null;
  return {
    partnerId: s.partnerId!,
    ...creditUseOf(s.depositFen, trafficOutstandingFen(s.traffic)),
    creditStatus: partnerCreditStatus(s),
    /** 'CreditSuspended' or 'CreditResumed' when this command changed the status, else null. */
    creditStatusChange: change,
    recorded: events.length > 0,
  };
}

/** TrafficBilled, always (a bill is a fact), with the suspension it causes; the same bill again writes nothing. */
export const billTraffic = defineCommand({
  name: 'billTraffic',
  input: z.strictObject({ partnerId: EntityId, billId: EntityId, amount: AmountFen, period: BillingPeriod.meta({ example: '2026-07' }), occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const bill = { partnerId: input.partnerId, billId: input.billId, amountFen: input.amount, period: input.period };
    const h = await onPartnerStream(deps, ctx, input.partnerId, occurredAt, (state) => ({
      events: decideTrafficBill(bill, state, policyAt(deps, occurredAt)),
      answer: (s, events) => ({ billId: input.billId, whileSuspended: s.traffic.bills.get(input.billId)?.whileSuspended ?? false, ...creditAnswer(s, events) }),
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
      events: decideTrafficSettlement(settlement, state, policyAt(deps, occurredAt)),
      answer: (s, events) => ({ settlementId: input.settlementId, ...creditAnswer(s, events) }),
    }));
    return outcome(h.answer, [h]);
  },
});
