// The range of business time (occurredAt) a fact may carry, from the policy's limits: not before
// the start of policy.limits.earliestOccurredAt (a date in the policy's time zone), not later than
// the server's clock plus policy.limits.futureSkewMs. Pure: the caller passes "now".
import { readInstant } from './instant.js';
import type { Policy } from './policy.js';
import { startOfLocalDay } from './quarter.js';

export type BusinessTimePolicy = Pick<Policy, 'timeZone' | 'limits'>;

/** Earliest instants by date and time zone: a constant of the policy, asked for by every back-filled command. */
const earliestByPolicy = new Map<string, string>();
const MAX_REMEMBERED_POLICIES = 64;

/** The first instant (ISO, UTC) a fact's occurredAt may have: the earliest date's local midnight. */
export function earliestOccurredAt(policy: BusinessTimePolicy): string {
  const key = `${policy.limits.earliestOccurredAt} ${policy.timeZone}`;
  let earliest = earliestByPolicy.get(key);
  if (earliest === undefined) {
    earliest = startOfLocalDay(policy.limits.earliestOccurredAt, policy.timeZone);
    if (earliestByPolicy.size < MAX_REMEMBERED_POLICIES) earliestByPolicy.set(key, earliest);
  }
  return earliest;
}

/** The last instant (ISO, UTC) a fact's occurredAt may have at `nowIso`: now plus the allowed clock skew. */
export function latestOccurredAt(policy: BusinessTimePolicy, nowIso: string): string {
  const now = Date.parse(nowIso);
  if (Number.isNaN(now)) throw new RangeError(`"${nowIso}" is not an instant`);
  return new Date(now + policy.limits.futureSkewMs).toISOString();
}

/**
 * Why `occurredAtIso` is not a business time the policy admits at `nowIso`, or null when it is.
 * The text reads after the field's name ("occurredAt " + problem, or as a field message).
 * Refused: text that is not an instant (src/domain/instant.ts), an instant before
 * policy.limits.earliestOccurredAt in policy.timeZone, or later than now + futureSkewMs.
 */
export function occurredAtProblem(occurredAtIso: string, policy: BusinessTimePolicy, nowIso: string): string | null {
  const reading = readInstant(occurredAtIso);
  if (!reading.ok) return reading.problem;
  const at = Date.parse(reading.iso);
  const earliest = earliestOccurredAt(policy);
  if (at < Date.parse(earliest)) {
    return `must not be before ${policy.limits.earliestOccurredAt} in ${policy.timeZone} (${earliest}), the policy's earliest business date; got ${reading.iso}`;
  }
  if (at > Date.parse(latestOccurredAt(policy, nowIso))) return 'must not be in the future';
  return null;
}
