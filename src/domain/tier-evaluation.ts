// Quarterly tier evaluation: per partner, the customers whose owning deal was signed inside
// the quarter; the policy's thresholds give the tier. Only partners whose tier moves get a
// TierChanged, with the figures; a quarter that already moved a partner is not evaluated again.
import { eventOf } from './decide-context.js';
import type { EventOf } from './events.js';
import { type Policy, tierForSignedCount } from './policy.js';
import { currentTier, type PartnerState } from './partner.js';
import { parseQuarter } from './quarter.js';

export interface TierMove {
  partnerId: string;
  event: EventOf<'TierChanged'>;
}

export function decideTierEvaluation(
  quarter: string,
  partners: readonly PartnerState[],
  signedCountByPartner: ReadonlyMap<string, number>,
  policy: Policy,
): TierMove[] {
  parseQuarter(quarter);
  const moves: TierMove[] = [];
  for (const partner of partners) {
    if (!partner.signed || partner.evaluatedQuarters.has(quarter)) continue;
    const partnerId = partner.partnerId!;
    const signedCustomers = signedCountByPartner.get(partnerId) ?? 0;
    if (!Number.isSafeInteger(signedCustomers) || signedCustomers < 0) throw new Error(`signed count of ${partnerId} must be a whole number`);
    const from = currentTier(partner)!;
    const to = tierForSignedCount(policy, signedCustomers);
    if (to === from) continue;
    const figures: Record<string, number> = { signedCustomers };
    for (const t of policy.tierEvaluation.thresholds) figures[`${t.tier}AtLeast`] = t.atLeast;
    const reason = `${quarter} evaluation: ${signedCustomers} newly signed customer${signedCustomers === 1 ? '' : 's'} (policy ${policy.version})`;
    moves.push({ partnerId, event: eventOf('TierChanged', { partnerId, from, to, reason, source: 'evaluation', quarter, figures }) });
  }
  return moves;
}
