// The rule: two departments agree on a handover. DOMAIN.md: if the owner shows no clear progress
// for 4 weeks, the channel and key-account departments may hand the customer to the other
// claimant: a transfer, with a reason, that takes effect only when both departments have agreed
// (two different managers: one proposes, the other approves).
//  - A manager proposes the transfer (TransferProposed, with its id): from the owning claim
//    (transfer-from-not-owner) to another live claim on the customer (transfer-target-invalid),
//    with a reason (transfer-reason-required); refused while a ruling stands (ruling-stands),
//    while another proposal on the customer waits (transfer-already-pending), and unless the
//    owner's last progress (its registration or latest stage advance, by occurredAt) lies at least
//    ownership.idleTransferDays (default 28) before it (transfer-owner-not-idle). Nothing moves.
//  - A manager other than the proposer approves it (transfer-needs-second-manager: the actor's id
//    is the token's name): DealTransferred, naming the proposal, who proposed and who approved.
//    Every condition is checked again at the approval's time (an owner that advanced meanwhile
//    keeps the customer), and the approval is not dated before the proposal.
//  - Instead a manager other than the proposer may reject it, with a reason or none
//    (TransferRejected): the customer stays. A proposal is approved or rejected once
//    (transfer-not-pending), and then the customer may see a new one.
import { ownerWords, requireClaim } from './claim-checks.js';
import type { Claim, CustomerState, TransferRecord } from './customer.js';
import { ownerClaim, pendingTransfer } from './customer.js';
import { type DecideContext, eventOf, requiredText, requireManager, wholeDaysBetween } from './decide-context.js';
import { refuse } from './errors.js';
import type { EventOf } from './events.js';
import { DAY_MS } from './policy.js';

export type TransferCommand =
  | { type: 'ProposeTransfer'; data: { transferId: string; fromDealId: string; toDealId: string; reason: string } }
  | { type: 'ApproveTransfer'; data: { transferId: string; reason: string | null } }
  | { type: 'RejectTransfer'; data: { transferId: string; reason: string | null } };

export type TransferEvent = EventOf<'TransferProposed' | 'DealTransferred' | 'TransferRejected'>;

export function decideTransferCommand(command: TransferCommand, state: CustomerState, ctx: DecideContext): TransferEvent {
  switch (command.type) {
    case 'ProposeTransfer':
      return decideProposal(command.data, state, ctx);
    case 'ApproveTransfer':
      return decideApproval(command.data, state, ctx);
    case 'RejectTransfer':
      return decideRejection(command.data, state, ctx);
  }
}

/**
 * What a transfer from → to needs at the instant of the decision (proposal or approval): the
 * owner hands over, to another live claim, no ruling stands, the owner idle long enough.
 * Returns the owner's idle days.
 */
function requireTransferable(state: CustomerState, fromDealId: string, toDealId: string, ctx: DecideContext, what: string): { from: Claim; to: Claim; ownerIdleDays: number } {
  const from = requireClaim(state, fromDealId);
  const owner = ownerClaim(state);
  if (owner?.dealId !== from.dealId) {
    refuse('transfer-from-not-owner', `${what} refused: deal ${from.dealId} does not own customer ${state.customerKey}; ${ownerWords(state)}`, {
      fromDealId: from.dealId,
      ownerDealId: owner?.dealId ?? null,
    });
  }
  const to = requireClaim(state, toDealId);
  if (to.dealId === from.dealId || to.lost) {
    refuse('transfer-target-invalid', `${what} refused: deal ${to.dealId} is not another live claim on customer ${state.customerKey}`, {
      toDealId: to.dealId,
    });
  }
  if (state.override?.kind === 'ruling') {
    refuse('ruling-stands', `${what} refused: a ruling at ${state.override.occurredAt} made deal ${state.override.dealId} the owner; only a new ruling changes it`, {
      ruledAt: state.override.occurredAt,
    });
  }
  const idleMs = Date.parse(ctx.occurredAt) - Date.parse(owner.lastProgressAt);
  const windowDays = ctx.policy.ownership.idleTransferDays;
  const days = wholeDaysBetween(owner.lastProgressAt, ctx.occurredAt);
  if (idleMs < windowDays * DAY_MS) {
    const did = owner.stage === null ? 'registered the customer' : 'advanced the deal';
    const when = idleMs < 0 ? "after the transfer's time" : `${days} day${days === 1 ? '' : 's'} ago`;
    refuse('transfer-owner-not-idle', `${what} refused: the owner ${did} ${when}; ${windowDays} days without progress are required`, {
      ownerIdleDays: Math.max(0, days),
      requiredIdleDays: windowDays,
      lastProgressAt: owner.lastProgressAt,
    });
  }
  return { from, to, ownerIdleDays: days };
}

