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
  /**
   * Runs a command: an adoption alone (it reads every commission line, then appends its
   * adjustments: no decision may slip in between under the version it replaces), any other
   * command alongside the others.
   */
  gate<T>(exclusive: boolean, run: () => Promise<T>): Promise<T>;
}

/**
 * A readers-writer gate in one process: shared runs go at once unless an exclusive run is
 * running or waiting; an exclusive run waits for the shared ones in flight, then runs alone.
 */
function gateOf(): PolicyBook['gate'] {
  let shared = 0;
  let exclusive: Promise<void> | null = null;
  let drained: (() => void) | null = null;
  const runShared = async <T>(run: () => Promise<T>): Promise<T> => {
    while (exclusive) await exclusive;
    shared++;
    try {
      return await run();
    } finally {
      shared--;
      if (shared === 0 && drained) drained();
    }
  };
  const runExclusive = async <T>(run: () => Promise<T>): Promise<T> => {
    while (exclusive) await exclusive;
    let release!: () => void;
    exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      if (shared > 0) await new Promise<void>((resolve) => (drained = resolve));
      drained = null;
      return await run();
    } finally {
      exclusive = null;
      release();
    }
  };
  return (isExclusive, run) => (isExclusive ? runExclusive(run) : runShared(run));
}

export function policyBookOf(configured: Policy): PolicyBook {
  let state = initialPolicyState(configured);
  const initial = () => initialPolicyState(configured);
  return {
    configured,
    gate: gateOf(),
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
