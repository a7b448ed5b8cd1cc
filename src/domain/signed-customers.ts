// The rule: which signings count for a quarter's tier evaluation. DOMAIN.md: "Tier evaluation
// for quarter Q counts, per partner, the customers whose owning deal was signed inside Q".
//  - A signing is a deal's move to stage `signed` (the vendor's confirmation); its instant is
//    that event's occurredAt. Only the owning claim may advance, so a signed deal owned its
//    customer when it was signed; a later transfer or ruling does not undo the signing.
//  - It counts for the partner whose deal it is, in the quarter its instant falls in (calendar
//    quarters in the policy's time zone). Direct sales' signings count for nobody.
//  - A customer counts once per partner and quarter, however many of its deals that partner
//    signed (two spellings of one company meet on one customer key).
// The read model hands over candidate signings (cheaply, by its own quarter index); this rule
// decides which of them count, so a lookup may give more rows than the quarter's without harm.
import { quarterOf } from './quarter.js';

/** A deal signed: whose deal, which customer, when. */
export interface Signing {
  dealId: string;
  /** The registering partner, or null for the direct sales team. */
  partnerId: string | null;
  customerKey: string;
  /** The signing's occurredAt. */
  signedAt: string;
}

/** Per partner, the number of distinct customers it signed inside the quarter. */
export function signedCustomersByPartner(signings: Iterable<Signing>, quarter: string, timeZone: string): Map<string, number> {
  const customers = new Map<string, Set<string>>();
  for (const s of signings) {
    if (s.partnerId === null || quarterOf(s.signedAt, timeZone) !== quarter) continue;
    let keys = customers.get(s.partnerId);
    if (!keys) customers.set(s.partnerId, (keys = new Set()));
    keys.add(s.customerKey);
  }
  return new Map([...customers].map(([partnerId, keys]) => [partnerId, keys.size]));
}
