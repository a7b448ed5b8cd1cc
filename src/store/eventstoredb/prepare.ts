// Validates an append completely before anything is sent (the same rules as the embedded store),
// and names the ledger's streams: only they are read back from $all.
import { z } from 'zod';
import {
  Actor,
  Instant,
  SchemaViolationError,
  currentSchemaVersion,
  customerStream,
  parseEvent,
  partnerStream,
  zodIssues,
  type EventType,
} from '../../domain/events.js';
import { DuplicateEventError, type ExpectedRevision, type NewEvent } from '../event-store.js';
import { canonicalJson } from '../hash-chain.js';

/** Every stream the ledger writes starts with one of these (src/domain/events.ts names them). */
export const LEDGER_STREAM_PREFIXES: readonly string[] = [partnerStream(''), customerStream('')];
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

export interface PreparedEvent {
  eventId: string;
  type: EventType;
  schemaVersion: number;
  data: unknown;
  dataJson: string;
  occurredAt: string;
  actor: { role: Actor['role']; id: string };
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  policyVersion: string | null;
}

export function isLedgerStream(stream: string): boolean {
  return LEDGER_STREAM_PREFIXES.some((prefix) => stream.startsWith(prefix) && stream.length > prefix.length);
}

/** Throws SchemaViolationError (or DuplicateEventError for an id twice in one append). */
export function prepareAppend(stream: string, events: NewEvent[], expected: ExpectedRevision): PreparedEvent[] {
  const streamCheck = StreamName.safeParse(stream);
  if (!streamCheck.success) throw new SchemaViolationError('stream', zodIssues(streamCheck.error));
  if (!isLedgerStream(stream)) {
    throw new SchemaViolationError('stream', [
      { path: 'stream', message: `must start with one of ${LEDGER_STREAM_PREFIXES.join(', ')} (only those are read back from $all), got "${stream}"` },
    ]);
  }
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
