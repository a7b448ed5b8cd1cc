// The checks every decision on one claim starts with: the deal is a claim on this customer, and
// it is still open (lost and signed are final). Shared by the customer decider and the rules it
// hands a claim to (contracts.ts, transfers.ts).
import type { Claim, CustomerState } from './customer.js';
import { findClaim, ownershipOf } from './customer.js';
import { refuse } from './errors.js';

export function requireClaim(state: CustomerState, dealId: string): Claim {
  const claim = findClaim(state, dealId);
  if (!claim) refuse('deal-unknown', `deal ${dealId} is not a claim on customer ${state.customerKey}`, { dealId }, 'not-found');
  return claim;
}

export function requireOpen(claim: Claim, what: string): void {
  if (claim.lost || claim.stage === 'signed') {
    const status = claim.lost ? 'lost' : 'signed';
    refuse('deal-closed', `${what} refused: deal ${claim.dealId} is ${status}, which is final`, { dealId: claim.dealId, status });
  }
}

/** Who owns the customer, in words (for a manager's refusal; a partner is told less). */
export function ownerWords(state: CustomerState): string {
  const o = ownershipOf(state);
  return o.ownerDealId === null ? 'no claim owns it' : `deal ${o.ownerDealId} owns it (${o.rule})`;
}
