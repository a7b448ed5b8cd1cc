// Customer bills, their collection, the vendor's-fault exemption and the arrears deduction, each
// on the partner's own stream. The rules are src/domain/customer-bills.ts and
// src/domain/arrears-deduction.ts; here the billed deal is looked up on its customer's stream,
// and the deduction runs over every partner.
import { z } from 'zod';
import { decideArrearsDeduction, deductibleFrom } from '../../domain/arrears-deduction.js';
import { type BilledDeal, decideCustomerBill, decideCollection, decideExemption, outstandingOf } from '../../domain/customer-bills.js';
import { findClaim } from '../../domain/customer.js';
import type { DecideContext } from '../../domain/decide-context.js';
import { refuse } from '../../domain/errors.js';
import type { EventDataOf } from '../../domain/events.js';
import type { PartnerState } from '../../domain/partner.js';
import { tieWindowOf } from '../../domain/tie-window.js';
import { type CommandCtx, type CommandDeps, customerStateOf, defineCommand, type HandledCommand, occurredAtOf, onPartnerStream, outcome, policyAt } from '../command-handling.js';
import { AmountFen, EntityId, FreeText, IsoInstant, OccurredAt } from './fields.js';

/** One bill's deduction in the answer of POST /arrears-deductions. */
export interface ArrearsDeductionLine {
  partnerId: string;
  billId: string;
  requestedFen: number;
  deductedFen: number;
  addedDebtFen: number;
}

function contextOf(deps: CommandDeps, ctx: CommandCtx, occurredAt: string): DecideContext {
  return { policy: policyAt(deps, occurredAt), occurredAt, actor: ctx.actor };
}

/** The bill's figures as the partner's stream holds them after the command. */
function billAnswer(deps: CommandDeps, s: PartnerState, billId: string, recorded: boolean) {
  const bill = s.customerBills.bills.get(billId)!;
  return {
    partnerId: s.partnerId!,
    billId,
    dealId: bill.dealId,
    customerKey: bill.customerKey,
    amountFen: bill.amountFen,
    dueAt: bill.dueAt,
    collectedFen: bill.collectedFen,
    outstandingFen: outstandingOf(bill),
    /** From when the uncollected arrears may be deducted from the deposit (dueAt + the policy's grace). */
    deductibleFrom: deductibleFrom(bill, deps.policy),
    exempt: bill.exemptReason !== null,
    deducted: bill.deductedFen !== null,
    recorded,
  };
}

/** The deal a bill names, from its customer's stream (null: no such deal). */
async function billedDeal(deps: CommandDeps, dealId: string): Promise<BilledDeal | null> {
  await deps.lookups.catchUp();
  const key = await deps.lookups.customerKeyOfDeal(dealId);
  if (key === null) return null;
  const claim = findClaim(await customerStateOf(deps.store, key, tieWindowOf(deps.policy)), dealId);
  return claim === null ? null : { customerKey: key, partnerId: claim.partnerId, signedAt: claim.signedAt };
}

/** CustomerBillIssued: a bill to one of the partner's signed customers, for the partner to collect. */
export const recordCustomerBill = defineCommand({
  name: 'recordCustomerBill',
  input: z.strictObject({ partnerId: EntityId, billId: EntityId, dealId: EntityId, amount: AmountFen, dueAt: IsoInstant, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const deal = await billedDeal(deps, input.dealId);
    const bill = { partnerId: input.partnerId, billId: input.billId, dealId: input.dealId, amountFen: input.amount, dueAt: input.dueAt };
    const h = await onPartnerStream(deps, ctx, input.partnerId, occurredAt, (state) => ({
      events: decideCustomerBill(bill, state, deal, contextOf(deps, ctx, occurredAt)),
      answer: (s, events) => billAnswer(deps, s, input.billId, events.length > 0),
    }));
    return outcome(h.answer, [h]);
  },
});

/** CustomerBillCollected: the partner collected (part of) a bill; never more than is uncollected. */
export const collectCustomerBill = defineCommand({
  name: 'collectCustomerBill',
  input: z.strictObject({ partnerId: EntityId, billId: EntityId, collectionId: EntityId, amount: AmountFen, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const collection = { partnerId: input.partnerId, billId: input.billId, collectionId: input.collectionId, amountFen: input.amount };
    const h = await onPartnerStream(deps, ctx, input.partnerId, occurredAt, (state) => ({
      events: decideCollection(collection, state, contextOf(deps, ctx, occurredAt)),
      answer: (s, events) => ({ collectionId: input.collectionId, ...billAnswer(deps, s, input.billId, events.length > 0) }),
    }));
    return outcome(h.answer, [h]);
  },
});

/** ArrearsExempted: a manager records that the bill's arrears come from the vendor's own service-quality fault. */
export const exemptArrears = defineCommand({
  name: 'exemptArrears',
  input: z.strictObject({ partnerId: EntityId, billId: EntityId, reason: FreeText, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const exemption = { partnerId: input.partnerId, billId: input.billId, reason: input.reason };
    const h = await onPartnerStream(deps, ctx, input.partnerId, occurredAt, (state) => ({
      events: decideExemption(exemption, state, contextOf(deps, ctx, occurredAt)),
      answer: (s, events) => ({ ...billAnswer(deps, s, input.billId, events.length > 0), exemptReason: s.customerBills.bills.get(input.billId)!.exemptReason }),
    }));
    return outcome(h.answer, [h]);
  },
});

/**
 * DepositDeducted for every partner's arrears past the grace period as of `asOf` (finance, run
 * explicitly): what a deposit cannot cover becomes debt; bills deducted once are never deducted
 * again, so running it again writes nothing for them.
 */
export const deductArrears = defineCommand({
  name: 'deductArrears',
  input: z.strictObject({ asOf: IsoInstant, occurredAt: OccurredAt }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    if (input.asOf > occurredAt) {
      refuse('arrears-as-of-after-deduction', `asOf ${input.asOf} is after the deduction itself (${occurredAt}): arrears are deducted for what is overdue by then`, { field: 'asOf', asOf: input.asOf }, 'invalid');
    }
    await deps.lookups.catchUp();
    const handled: Array<HandledCommand<null>> = [];
    const deductions: ArrearsDeductionLine[] = [];
    for (const partnerId of await deps.lookups.partnerIds()) {
      const h = await onPartnerStream<null>(deps, ctx, partnerId, occurredAt, (state) => ({
        events: decideArrearsDeduction({ partnerId, asOf: input.asOf }, state, contextOf(deps, ctx, occurredAt)),
        answer: () => null,
      }));
      handled.push(h);
      for (const e of h.stored) {
        if (e.type !== 'DepositDeducted') continue;
        const d = e.data as EventDataOf<'DepositDeducted'>;
        deductions.push({ partnerId, billId: d.reference!.slice('arrears '.length), requestedFen: d.requestedFen, deductedFen: d.deductedFen, addedDebtFen: d.debtFen });
      }
    }
    return outcome({ asOf: input.asOf, graceDays: deps.policy.deposits.arrearsGraceDays, deductions }, handled);
  },
});
