// Partner isolation: a partner's token sees and writes only its own partner id and never sets
// occurredAt. Managers, finance and auditors are limited by role alone (the route's roles).
import { forbidden } from '../http/problem.js';
import type { Principal } from './tokens.js';

/** 403 unless the caller is not a partner or is this partner. */
export function requireOwnPartner(principal: Principal, partnerId: string): void {
  if (principal.role === 'partner' && principal.partnerId !== partnerId) {
    throw forbidden(`a partner's token may only see or act for its own partner id (${principal.partnerId}), not ${partnerId}`);
  }
}

/** A partner never back-dates: occurredAt is the ledger's clock for partners' commands. */
export function refuseOccurredAtFromPartner(principal: Principal, body: { occurredAt?: unknown } | undefined): void {
  if (principal.role === 'partner' && body?.occurredAt !== undefined) {
    throw forbidden('a partner may not set occurredAt: its commands are stamped with the ledger\'s clock');
  }
}

/** The partner a partner's token is limited to, or undefined for every other role. */
export function partnerScopeOf(principal: Principal): string | undefined {
  return principal.role === 'partner' ? (principal.partnerId ?? undefined) : undefined;
}
