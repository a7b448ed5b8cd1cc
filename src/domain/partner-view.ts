// The partner-visibility rule (issue #19): what a partner may learn of a customer's claims.
// A partner registers a deal on any customer name it likes (a free claim), so nothing it learns
// through a claim may tell it who else works the customer. It learns:
//  - its own claims, in full (deal, channel, both times, stage, status) and the customer's name
//    as it spelled it;
//  - of the others only what the programme lets it know: whether another claim owns the customer
//    and since when (the owning claim's registration; the instant of a transfer or ruling that
//    made it the owner), and from when its own claim could be transferred to it (the policy's
//    idle window, ownership.idleTransferDays, after the owner's last progress; never while a
//    ruling stands, never for a claim of its that is lost);
//  - the rule as first-registration, transfer or ruling: ties, "recorded first" and "passed on
//    after a loss" read as first-registration, since each would tell it of another claim.
// Never another claim's deal id, partner, channel, stage, spelling of the name, or how many
// there are; an owning partner does not learn that competing claims exist at all. A partner with
// no claim on the customer learns nothing (null). Every partner view of a customer (its ownership,
// the conflicts report, command answers, refusals) is made by partnerViewOf.
import { type Claim, type ClaimStatus, type CustomerState, type Stage, ownerClaim, ownershipOf } from './customer.js';
import { DAY_MS, type Policy } from './policy.js';

/** The rule a partner is told: how the owning claim came to own the customer. */
export type PartnerOwnershipRule = 'first-registration' | 'transfer' | 'ruling' | 'none';

/** One of the partner's own claims, as every API answer shows a claim. */
export interface OwnClaimView {
  dealId: string;
  partnerId: string;
  channel: 'partner';
  registeredAt: string;
  recordedAt: string;
  stage: Stage | null;
  status: ClaimStatus;
}

export interface PartnerOwnershipView {
  customerKey: string;
  /** The customer's name as this partner spelled it (its first claim's registration). */
  customerName: string;
  /** Who owns the customer from this partner's side: one of its claims, another claim, or no live claim. */
  owner: 'self' | 'other' | 'none';
  /** Its own owning deal; null when another claim owns the customer or none does. */
  ownerDealId: string | null;
  /** Itself when it owns the customer; otherwise null. */
  ownerPartnerId: string | null;
  /** Since when the owning claim owns the customer: its registration, or the transfer or ruling; null when no claim owns it. */
  ownerSince: string | null;
  /**
   * From when a claim of its could be handed the customer: the owner's last progress plus the
   * policy's idle window. Null unless another claim owns the customer, no ruling stands and it
   * has a live claim.
   */
  transferableFrom: string | null;
  rule: PartnerOwnershipRule;
  /** The above in words, naming no other claim. */
  explanation: string;
  /** Its own claims, in ownership order. */
  claims: OwnClaimView[];
}

/** What a partner may learn of a customer's claims, or null when it has no claim on the customer. */
export function partnerViewOf(state: CustomerState, partnerId: string, policy: Pick<Policy, 'ownership'>): PartnerOwnershipView | null {
  const firstOwn = state.claims.find((c) => c.partnerId === partnerId);
  if (!firstOwn) return null;
  const claims: OwnClaimView[] = ownershipOf(state)
    .claims.filter((c) => c.partnerId === partnerId)
    .map((c) => ({ dealId: c.dealId, partnerId, channel: 'partner', registeredAt: c.registeredAt, recordedAt: c.recordedAt, stage: c.stage, status: c.status }));
  const owning = ownerClaim(state);
  const owner = owning === null ? 'none' : owning.partnerId === partnerId ? 'self' : 'other';
  const rule = ruleOf(state, owning);
  const ownerSince = owning === null ? null : rule === 'transfer' || rule === 'ruling' ? state.override!.occurredAt : owning.registeredAt;
  const hasLiveClaim = claims.some((c) => c.status !== 'lost');
  const transferableFrom =
    owner === 'other' && rule !== 'ruling' && hasLiveClaim ? new Date(Date.parse(owning!.lastProgressAt) + policy.ownership.idleTransferDays * DAY_MS).toISOString() : null;
  const view = {
    customerKey: state.customerKey,
    customerName: firstOwn.customerName,
    owner,
    ownerDealId: owner === 'self' ? owning!.dealId : null,
    ownerPartnerId: owner === 'self' ? partnerId : null,
    ownerSince,
    transferableFrom,
    rule,
  } as const;
  return { ...view, explanation: explanationOf(view, hasLiveClaim, policy.ownership.idleTransferDays), claims };
}

function ruleOf(state: CustomerState, owning: Claim | null): PartnerOwnershipRule {
  if (owning === null) return 'none';
  const override = state.override;
  if (override && override.dealId === owning.dealId) return override.kind;
  return 'first-registration';
}

type Facts = Omit<PartnerOwnershipView, 'explanation' | 'claims' | 'customerName' | 'customerKey'>;

const how: Record<Exclude<PartnerOwnershipRule, 'none'>, string> = {
  'first-registration': 'registered first',
  transfer: 'handed the customer by a transfer',
  ruling: 'made the owner by a ruling',
};

function explanationOf(v: Facts, hasLiveClaim: boolean, idleDays: number): string {
  if (v.owner === 'none' || v.rule === 'none') return 'no live claim owns the customer';
  if (v.owner === 'self') return `your deal ${v.ownerDealId} owns the customer since ${v.ownerSince} (${how[v.rule]})`;
  const owned = `another claim owns the customer since ${v.ownerSince} (${how[v.rule]})`;
  if (v.transferableFrom !== null) {
    return `${owned}; your claim could be handed the customer from ${v.transferableFrom}, once the owner has made no progress for ${idleDays} days`;
  }
  if (v.rule === 'ruling') return `${owned}; only a new ruling changes the owner`;
  return hasLiveClaim ? owned : `${owned}; you have no live claim on it`;
}
