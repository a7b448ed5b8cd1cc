// The own-partner rule (API.md, Commands): a partner's token acts only for its own partner id
// (never for another partner, never for the direct sales team), only on its own claims, and
// never back-dates a fact (its commands carry the ledger's clock). A claim that is not its own
// is answered exactly as an unknown deal, so a partner cannot probe which deal ids exist.
// Managers, finance and auditors are limited by their role alone.
import { refuse } from './errors.js';
import type { Actor } from './events.js';

/** The partner id in a registration that means the vendor's own direct sales team. */
export const DIRECT_SALES = 'direct';

/** A partner registers (or acts) only for itself: not for another partner, not for direct sales. */
export function requireActsForItself(actor: Actor, partnerId: string): void {
  if (actor.role !== 'partner' || partnerId === actor.id) return;
  const whom = partnerId === DIRECT_SALES ? 'the direct sales team' : `partner ${partnerId}`;
  refuse('own-partner-only', `partner ${actor.id} acts only for itself, not for ${whom}`, { partnerId, actorPartnerId: actor.id }, 'forbidden');
}

/** A partner never sets occurredAt: its facts are stamped with the ledger's clock. */
export function requireNoBackfill(actor: Actor, occurredAt: string | null | undefined): void {
  if (actor.role === 'partner' && occurredAt !== undefined && occurredAt !== null) {
    refuse('partner-may-not-backdate', "a partner may not set occurredAt: its commands are stamped with the ledger's clock", { actorPartnerId: actor.id }, 'forbidden');
  }
}

/** The one answer for a deal an actor may not act on, whether or not it exists. */
export function unknownDeal(dealId: string): never {
  return refuse('deal-unknown', `no deal ${dealId}`, { dealId }, 'not-found');
}

/** A partner acts only on its own claims; another's claim reads as an unknown deal. */
export function requireOwnClaim(actor: Actor, claim: { dealId: string; partnerId: string | null } | null | undefined, dealId: string): void {
  if (!claim) unknownDeal(dealId);
  if (actor.role === 'partner' && claim.partnerId !== actor.id) unknownDeal(dealId);
}
