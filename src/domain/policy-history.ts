// The rule: the programme changes over time, and each decision uses the version of the policy in
// force at the fact's business time (a payment's cash date, an evaluation's quarter, a deposit
// requirement on a date). DOMAIN.md: "each number is policy data".
//  - A version is in force from its effectiveFrom (a date: its local midnight in the policy's
//    time zone) until the next version's effectiveFrom.
//  - Two versions effective from the same date: the one adopted later supersedes the other.
//  - Before the earliest version's effectiveFrom, the earliest version applies (nothing else does).
//  - Quarters, business days and the tie window are read in one time zone and one window for the
//    whole log, so a version may not change `timeZone` or `ownership.tieWindow`
//    (policy-time-zone-fixed, policy-tie-window-fixed): stored facts would move between quarters.
// Pure: the history is a value; the ledger keeps one in memory and folds adoptions into it.
import { refuse } from './errors.js';
import type { Actor } from './events.js';
import type { Policy } from './policy.js';
import { startOfLocalDay } from './quarter.js';

/** One version of the policy and how it came to be (null for the configured one not yet in the log). */
export interface PolicyVersion {
  policy: Policy;
  /** The first instant it is in force: effectiveFrom's local midnight in the policy's time zone. */
  effectiveFromInstant: string;
  /** The adoption's business time (occurredAt), or null for the configured policy not yet adopted in the log. */
  adoptedAt: string | null;
  recordedAt: string | null;
  actor: Actor | null;
  reason: string | null;
  /** The adoption's position in the log (orders adoptions; null: not in the log). */
  position: bigint | null;
}

/** Every version, sorted by effectiveFrom, then by adoption order (later supersedes). Never empty. */
export type PolicyHistory = readonly PolicyVersion[];

export type Adoption = Omit<PolicyVersion, 'effectiveFromInstant'>;

export function versionOf(adoption: Adoption): PolicyVersion {
  return { ...adoption, effectiveFromInstant: startOfLocalDay(adoption.policy.effectiveFrom, adoption.policy.timeZone) };
}

const adoptionOrder = (v: PolicyVersion): bigint => v.position ?? -1n;

function compareVersions(a: PolicyVersion, b: PolicyVersion): number {
  if (a.effectiveFromInstant !== b.effectiveFromInstant) return a.effectiveFromInstant < b.effectiveFromInstant ? -1 : 1;
  const pa = adoptionOrder(a);
  const pb = adoptionOrder(b);
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/** A history of one version: the configured policy (built-in default or LEDGER_POLICY_FILE) before any adoption. */
export function historyOfPolicy(policy: Policy): PolicyHistory {
  return [versionOf({ policy, adoptedAt: null, recordedAt: null, actor: null, reason: null, position: null })];
}

/**
 * The history with one more adoption. The configured policy stands in for the log's versions
 * only while the log holds none: the first logged adoption replaces it. A version name is
 * adopted once (a later adoption of the same name replaces the earlier entry).
 */
export function withAdoption(history: PolicyHistory, adoption: Adoption): PolicyHistory {
  const kept = history.filter((v) => (adoption.position === null || v.position !== null) && v.policy.version !== adoption.policy.version);
  return [...kept, versionOf(adoption)].sort(compareVersions);
}

/** The version in force at a business instant (ISO-8601 UTC). */
export function versionInForceAt(history: PolicyHistory, instant: string): PolicyVersion {
  const first = history[0];
  if (!first) throw new Error('invariant: a policy history holds at least one version');
  let inForce = first;
  for (const v of history) {
    if (v.effectiveFromInstant <= instant) inForce = v;
    else break;
  }
  return inForce;
}

/** The policy in force at a business instant (ISO-8601 UTC). */
export function policyInForceAt(history: PolicyHistory, instant: string): Policy {
  return versionInForceAt(history, instant).policy;
}

/** The version adopted last (by log order; the configured one when none is logged). */
export function latestAdopted(history: PolicyHistory): PolicyVersion {
  return history.reduce((a, b) => (adoptionOrder(b) >= adoptionOrder(a) ? b : a));
}

export function findVersion(history: PolicyHistory, version: string): PolicyVersion | null {
  return history.find((v) => v.policy.version === version) ?? null;
}

/**
 * Refuses an adoption the history cannot take: a version name already adopted with another
 * document (409), a change of time zone or tie window (422).
 */
export function requireAdoptable(history: PolicyHistory, policy: Policy, sameDocument: (a: Policy, b: Policy) => boolean): void {
  const taken = findVersion(history, policy.version);
  if (taken && !sameDocument(taken.policy, policy)) {
    refuse('policy-version-taken', `policy version ${policy.version} is already adopted (or configured) with another document; adopt it under a new version`, { version: policy.version }, 'conflict');
  }
  const base = history[0]!.policy;
  if (policy.timeZone !== base.timeZone) {
    refuse('policy-time-zone-fixed', `policy ${policy.version} refused: timeZone ${policy.timeZone} differs from the programme's ${base.timeZone}; quarters of stored facts would move`, {
      field: 'document.timeZone',
      timeZone: policy.timeZone,
      programmeTimeZone: base.timeZone,
    });
  }
  if (policy.ownership.tieWindow !== base.ownership.tieWindow) {
    refuse('policy-tie-window-fixed', `policy ${policy.version} refused: ownership.tieWindow ${policy.ownership.tieWindow} differs from the programme's ${base.ownership.tieWindow}; stored claims would change owners`, {
      field: 'document.ownership.tieWindow',
    });
  }
}

