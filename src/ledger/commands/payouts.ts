// Quarterly payouts over every partner: which lines are due and how they net (payout-lines.ts),
// the order of quarters and the settlement itself (payout.ts) are the domain's. Here the read
// model is asked for each partner's unsettled lines, every partner is checked for the order
// before anything is written, and each partner is paid on its own stream.
import { z } from 'zod';
import type { EventDataOf } from '../../domain/events.js';
import { type AdjustmentLine, adjustmentsOf } from '../../domain/policy-adoption.js';
import { decidePayout, requirePayoutInOrder, type UnsettledLine } from '../../domain/payout.js';
import { defineCommand, type HandledCommand, occurredAtOf, onPartnerStream, outcome, partnerStateOf } from '../command-handling.js';
import type { LookupLine } from '../lookups.js';
import { depsForQuarter } from '../policy-book.js';
import { OccurredAt, Quarter } from './fields.js';

export function toUnsettledLine(line: LookupLine): UnsettledLine {
  return {
    eventId: line.eventId,
    type: line.kind === 'accrual' ? 'CommissionAccrued' : 'CommissionClawedBack',
    commissionFen: Math.abs(line.commissionFen),
    paymentId: line.paymentId,
    occurredAt: line.cashAt,
    position: BigInt(line.position),
  };
}

/** A back-dated policy version's adjustment as a payout line: due like the line it adjusts (payout-lines.ts). */
export function adjustmentLine(a: AdjustmentLine): UnsettledLine {
  return {
    eventId: a.eventId,
    type: 'CommissionAdjusted',
    commissionFen: a.signedFen,
    paymentId: a.paymentId,
    occurredAt: a.kind === 'accrual' ? a.cashAt : a.lineAt,
    position: a.position,
    adjusts: { kind: a.kind, adjustedAt: a.adjustedAt },
  };
}

export interface PayoutAnswerLine {
  partnerId: string;
  lines: number;
  netFen: number;
  debtRecoveredFen: number;
  paidFen: number;
  deductedFen: number;
  addedDebtFen: number;
}

function answerLine(partnerId: string, stored: HandledCommand<unknown>['stored']): PayoutAnswerLine | null {
  const paid = stored.find((e) => e.type === 'CommissionPaidOut')?.data as EventDataOf<'CommissionPaidOut'> | undefined;
  const deducted = stored.find((e) => e.type === 'DepositDeducted')?.data as EventDataOf<'DepositDeducted'> | undefined;
  if (!paid) return null;
  return {
    partnerId,
    lines: paid.lines.length,
    netFen: paid.netFen,
    debtRecoveredFen: paid.debtRecoveredFen,
    paidFen: paid.paidFen,
    deductedFen: deducted?.deductedFen ?? 0,
    addedDebtFen: deducted?.debtFen ?? 0,
  };
}

/** Pays the quarter for every partner with due lines; a quarter paid already writes nothing. (A payout cut short by a crash is completed by running it again.) */
export const payOut = defineCommand({
  name: 'payOut',
  input: z.strictObject({ quarter: Quarter, occurredAt: OccurredAt }),
  async run(commandDeps, input, ctx) {
    // A quarter's payout is decided (and its events named) under the version in force at its end.
    const deps = depsForQuarter(commandDeps, input.quarter);
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const policyState = commandDeps.policies ? await commandDeps.policies.refresh(deps.store) : null;
    await deps.lookups.catchUp();
    const throughPosition = await deps.store.headPosition();
    const partnerIds = await deps.lookups.partnerIds();
    for (const partnerId of partnerIds) requirePayoutInOrder(await partnerStateOf(deps.store, partnerId), input.quarter);
    const handled: Array<HandledCommand<unknown>> = [];
    const payouts: PayoutAnswerLine[] = [];
    const context = { policy: deps.policy, occurredAt, actor: ctx.actor, throughPosition };
    for (const partnerId of partnerIds) {
      const adjustments = policyState ? adjustmentsOf(policyState, partnerId).filter((a) => a.position <= throughPosition) : [];
      const lines = [...(await deps.lookups.unsettledLines(partnerId)).map(toUnsettledLine), ...adjustments.map(adjustmentLine)];
      const h = await onPartnerStream<null>(deps, ctx, partnerId, occurredAt, (state) => ({
        events: decidePayout({ partnerId, quarter: input.quarter }, state, { ...context, lines }),
        answer: () => null,
      }));
      handled.push(h);
      const line = answerLine(partnerId, h.stored);
      if (line) payouts.push(line);
    }
    return outcome({ quarter: input.quarter, payouts }, handled);
  },
});
