// Transfers: a manager proposes handing a customer from its owning deal to another claim; another
// manager approves (DealTransferred) or rejects it. Each decides on the customer's stream, found by
// the deal (a proposal) or by the transfer id (the read model's index); the rules are
// src/domain/transfers.ts.
import { z } from 'zod';
import type { CustomerCommand } from '../../domain/customer-decide.js';
import type { CustomerState, TransferRecord } from '../../domain/customer.js';
import { refuse } from '../../domain/errors.js';
import { type CommandCtx, type CommandDeps, defineCommand, occurredAtOf, outcome, uuidV5 } from '../command-handling.js';
import { customerKeyOfDeal, decideOnCustomer, ownershipSummary } from './deals.js';
import { EntityId, FreeText, OccurredAt } from './fields.js';

/** A proposal's id when the caller names none: from the command id, so a retry proposes the same transfer. */
export function transferIdOf(commandId: string): string {
  return `TR-${uuidV5(`transfer:${commandId}`).replace(/-/g, '').slice(0, 20)}`;
}

/** The customer a transfer is about (the read model's index, caught up); an unknown transfer is 404. */
async function customerKeyOfTransfer(deps: CommandDeps, transferId: string): Promise<string> {
  await deps.lookups.catchUp();
  return (await deps.lookups.customerKeyOfTransfer(transferId)) ?? refuse('transfer-unknown', `no transfer ${transferId}`, { transferId }, 'not-found');
}

export const transferDeal = defineCommand({
  name: 'transferDeal',
  input: z.strictObject({
    dealId: EntityId,
    toDealId: EntityId,
    reason: FreeText,
    transferId: EntityId.optional().meta({ description: "The proposal's id (default: one the ledger derives from the request); approve or reject it at /transfers/:id" }),
    occurredAt: OccurredAt,
  }),
  async run(deps, input, ctx) {
    const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
    const key = await customerKeyOfDeal(deps, input.dealId);
    const transferId = input.transferId ?? transferIdOf(ctx.commandId);
    const command: CustomerCommand = { type: 'ProposeTransfer', data: { transferId, fromDealId: input.dealId, toDealId: input.toDealId, reason: input.reason } };
    const h = await decideOnCustomer(deps, ctx, key, occurredAt, command, (s, events) => {
      const proposed = events[0]?.type === 'TransferProposed' ? events[0].data : null;
      return {
        transferId,
        status: 'proposed' as const,
        customerKey: key,
        fromDealId: input.dealId,
        toDealId: input.toDealId,
        ownerIdleDays: proposed?.ownerIdleDays ?? null,
        proposedBy: proposed?.proposedBy ?? ctx.actor.id,
        /** Nothing moved yet: the owner is still the proposing deal's customer. */
        ownership: ownershipSummary(s, input.dealId),
      };
    });
    return outcome(h.answer, [h]);
  },
});

/** The proposal a decided command acted on (it is in the state the answer is given from). */
function proposalIn(state: CustomerState, transferId: string): TransferRecord {
  const record = state.transfers.get(transferId);
  if (!record) throw new Error(`invariant: transfer ${transferId} is not on customer ${state.customerKey}`);
  return record;
}

const decision = z.strictObject({
  transferId: EntityId,
  reason: FreeText.optional(),
  occurredAt: OccurredAt,
});

async function decideOnTransfer<A>(deps: CommandDeps, ctx: CommandCtx, input: z.output<typeof decision>, command: CustomerCommand, answer: Parameters<typeof decideOnCustomer<A>>[5]) {
  const occurredAt = occurredAtOf(deps, ctx, input.occurredAt);
  const key = await customerKeyOfTransfer(deps, input.transferId);
  return decideOnCustomer(deps, ctx, key, occurredAt, command, answer);
}

export const approveTransfer = defineCommand({
  name: 'approveTransfer',
  input: decision,
  async run(deps, input, ctx) {
    const command: CustomerCommand = { type: 'ApproveTransfer', data: { transferId: input.transferId, reason: input.reason ?? null } };
    const h = await decideOnTransfer(deps, ctx, input, command, (s, events) => {
      const moved = events[0]?.type === 'DealTransferred' ? events[0].data : null;
      const record = proposalIn(s, input.transferId);
      return {
        transferId: input.transferId,
        status: 'approved' as const,
        customerKey: s.customerKey,
        fromDealId: record.fromDealId,
        toDealId: record.toDealId,
        ownerIdleDays: moved?.ownerIdleDays ?? null,
        proposedBy: record.proposedBy,
        approvedBy: moved?.approvedBy ?? ctx.actor.id,
        ownership: ownershipSummary(s, record.toDealId),
      };
    });
    return outcome(h.answer, [h]);
  },
});

export const rejectTransfer = defineCommand({
  name: 'rejectTransfer',
  input: decision,
  async run(deps, input, ctx) {
    const command: CustomerCommand = { type: 'RejectTransfer', data: { transferId: input.transferId, reason: input.reason ?? null } };
    const h = await decideOnTransfer(deps, ctx, input, command, (s, events) => {
      const rejected = events[0]?.type === 'TransferRejected' ? events[0].data : null;
      const record = proposalIn(s, input.transferId);
      return {
        transferId: input.transferId,
        status: 'rejected' as const,
        customerKey: s.customerKey,
        fromDealId: record.fromDealId,
        toDealId: record.toDealId,
        reason: rejected?.reason ?? null,
        proposedBy: record.proposedBy,
        rejectedBy: rejected?.rejectedBy ?? ctx.actor.id,
        ownership: ownershipSummary(s, record.fromDealId),
      };
    });
    return outcome(h.answer, [h]);
  },
});
