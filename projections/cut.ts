// Time travel: which part of the log an answer is about.
// Transaction time (asOf) cuts the log at a position: the last event recorded at or before the
// instant (recordedAt only grows with position, so the cut is a prefix). Valid time (validAt)
// keeps, among the events of that prefix, those that occurred at or before the instant.
import type { EventEnvelope } from '../src/domain/events.js';
import { readQueryInstant } from '../src/domain/query-time.js';

/** What a reader asks about: both optional ISO-8601 instants. */
export interface TimeQuery {
  asOf?: string | undefined;
  validAt?: string | undefined;
}

/** A resolved cut of the log: every event with position ≤ position and (validAt null or occurredAt ≤ validAt). */
export interface LogCut {
  position: number;
  validAt: string | null;
  asOf: string | null;
}

/** The whole log as known at `position`, about every instant. */
export const headCut = (position: number): LogCut => ({ position, validAt: null, asOf: null });

export function inCut(event: Pick<EventEnvelope, 'position' | 'occurredAt'>, cut: LogCut): boolean {
  return Number(event.position) <= cut.position && (cut.validAt === null || event.occurredAt <= cut.validAt);
}

/** Keeps the events of a log inside a cut, in log order: the naive reading every accelerated answer must equal. */
export function cutLog<E extends Pick<EventEnvelope, 'position' | 'occurredAt'>>(log: readonly E[], cut: LogCut): E[] {
  return log.filter((e) => inCut(e, cut));
}

/**
 * The position of the asOf cut over a log held in memory: the last event recorded at or before `asOf`.
 * Asserts that recordedAt never decreases with position.
 */
export function positionAsOf(log: readonly Pick<EventEnvelope, 'position' | 'recordedAt'>[], asOf: string): number {
  let cutPosition = 0;
  let previousRecordedAt = '';
  for (const e of log) {
    if (e.recordedAt < previousRecordedAt) throw new Error(`recordedAt decreases at position ${e.position}`);
    previousRecordedAt = e.recordedAt;
    if (e.recordedAt <= asOf) cutPosition = Number(e.position);
  }
  return cutPosition;
}

/** The instant "now" for rules relative to a cut (e.g. claims idle for 28 days): validAt, else asOf, else the given clock. */
export function cutInstant(cut: LogCut, nowIso: string): string {
  return cut.validAt ?? cut.asOf ?? nowIso;
}

/**
 * Parses a user-given asOf / validAt: an ISO-8601 instant (with Z or an offset) into the canonical
 * UTC millisecond form, a bare date kept as written (the read side resolves it to the end of that
 * day in the policy's zone: src/domain/query-time.ts); throws a RangeError naming `what` on text
 * that is neither (src/domain/instant.ts: 2026-06-31, T24:00, year 0000, no zone).
 */
export function canonicalInstant(input: string, what: string): string {
  const reading = readQueryInstant(input);
  if (!reading.ok) throw new RangeError(`${what} ${reading.problem}`);
  return reading.value;
}
