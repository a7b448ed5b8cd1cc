// The projections' one door to the domain's rules: account deltas from the domain's postings,
// its payable rule, deposits, quarters in the policy's time zone, the idle window, customer
// ownership (evolveCustomer + ownershipOf) and customer keys. Nothing here decides a rule.
import {
  claimDealIdOf,
  type CustomerState,
  evolveCustomer,
  findClaim,
  initialCustomerState,
  ownershipOf,
} from '../src/domain/customer.js';
import { factOf } from '../src/domain/fact.js';
import { defaultPolicy, depositRequiredFen, type Policy } from '../src/domain/policy.js';
import { partnerDeltasOf, payableOf } from '../src/domain/postings.js';
import { quarterEnd, quarterOf, quarterStart } from '../src/domain/quarter.js';
import { type TieWindow, tieWindowOf } from '../src/domain/tie-window.js';
import { eventOf } from './envelope.js';
import { type ClaimEnvelope, claimEventTypes, type OwnershipFold, type OwnershipView } from './ownership.js';
import type { ProjectionRules } from './rules.js';

/**
 * The domain's quarterOf, remembering the last quarters' [start, end] in the policy's time
 * zone: a replay asks for instants close together, so almost every call is a range check.
 */
export function memoisedQuarterOf(timeZone: string): (instant: string) => string {
  const known: Array<{ quarter: string; startIso: string; endIso: string }> = [];
  return (instant) => {
    for (const k of known) if (instant >= k.startIso && instant <= k.endIso) return k.quarter;
    const quarter = quarterOf(instant, timeZone);
    known.unshift({ quarter, startIso: quarterStart(quarter, timeZone), endIso: quarterEnd(quarter, timeZone) });
    if (known.length > 8) known.pop();
    return quarter;
  };
}

export function projectionRules(policy: Policy): ProjectionRules {
  return {
    deltasOf: (e) => partnerDeltasOf(eventOf(e)),
    payableOf,
    depositRequiredFen: (tier, kind) => (policy.deposits.byTierFen[tier] === undefined ? 0 : depositRequiredFen(policy, tier, kind)),
    quarterOf: memoisedQuarterOf(policy.timeZone),
    idleWindowDays: policy.ownership.idleTransferDays,
  };
}

/**
 * Ownership by the domain's customer fold, fed only the facts that decide ownership, with ties
 * judged in the policy's reporting window. Inside a valid-time cut an advance, loss or contract
 * whose registration occurred later is skipped, as the domain's customerStateAt does.
 */
export function customerOwnershipFoldFor(policy: Policy): OwnershipFold<CustomerState> {
  return ownershipFoldIn(tieWindowOf(policy));
}

const ownershipFoldIn = (tieWindow: TieWindow): OwnershipFold<CustomerState> => ({
  initial: (customerKey) => initialCustomerState(customerKey, tieWindow),
  evolve(state, e: ClaimEnvelope) {
    if (!claimEventTypes.has(e.type)) return state;
    const fact = factOf(e);
    const dealId = claimDealIdOf(fact);
    if (dealId !== null && !findClaim(state, dealId)) return state;
    return evolveCustomer(state, fact);
  },
  view(state, customerKey): OwnershipView {
    const o = ownershipOf(state);
    return {
      customerKey,
      ownerDealId: o.ownerDealId,
      ownerPartnerId: o.ownerPartnerId,
      claims: o.claims.map((c) => ({
        dealId: c.dealId,
        partnerId: c.partnerId,
        channel: c.channel,
        registeredAt: c.registeredAt,
        recordedAt: c.recordedAt,
        stage: c.stage,
        status: c.status,
      })),
      rule: o.rule,
      explanation: o.ruleDetail,
    };
  },
});

/** The default policy's ownership fold. */
export const customerOwnershipFold: OwnershipFold<CustomerState> = customerOwnershipFoldFor(defaultPolicy);

export interface DomainBridge {
  policy: Policy;
  rules: ProjectionRules;
  ownership: OwnershipFold<unknown>;
}

export function domainBridge(policy: Policy = defaultPolicy): DomainBridge {
  return {
    policy,
    rules: projectionRules(policy),
    ownership: customerOwnershipFoldFor(policy) as OwnershipFold<unknown>,
  };
}
