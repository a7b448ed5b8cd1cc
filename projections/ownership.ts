// Ownership: per customer, the owning claim, every claim with both times, its stage and status,
// and the rule that made the owner. The rules are the domain's (customer evolve + ownershipOf);
// this module only feeds them the customer's events of a cut and shapes the answer.
import type { EventEnvelope } from '../src/domain/events.js';

export interface ClaimView {
  dealId: string;
  partnerId: string | null;
  channel: 'partner' | 'direct';
  registeredAt: string;
  recordedAt: string;
  stage: string | null;
  status: string;
}

export interface OwnershipView {
  customerKey: string;
  ownerDealId: string | null;
  ownerPartnerId: string | null;
  claims: ClaimView[];
  /** Why the owner owns: first registration, tie to partner, lost claim passed on, transfer, ruling. */
  rule: string;
  /** The rule in words, with the figures. */
  explanation: string;
}

/** The minimum of an envelope the customer fold reads. */
export type ClaimEnvelope = Pick<EventEnvelope, 'type' | 'data' | 'position' | 'occurredAt' | 'recordedAt' | 'eventId'>;

export interface OwnershipFold<S> {
  initial(customerKey: string): S;
  evolve(state: S, e: ClaimEnvelope): S;
  view(state: S, customerKey: string): OwnershipView;
}
