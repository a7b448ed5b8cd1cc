// Stored rows to envelopes and back, and the hash of a stored row.
import {
  currentSchemaVersion,
  parseEvent,
  upcastEvent,
  type EventEnvelope,
  type EventType,
  type LedgerEvent,
} from '../../domain/events.js';
import { CanonicalJsonText, hashEvent } from '../hash-chain.js';
import { Col } from './schema.js';

/** A row as better-sqlite3 returns it in raw mode, in EVENT_COLUMNS order. */
export type EventRow = unknown[];

/**
 * How much reading checks. 'always': every event through its zod schema. 'old-versions': only
 * events whose stored schemaVersion is not current (they are upcast and then validated); events
 * of the current version were validated when appended and are hashed, so verify() finds changes.
 */
export type ReadValidation = 'always' | 'old-versions';

export function toBigInt(value: unknown, column: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`stored ${column} ${String(value)} is not a safe integer`);
}

export function decodeRow(row: EventRow, validation: ReadValidation): EventEnvelope {
  const type = row[Col.type] as EventType;
  const storedVersion = row[Col.schemaVersion] as number;
  const raw: unknown = JSON.parse(row[Col.data] as string);
  const current = currentSchemaVersion[type];
  let event: LedgerEvent;
  if (storedVersion !== current) event = upcastEvent(type, storedVersion, raw);
  else if (validation === 'always') event = parseEvent(type, raw);
  else event = { type, data: raw } as LedgerEvent;
  return {
    eventId: row[Col.eventId] as string,
    type: event.type,
    schemaVersion: current ?? storedVersion,
    stream: row[Col.stream] as string,
    revision: toBigInt(row[Col.revision], 'revision'),
    position: toBigInt(row[Col.position], 'position'),
    occurredAt: row[Col.occurredAt] as string,
    recordedAt: row[Col.recordedAt] as string,
    actor: { role: row[Col.actorRole], id: row[Col.actorId] } as EventEnvelope['actor'],
    commandId: row[Col.commandId] as string | null,
    correlationId: row[Col.correlationId] as string | null,
    causationId: row[Col.causationId] as string | null,
    policyVersion: row[Col.policyVersion] as string | null,
    prevHash: row[Col.prevHash] as string,
    hash: row[Col.hash] as string,
    data: event.data,
  };
}

/** The fields a row's hash covers, with the stored data text used verbatim (it is canonical JSON). */
export function hashedFieldsOfRow(row: EventRow): Record<string, unknown> {
  return {
    eventId: row[Col.eventId],
    type: row[Col.type],
    schemaVersion: row[Col.schemaVersion],
    stream: row[Col.stream],
    revision: row[Col.revision],
    occurredAt: row[Col.occurredAt],
    recordedAt: row[Col.recordedAt],
    actor: { role: row[Col.actorRole], id: row[Col.actorId] },
    commandId: row[Col.commandId],
    correlationId: row[Col.correlationId],
    causationId: row[Col.causationId],
    policyVersion: row[Col.policyVersion],
    prevHash: row[Col.prevHash],
    data: new CanonicalJsonText(String(row[Col.data])),
  };
}

/** Recomputes a stored row's hash; content that cannot be hashed yields a marker that never matches. */
export function hashOfRow(row: EventRow): string {
  try {
    return hashEvent(String(row[Col.prevHash]), hashedFieldsOfRow(row) as never);
  } catch (error) {
    return `unhashable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
