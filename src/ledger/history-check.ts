// Check, then write, for history that arrives whole (`ledger import`): the same checks a command
// passes before its append (command-handling.ts checkBeforeAppend), applied to every event of
// the history in log order. Each event is folded into its stream's state by that stream's own
// evolve (every invariant it asserts: a claim on a known customer, deposit and debt never below
// zero, …) and its postings are added to its partners' running account totals (safe integers,
// running-totals.ts). The first event that breaks a rule stops the check with the rule and its
// figures, so a history the projections could not apply is refused before anything is written.
// In memory: one folded state per stream and one set of totals per partner.
import { evolveCustomer, initialCustomerState, type CustomerState } from '../domain/customer.js';
import { DomainRuleError, InvariantViolation } from '../domain/errors.js';
import { type EventEnvelope, POLICY_STREAM } from '../domain/events.js';
import { factOf } from '../domain/fact.js';
import { evolvePartner, initialPartnerState, type PartnerState } from '../domain/partner.js';
import type { Policy } from '../domain/policy.js';
import { evolvePolicy, initialPolicyState, type PolicyState } from '../domain/policy-adoption.js';
import { type AccountTotals, partnerDeltasOf, zeroAccountTotals } from '../domain/postings.js';
import { addAccountTotals } from '../domain/running-totals.js';
import { tieWindowOf } from '../domain/tie-window.js';

const PARTNER_PREFIX = 'partner-';
const CUSTOMER_PREFIX = 'customer-';

/** An event of the history breaks a rule: which one, where, and the rule's own words and figures. */
export class HistoryRuleError extends Error {
  override readonly name = 'HistoryRuleError';
  constructor(
    readonly position: bigint,
    readonly rule: string,
    readonly detail: string,
    readonly figures: Record<string, unknown>,
  ) {
    super(`${detail} (rule ${rule})`);
  }
}

export class HistoryCheck {
  private readonly partners = new Map<string, PartnerState>();
  private readonly customers = new Map<string, CustomerState>();
  private readonly totals = new Map<string, AccountTotals>();
  private readonly tieWindow: ReturnType<typeof tieWindowOf>;
  /** Events checked so far. */
  events = 0;

  private policyState: PolicyState;

  constructor(policy: Policy) {
    this.tieWindow = tieWindowOf(policy);
    this.policyState = initialPolicyState(policy);
  }

  /** Folds one event (the next in log order); throws HistoryRuleError when it breaks a rule. */
  apply(envelope: EventEnvelope): void {
    try {
      const fact = factOf(envelope);
      const stream = envelope.stream;
      if (stream.startsWith(PARTNER_PREFIX)) {
        this.partners.set(stream, evolvePartner(this.partners.get(stream) ?? initialPartnerState(), fact));
      } else if (stream.startsWith(CUSTOMER_PREFIX)) {
        const state = this.customers.get(stream) ?? initialCustomerState(stream.slice(CUSTOMER_PREFIX.length), this.tieWindow);
        this.customers.set(stream, evolveCustomer(state, fact));
      } else if (stream === POLICY_STREAM) {
        // Policy versions: every adopted document checked as a policy file, adjustments after their versions.
        this.policyState = evolvePolicy(this.policyState, fact);
      } else {
        throw new HistoryRuleError(envelope.position, 'unknown-stream', `stream ${stream} is neither a partner's, a customer's nor the policy stream`, { stream });
      }
      for (const { partnerId, deltas } of partnerDeltasOf(fact)) {
        this.totals.set(partnerId, addAccountTotals(partnerId, this.totals.get(partnerId) ?? zeroAccountTotals(), deltas));
      }
      this.events++;
    } catch (error) {
      if (error instanceof HistoryRuleError) throw error;
      if (error instanceof InvariantViolation) throw new HistoryRuleError(envelope.position, error.rule, error.detail, error.figures ?? {});
      if (error instanceof DomainRuleError) throw new HistoryRuleError(envelope.position, error.rule, error.message, error.figures ?? {});
      throw new HistoryRuleError(envelope.position, 'fact-not-applicable', error instanceof Error ? error.message : String(error), {});
    }
  }
}
