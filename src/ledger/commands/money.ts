// Cash received and refunded, each on the customer's stream: the commission it earns or claws
// back is decided with it (src/domain/customer-decide.ts, commission rates in the policy).
import { z } from 'zod';
import { ownerClaimAt } from '../../domain/customer.js';
import { refuse } from '../../domain/errors.js';
import { RevenueLine } from '../../domain/events.js';
import { defineCommand, occurredAtOf, outcome, partnerStateOf } from '../command-handling.js';
import { customerKeyOfDeal, decideOnCustomer } from './deals.js';
import { AmountFen, EntityId, FreeText, OccurredAt } from './fields.js';

export const receivePayment = defineCommand({
  name: 'receivePayment',
  input: z.strictObject({ paymentId: EntityId, dealId: EntityId, line: RevenueLine, amount: AmountFen, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const key = await customerKeyOfDeal(deps, input.dealId);
    const h = await decideOnCustomer(
      deps,
      ctx,
      key,
      occurredAt,
      { type: 'ReceivePayment', data: { paymentId: input.paymentId, dealId: input.dealId, line: input.line, amountFen: input.amount } },
      (_s, events) => {
        const received = events.find((e) => e.type === 'PaymentReceived');
        const accrued = events.find((e) => e.type === 'CommissionAccrued');
        const r = received?.type === 'PaymentReceived' ? received.data : null;
        const c = accrued?.type === 'CommissionAccrued' ? accrued.data : null;
        return {
          paymentId: input.paymentId,
          customerKey: key,
          dealId: input.dealId,
          amountFen: input.amount,
          ownerDealId: r?.ownerDealId ?? null,
          ownerPartnerId: r?.ownerPartnerId ?? null,
          noCommissionReason: r?.noCommissionReason ?? null,
          commission: c && { partnerId: c.partnerId, tier: c.tier, commissionYear: c.commissionYear, rateBps: c.rateBps, commissionFen: c.commissionFen },
        };
      },
      async (state) => {
        const owner = ownerClaimAt(state, occurredAt);
        return { ownerPartner: owner?.partnerId ? await partnerStateOf(deps.store, owner.partnerId) : null };
      },
    );
    return outcome(h.answer, [h]);
  },
});

export const issueRefund = defineCommand({
  name: 'issueRefund',
  input: z.strictObject({ refundId: EntityId, paymentId: EntityId, amount: AmountFen, reason: FreeText, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    await deps.lookups.catchUp();
    const key = await deps.lookups.customerKeyOfPayment(input.paymentId);
    if (key === null) refuse('payment-unknown', `payment ${input.paymentId} is not recorded`, { paymentId: input.paymentId }, 'not-found');
    const command = { type: 'IssueRefund', data: { refundId: input.refundId, paymentId: input.paymentId, amountFen: input.amount, reason: input.reason } } as const;
    const h = await decideOnCustomer(deps, ctx, key, occurredAt, command, (_s, events) => {
      const claw = events.find((e) => e.type === 'CommissionClawedBack');
      const c = claw?.type === 'CommissionClawedBack' ? claw.data : null;
      return { refundId: input.refundId, paymentId: input.paymentId, customerKey: key, amountFen: input.amount, clawback: c && { partnerId: c.partnerId, rateBps: c.rateBps, commissionFen: c.commissionFen } };
    });
    return outcome(h.answer, [h]);
  },
});
