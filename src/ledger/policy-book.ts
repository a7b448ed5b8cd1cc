// The policy history the ledger keeps in memory: the policy stream folded (src/domain/policy-adoption.ts),
// loaded when the ledger opens and replaced when an adoption is appended. Commands pick the
// version in force at their fact's business time from it (policyAt); a payout and an adoption
// read the stream's tail first, so they see adoptions another process appended.
import { POLICY_STREAM } from '../domain/events.js';
import { evolvePolicy, initialPolicyState, type PolicyState } from '../domain/policy-adoption.js';
import { policyInForceAt, type PolicyHistory } from '../domain/policy-history.js';
import type { Policy } from '../domain/policy.js';
import { quarterEnd } from '../domain/quarter.js';
import type { EventStore } from '../store/event-store.js';
import { type CommandDeps, loadStream, policyAt } from './command-handling.js';

export interface PolicyBook {
  /** The built-in default or LEDGER_POLICY_FILE: the first version while the log holds none. */
  readonly configured: Policy;
  state(): PolicyState;
  history(): PolicyHistory;
  /** The policy in force at a business instant. */
  at(instant: string): Policy;
  /** The policy in force at a business instant as the log knew it at `asOf` (the versions recorded by then). */
  atAsOf(instant: string, asOf: string | null): Policy;
  /** Reads the policy stream's tail (cheap: its folded state is remembered) and keeps the result. */
  refresh(store: EventStore): Promise<PolicyState>;
}

export function policyBookOf(configured: Policy): PolicyBook {
  let state = initialPolicyState(configured);
  const initial = () => initialPolicyState(configured);
  return {
    configured,
    state: () => state,
    history: () => state.history,
    at: (instant) => policyInForceAt(state.history, instant),
    atAsOf(instant, asOf) {
      if (asOf === null) return policyInForceAt(state.history, instant);
      const known = state.history.filter((v) => v.recordedAt === null || v.recordedAt <= asOf);
      return known.length > 0 ? policyInForceAt(known, instant) : configured;
    },
    async refresh(store) {
      state = (await loadStream(store, POLICY_STREAM, initial, evolvePolicy)).state;
      return state;
    },
  };
}

/** Opens the book over a store: the configured policy plus every adoption in the log. */
export async function openPolicyBook(store: EventStore, configured: Policy): Promise<PolicyBook> {
  const book = policyBookOf(configured);
  await book.refresh(store);
  return book;
}

/** The deps of a quarter's decision: the version in force at the quarter's last instant. */
export function depsForQuarter(deps: CommandDeps, quarter: string): CommandDeps {
  return depsUnder(deps, policyAt(deps, quarterEnd(quarter, deps.policy.timeZone)));
}

/**
 * The deps of a decision made under one version for a business time other than its occurredAt
 * (an evaluation's or a payout's quarter): the version decides and is named in the events' meta.
 */
export function depsUnder(deps: CommandDeps, policy: Policy): CommandDeps {
  if (policy.timeZone !== deps.policy.timeZone) throw new Error('invariant: every policy version keeps the programme\'s time zone');
  return { ...deps, policy, policies: undefined };
}
