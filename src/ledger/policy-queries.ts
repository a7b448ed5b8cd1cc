// The policy versions as the log holds them (GET /policies, /policies/:version, its diff; ledger
// policy list|show|diff): the policy stream's adoptions with who adopted each, when, and from
// when it is in force; as of an instant, only the adoptions recorded by then.
import type { Actor } from '../domain/events.js';
import { POLICY_STREAM } from '../domain/events.js';
import { policyDifferences, type PolicyDifference } from '../domain/policy-diff.js';
import { resolveQueryInstant } from '../domain/query-time.js';
import { findVersion, historyOfPolicy, type PolicyHistory, withAdoption } from '../domain/policy-history.js';
import { loadPolicy, type Policy } from '../domain/policy.js';
import type { EventStore } from '../store/event-store.js';

export interface PolicyVersionAnswer {
  version: string;
  name: string | null;
  effectiveFrom: string;
  /** The first instant it is in force (effectiveFrom's midnight in the policy's time zone). */
  inForceFrom: string;
  /** The first instant the next version is in force, or null: in force from inForceFrom on. */
  inForceUntil: string | null;
  /** Adopted again from the same date by a later version: never in force. */
  superseded: boolean;
  /** false: the configured policy (built-in default or LEDGER_POLICY_FILE), not yet adopted in the log. */
  inLog: boolean;
  adoptedAt: string | null;
  recordedAt: string | null;
  actor: Actor | null;
  reason: string | null;
  position: number | null;
}

export interface PolicyDocumentAnswer extends PolicyVersionAnswer {
  document: Policy;
}

export interface PolicyDiffAnswer {
  version: string;
  against: string;
  differences: PolicyDifference[];
}

/** The history as the log held it at `asOf` (every adoption when absent), with each adoption's actor. */
export async function policyHistoryAsOf(store: EventStore, configured: Policy, asOfInput?: string): Promise<PolicyHistory> {
  // A bare date is the end of that day in the policy's time zone, as on every read.
  const asOf = asOfInput === undefined ? undefined : resolveQueryInstant(asOfInput, configured.timeZone);
  let history = historyOfPolicy(configured);
  for (const e of await store.readStream(POLICY_STREAM)) {
    if (e.type !== 'PolicyAdopted' || (asOf !== undefined && e.recordedAt > asOf)) continue;
    const data = e.data as { document: unknown; reason: string };
    history = withAdoption(history, { policy: loadPolicy(data.document), adoptedAt: e.occurredAt, recordedAt: e.recordedAt, actor: e.actor, reason: data.reason, position: e.position });
  }
  return history;
}

function answersOf(history: PolicyHistory): PolicyVersionAnswer[] {
  return history.map((v, i) => {
    const next = history[i + 1];
    const superseded = next !== undefined && next.effectiveFromInstant === v.effectiveFromInstant;
    return {
      version: v.policy.version,
      name: v.policy.name ?? null,
      effectiveFrom: v.policy.effectiveFrom,
      inForceFrom: v.effectiveFromInstant,
      inForceUntil: next ? next.effectiveFromInstant : null,
      superseded,
      inLog: v.position !== null,
      adoptedAt: v.adoptedAt,
      recordedAt: v.recordedAt,
      actor: v.actor,
      reason: v.reason,
      position: v.position === null ? null : Number(v.position),
    };
  });
}

export async function policyVersions(store: EventStore, configured: Policy, asOf?: string): Promise<PolicyVersionAnswer[]> {
  return answersOf(await policyHistoryAsOf(store, configured, asOf));
}

/** One version with its document, or null when the log (as of asOf) holds no such version. */
export async function policyVersion(store: EventStore, configured: Policy, version: string, asOf?: string): Promise<PolicyDocumentAnswer | null> {
  const history = await policyHistoryAsOf(store, configured, asOf);
  const found = findVersion(history, version);
  if (!found) return null;
  const answer = answersOf(history).find((a) => a.version === version)!;
  return { ...answer, document: found.policy };
}

/** Field by field, what `version` changes against `against`; null naming the unknown one. */
export async function policyDiff(store: EventStore, configured: Policy, version: string, against: string, asOf?: string): Promise<PolicyDiffAnswer | { unknown: string }> {
  const history = await policyHistoryAsOf(store, configured, asOf);
  const to = findVersion(history, version);
  if (!to) return { unknown: version };
  const from = findVersion(history, against);
  if (!from) return { unknown: against };
  return { version, against, differences: policyDifferences(from.policy, to.policy) };
}
