// Decisions on a partner's stream: signing, deposits and deductions, manual tier changes,
// and the deposit requirement. Payouts and tier evaluation live in payout.ts and tiers.ts.
import { requireAmountFen } from './amount-limit.js';
import { type DecideContext, eventOf, requiredText } from './decide-context.js';
import { assertNever, refuse } from './errors.js';
import type { EventDataOf, EventOf } from './events.js';
import { formatFen } from './money.js';
import { depositRequiredFen, isTier, type Policy } from './policy.js';
import { currentTier, type PartnerState } from './partner.js';

export type PartnerCommand =
  | { type: 'SignPartner'; data: EventDataOf<'PartnerSigned'> }
  | { type: 'PostDeposit'; data: { partnerId: string; amountFen: number } }
  | { type: 'DeductDeposit'; data: { partnerId: string; amountFen: number; reason: string; reference: string | null } }
  | { type: 'ChangeTier'; data: { partnerId: string; tier: string; reason: string } };

export interface PartnerDecideContext extends DecideContext {
  /** The parent partner's state when SignPartner names one (loaded by the command layer). */
  parent?: PartnerState | null;
}

export type PartnerEvent = EventOf<'PartnerSigned' | 'DepositPosted' | 'DepositDeducted' | 'TierChanged'>;

export function decidePartner(command: PartnerCommand, state: PartnerState, ctx: PartnerDecideContext): PartnerEvent[] {
  switch (command.type) {
    case 'SignPartner':
      return [decideSigning(command.data, state, ctx)];
    case 'PostDeposit':
      requireSigned(state, command.data.partnerId);
      requireAmountFen(command.data.amountFen, ctx.policy, 'deposit');
      return [eventOf('DepositPosted', { partnerId: command.data.partnerId, amountFen: command.data.amountFen })];
    case 'DeductDeposit': {
      requireSigned(state, command.data.partnerId);
      requireAmountFen(command.data.amountFen, ctx.policy, 'deduction');
      const reason = requiredText(command.data.reason, 'deduction-reason-required', 'a deduction reason');
      return [deductionOf(state, command.data.amountFen, reason, command.data.reference)];
    }
    case 'ChangeTier':
      return [decideTierChange(command.data, state, ctx.policy)];
    default:
      return assertNever(command, 'partner command');
  }
}

function decideSigning(d: EventDataOf<'PartnerSigned'>, state: PartnerState, ctx: PartnerDecideContext): EventOf<'PartnerSigned'> {
  if (state.signed) {
    refuse('partner-already-signed', `partner ${d.partnerId} is already signed (since ${state.signedAt})`, { partnerId: d.partnerId }, 'conflict');
  }
  requireKnownTier(ctx.policy, d.tier);
  if (d.parentPartnerId !== null) {
    if (d.parentPartnerId === d.partnerId) refuse('parent-partner-invalid', `partner ${d.partnerId} cannot be its own parent`);
    if (!ctx.parent?.signed || ctx.parent.partnerId !== d.parentPartnerId) {
      refuse('parent-partner-unknown', `parent partner ${d.parentPartnerId} is not signed`, { parentPartnerId: d.parentPartnerId }, 'not-found');
    }
  }
  return eventOf('PartnerSigned', { ...d, name: d.name.trim() });
}

export function requireSigned(state: PartnerState, partnerId: string): void {
  if (!state.signed) refuse('partner-unknown', `partner ${partnerId} is not signed`, { partnerId }, 'not-found');
  if (state.partnerId !== partnerId) throw new Error(`partner state of ${state.partnerId} used for ${partnerId}`);
}


function requireKnownTier(policy: Policy, tier: string): void {
  if (!isTier(policy, tier)) {
    refuse('tier-unknown', `tier "${tier}" is not one of policy ${policy.version}'s tiers (${policy.tiers.join(', ')})`, { tier });
  }
}

/** Deposits never go below zero: what the deposit cannot cover becomes the partner's debt. */
export function deductionOf(state: PartnerState, requestedFen: number, reason: string, reference: string | null): EventOf<'DepositDeducted'> {
  const deductedFen = Math.min(state.depositFen, requestedFen);
  return eventOf('DepositDeducted', {
    partnerId: state.partnerId!,
    requestedFen,
    deductedFen,
    debtFen: requestedFen - deductedFen,
    reason,
    reference,
  });
}

function decideTierChange(d: { partnerId: string; tier: string; reason: string }, state: PartnerState, policy: Policy): EventOf<'TierChanged'> {
  requireSigned(state, d.partnerId);
  requireKnownTier(policy, d.tier);
  const reason = requiredText(d.reason, 'tier-reason-required', 'a reason for the tier change');
  const from = currentTier(state)!;
  if (from === d.tier) refuse('tier-unchanged', `partner ${d.partnerId} is already ${from}`, { tier: from });
  return eventOf('TierChanged', { partnerId: d.partnerId, from, to: d.tier, reason, source: 'manual', quarter: null, figures: {} });
}

export interface DepositRequirement {
  tier: string;
  requiredFen: number;
  depositFen: number;
  shortfallFen: number;
  /** In words, e.g. "gold requires 90,000.00 CNY; 40,000.00 CNY held; 50,000.00 CNY short". */
  detail: string;
}

/** The deposit the partner's tier (and kind) requires, what it holds and the shortfall. */
export function depositRequirement(state: PartnerState, policy: Policy): DepositRequirement {
  if (!state.signed) throw new Error('a deposit requirement needs a signed partner');
  const tier = currentTier(state)!;
  const requiredFen = depositRequiredFen(policy, tier, state.kind!);
  const shortfallFen = Math.max(0, requiredFen - state.depositFen);
  const detail = `${tier} ${state.kind} requires ${formatFen(requiredFen)}; ${formatFen(state.depositFen)} held; ${formatFen(shortfallFen)} short`;
  return { tier, requiredFen, depositFen: state.depositFen, shortfallFen, detail };
}
