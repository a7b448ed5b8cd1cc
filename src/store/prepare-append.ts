// Validating an append before anything is written, the same for every adapter: the stream
// name, the expected revision's shape, the number of events, each event's envelope and data
// (parsed and serialised once), and no event id twice in one append.
import { z } from 'zod';
import { Actor, Instant, SchemaViolationError, currentSchemaVersion, parseEvent, zodIssues, type EventType } from '../domain/events.js';
import { DuplicateEventError, type ExpectedRevision, type NewEvent } from './event-store.js';
import { canonicalJson } from './hash-chain.js';

export const MAX_EVENTS_PER_APPEND = 10_000;

const StreamName = z.string().min(1).max(300);
const OptionalTag = z.string().min(1).max(200).nullish();
const NewEventEnvelope = z.object({
  eventId: z.uuid(),
  occurredAt: Instant,
  actor: Actor,
  commandId: OptionalTag,
  correlationId: OptionalTag,
  causationId: OptionalTag,
  policyVersion: OptionalTag,
});

/** A validated event ready to be written: data parsed and serialised once. */
export interface PreparedEvent {
  eventId: string;
  type: EventType;
  schemaVersion: number;
  data: unknown;
  dataJson: string;
  occurredAt: string;
  actor: Actor;
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  policyVersion: string | null;
}

/** Throws SchemaViolationError for anything malformed, DuplicateEventError for an id twice in one append. */
export function prepareAppend(stream: string, events: NewEvent[], expected: ExpectedRevision): PreparedEvent[] {
  const streamCheck = StreamName.safeParse(stream);
  if (!streamCheck.success) throw new SchemaViolationError('stream', zodIssues(streamCheck.error));
  assertExpectedRevisionShape(expected);
  if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_APPEND) {
    throw new SchemaViolationError('append', [
      { path: 'events', message: `an append carries 1..${MAX_EVENTS_PER_APPEND} events, got ${Array.isArray(events) ? events.length : typeof events}` },
    ]);
  }
  const seen = new Set<string>();
  return events.map((event, i) => {
    const prepared = prepareEvent(event, i);
    if (seen.has(prepared.eventId)) throw new DuplicateEventError(prepared.eventId, `it appears twice in one append (index ${i})`);
    seen.add(prepared.eventId);
    return prepared;
  });
}

function prepareEvent(event: NewEvent, index: number): PreparedEvent {
  const envelope = NewEventEnvelope.safeParse(event);
  if (!envelope.success) {
    throw new SchemaViolationError(String(event?.type), zodIssues(envelope.error).map((i) => ({ ...i, path: `events.${index}.${i.path}` })));
  }
  const parsed = parseEvent(event.type, event.data);
  const e = envelope.data;
  return {
    eventId: e.eventId,
    type: parsed.type,
    schemaVersion: currentSchemaVersion[parsed.type],
    data: parsed.data,
    dataJson: canonicalJson(parsed.data),
    occurredAt: e.occurredAt,
    actor: { role: e.actor.role, id: e.actor.id },
    commandId: e.commandId ?? null,
    correlationId: e.correlationId ?? null,
    causationId: e.causationId ?? null,
    policyVersion: e.policyVersion ?? null,
  };
}

function assertExpectedRevisionShape(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no-stream' || expected === 'exists') return;
  if (typeof expected === 'bigint' && expected >= 0n && expected <= BigInt(Number.MAX_SAFE_INTEGER)) return;
  throw new SchemaViolationError('append', [
    { path: 'expectedRevision', message: `must be 'any', 'no-stream', 'exists' or a revision ≥ 0n, got ${String(expected)}` },
  ]);
}
