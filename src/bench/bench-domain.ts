// What the benches take from the domain: the projection rules and ownership fold of the policy
// in the environment, and the synthetic log's money (the policy's rates and the domain's rounding).
import { applyRateBps } from '../domain/money.js';
import { commissionRateBps, type Policy } from '../domain/policy.js';
import { quarterEnd } from '../domain/quarter.js';
import { policyFromEnv } from '../ledger/policy-file.js';
import { domainBridge, memoisedQuarterOf } from '../../projections/domain-bridge.js';
import type { OwnershipFold } from '../../projections/ownership.js';
import type { ProjectionRules } from '../../projections/rules.js';
import type { SyntheticOptions } from './synthetic-log.js';

/** The synthetic bench log's money: the policy's rates and the domain's rounding. */
export function syntheticMoney(policy: Policy): Omit<SyntheticOptions, 'events'> {
  return {
    commissionFen: applyRateBps,
    rateBps: (tier, line, year) => commissionRateBps(policy, line, tier, year) ?? 0,
    quarterOf: memoisedQuarterOf(policy.timeZone),
    quarterEndOf: (quarter) => quarterEnd(quarter, policy.timeZone),
  };
}

/** What the projections bench needs from the domain: the rules, the ownership fold, and the synthetic log's money. */
export function benchDomain(): {
  rules: ProjectionRules;
  ownership: OwnershipFold<unknown>;
  synthetic: Omit<SyntheticOptions, 'events'>;
} {
  const policy = policyFromEnv();
  const bridge = domainBridge(policy);
  return { rules: bridge.rules, ownership: bridge.ownership, synthetic: syntheticMoney(policy) };
}
