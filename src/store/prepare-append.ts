// Validating an append before anything is written, the same for every adapter: the stream
// name, the expected revision's shape, the number of events, each event's envelope and data
// (parsed and serialised once), and no event id twice in one append.
import { z } from 'zod';
import { Actor, Instant, SchemaViolationError, currentSchemaVersion, isCalendarInstant, parseEvent, zodIssues, type EventType } from '../domain/events.js';
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

/**
 * One event of a history written whole (ledger import): the same checks as an append of that
 * one event (prepareAppend(stream, [event], 'any')), without the array and the id set around it.
 */
export function prepareHistoryEvent(stream: string, event: NewEvent): PreparedEvent {
  if (typeof stream !== 'string' || stream.length < 1 || stream.length > 300) {
    const streamCheck = StreamName.safeParse(stream);
    if (!streamCheck.success) throw new SchemaViolationError('stream', zodIssues(streamCheck.error));
  }
  return prepareEvent(event, 0);
}

function prepareEvent(event: NewEvent, index: number): PreparedEvent {
  const e = envelopeOf(event, index);
  const parsed = parseEvent(event.type, event.data);
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

type NewEventEnvelope = z.output<typeof NewEventEnvelope>;

/**
 * The envelope's fields, checked. A hand-written check accepts what the schema accepts in the
 * form the ledger writes (a lowercase uuid, an instant of a real calendar day, the actor's role
 * and id, short tags), about twenty times cheaper than the zod parse; anything else goes
 * through the schema itself, which accepts it or names every problem exactly as before.
 */
function envelopeOf(event: NewEvent, index: number): NewEventEnvelope {
  if (event !== null && typeof event === 'object' && isPlainEnvelope(event)) return event;
  const envelope = NewEventEnvelope.safeParse(event);
  if (!envelope.success) {
    throw new SchemaViolationError(String(event?.type), zodIssues(envelope.error).map((i) => ({ ...i, path: `events.${index}.${i.path}` })));
  }
  return envelope.data;
}

const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ROLES: ReadonlySet<string> = new Set(Actor.shape.role.options);

/** True only when every field is one the schema accepts unchanged (a subset of what it accepts). */
function isPlainEnvelope(e: NewEvent): boolean {
  const actor = e.actor as unknown;
  return (
    typeof e.eventId === 'string' &&
    LOWERCASE_UUID.test(e.eventId) &&
    isCalendarInstant(e.occurredAt) &&
    actor !== null &&
    typeof actor === 'object' &&
    typeof e.actor.role === 'string' &&
    ROLES.has(e.actor.role) &&
    typeof e.actor.id === 'string' &&
    e.actor.id.length >= 1 &&
    e.actor.id.length <= 128 &&
    isOptionalTag(e.commandId) &&
    isOptionalTag(e.correlationId) &&
    isOptionalTag(e.causationId) &&
    isOptionalTag(e.policyVersion)
  );
}

function isOptionalTag(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.length >= 1 && value.length <= 200);
}

/** Instant's pattern and a real calendar day (the domain's check, without a Date). */
export { isCalendarInstant };

function assertExpectedRevisionShape(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no-stream' || expected === 'exists') return;
  if (typeof expected === 'bigint' && expected >= 0n && expected <= BigInt(Number.MAX_SAFE_INTEGER)) return;
  throw new SchemaViolationError('append', [
    { path: 'expectedRevision', message: `must be 'any', 'no-stream', 'exists' or a revision ≥ 0n, got ${String(expected)}` },
  ]);
}