function decideProposal(d: Extract<TransferCommand, { type: 'ProposeTransfer' }>['data'], state: CustomerState, ctx: DecideContext): EventOf<'TransferProposed'> {
  requireManager(ctx, 'transfer-needs-manager', 'transfer');
  const reason = requiredText(d.reason, 'transfer-reason-required', 'a reason for the transfer');
  if (state.transfers.has(d.transferId)) {
    refuse('transfer-id-taken', `transfer ${d.transferId} is already recorded on customer ${state.customerKey}`, { transferId: d.transferId }, 'conflict');
  }
  const waiting = pendingTransfer(state);
  if (waiting !== null) {
    refuse(
      'transfer-already-pending',
      `transfer refused: transfer ${waiting.transferId} (deal ${waiting.fromDealId} to deal ${waiting.toDealId}, proposed by ${waiting.proposedBy} at ${waiting.proposedAt}) waits for another manager's approval or rejection`,
      { pendingTransferId: waiting.transferId },
    );
  }
  const { from, to, ownerIdleDays } = requireTransferable(state, d.fromDealId, d.toDealId, ctx, 'transfer');
  return eventOf('TransferProposed', {
    transferId: d.transferId,
    customerKey: state.customerKey,
    fromDealId: from.dealId,
    toDealId: to.dealId,
    reason,
    ownerIdleDays,
    proposedBy: ctx.actor.id,
  });
}

/** The proposal a decision acts on: known, still pending, and decided by a manager other than its proposer. */
function requirePendingForSecondManager(state: CustomerState, transferId: string, ctx: DecideContext, what: 'approval' | 'rejection'): TransferRecord {
  requireManager(ctx, 'transfer-needs-manager', `transfer ${what}`);
  const proposal = state.transfers.get(transferId);
  if (!proposal) refuse('transfer-unknown', `no transfer ${transferId}`, { transferId }, 'not-found');
  if (proposal.status !== 'pending') {
    refuse('transfer-not-pending', `transfer ${what} refused: transfer ${transferId} was already ${proposal.status}`, { transferId, status: proposal.status });
  }
  if (proposal.proposedBy === ctx.actor.id) {
    refuse(
      'transfer-needs-second-manager',
      `transfer ${what} refused: manager ${ctx.actor.id} proposed transfer ${transferId}; a handover takes two departments' agreement, so another manager decides it`,
      { transferId, proposedBy: proposal.proposedBy },
    );
  }
  if (ctx.occurredAt < proposal.proposedAt) {
    refuse('transfer-decided-before-proposal', `transfer ${what} refused: ${ctx.occurredAt} is before the proposal at ${proposal.proposedAt}`, {
      occurredAt: ctx.occurredAt,
      proposedAt: proposal.proposedAt,
    });
  }
  return proposal;
}

function decideApproval(d: Extract<TransferCommand, { type: 'ApproveTransfer' }>['data'], state: CustomerState, ctx: DecideContext): EventOf<'DealTransferred'> {
  const proposal = requirePendingForSecondManager(state, d.transferId, ctx, 'approval');
  const { from, to, ownerIdleDays } = requireTransferable(state, proposal.fromDealId, proposal.toDealId, ctx, 'transfer approval');
  const approvalReason = d.reason?.trim() || null;
  return eventOf('DealTransferred', {
    customerKey: state.customerKey,
    fromDealId: from.dealId,
    toDealId: to.dealId,
    reason: proposal.reason,
    ownerIdleDays,
    transferId: proposal.transferId,
    proposedBy: proposal.proposedBy,
    approvedBy: ctx.actor.id,
    ...(approvalReason === null ? {} : { approvalReason }),
  });
}

function decideRejection(d: Extract<TransferCommand, { type: 'RejectTransfer' }>['data'], state: CustomerState, ctx: DecideContext): EventOf<'TransferRejected'> {
  const proposal = requirePendingForSecondManager(state, d.transferId, ctx, 'rejection');
  return eventOf('TransferRejected', {
    transferId: proposal.transferId,
    customerKey: state.customerKey,
    fromDealId: proposal.fromDealId,
    toDealId: proposal.toDealId,
    reason: d.reason?.trim() || null,
    rejectedBy: ctx.actor.id,
  });
}
