// The rule: new ports, the programme's own measure for a tier evaluation (policy
// tierEvaluation.metric "newPorts"). DOMAIN.md: "performance is counted in new ports sold in the
// quarter ... taken from finance's sales figures, i.e. signed and paid".
//  - A signing counts for quarter Q as in signed-customers.ts (the owning deal signed inside Q,
//    in the policy's time zone; direct sales count for nobody).
//  - It is paid when the customer's port fee (a PaymentReceived on the `port` line owned by the
//    signed deal) was received after the signing and by Q's end. A signing not paid inside the
//    quarter sells no ports for it (it is not counted in a later quarter either: a sale belongs
//    to the quarter it was signed in).
//  - Its ports are the signed contract's (a ContractConfirmed's `ports` for the deal, the last
//    one, when the vendor's contract confirmation is on record), else the deal's expectedPorts as
//    registered (the estimate at signing; the ledger records no other port count), else 0.
//  - A customer counts once per partner and quarter: two signed deals of one partner on one
//    customer count the larger port figure.
import type { FoldFact } from './fact.js';
import { quarterEnd, quarterOf } from './quarter.js';
import type { Signing } from './signed-customers.js';

/** The ports a deal was signed for: its confirmed contract's, else its registered estimate. */
export function portsOfDeal(customerFacts: readonly FoldFact[], dealId: string): number {
  let registered: number | null = null;
  let contracted: number | null = null;
  for (const f of customerFacts) {
    if (f.type === 'DealRegistered' && f.data.dealId === dealId) registered = f.data.expectedPorts;
    // The vendor's contract confirmation (the signing) carries the signed ports (contracts.ts).
    if (f.type === 'ContractConfirmed' && f.data.dealId === dealId) contracted = f.data.ports;
  }
  return contracted ?? registered ?? 0;
}

/** Whether the signed deal's port fee was received after its signing and by the quarter's end. */
export function portFeePaidBy(customerFacts: readonly FoldFact[], signing: Signing, until: string): boolean {
  return customerFacts.some(
    (f) => f.type === 'PaymentReceived' && f.data.line === 'port' && f.data.ownerDealId === signing.dealId && f.occurredAt >= signing.signedAt && f.occurredAt <= until,
  );
}

/** Per partner, the new ports signed and paid inside the quarter. */
export function newPortsByPartner(
  signings: Iterable<Signing>,
  customerFacts: (customerKey: string) => readonly FoldFact[],
  quarter: string,
  timeZone: string,
): Map<string, number> {
  const until = quarterEnd(quarter, timeZone);
  const byCustomer = new Map<string, Map<string, number>>();
  for (const s of signings) {
    if (s.partnerId === null || quarterOf(s.signedAt, timeZone) !== quarter) continue;
    const facts = customerFacts(s.customerKey);
    if (!portFeePaidBy(facts, s, until)) continue;
    const ports = portsOfDeal(facts, s.dealId);
    let customers = byCustomer.get(s.partnerId);
    if (!customers) byCustomer.set(s.partnerId, (customers = new Map()));
    customers.set(s.customerKey, Math.max(customers.get(s.customerKey) ?? 0, ports));
  }
  return new Map([...byCustomer].map(([partnerId, customers]) => [partnerId, [...customers.values()].reduce((a, b) => a + b, 0)]));
}
