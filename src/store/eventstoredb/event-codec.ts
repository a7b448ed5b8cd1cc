// Ledger events ⇄ EventStoreDB events. The domain event's data is the event's JSON data; the rest
// of the envelope, and the hash chain, travel in the event's JSON metadata:
//   { ledgerFormat: 1, schemaVersion, occurredAt, actor, commandId, correlationId, causationId,
//     policyVersion, prevHash, hash, $correlationId?, $causationId? }
// EventStoreDB itself supplies the rest: event id (= the ledger's eventId), stream, revision,
// position ($all commit/prepare, see positions.ts) and created (→ recordedAt).
//
// The hash chain on EventStoreDB is per stream: prevHash is the hash of the stream's previous
// event (GENESIS_HASH at revision 0). Many app instances append at once, each knowing only the
// stream it writes, so a global chain cannot be computed when writing; verify() checks every
// stream's chain and every event's hash over $all, and folds the event hashes in $all order into
// one digest (the VerifyResult's headHash) that commits to the whole log and its order.
//
// The hash is hashEvent's canonical form over every envelope field except hash, position and
// recordedAt: position and recordedAt are both assigned by the server after the write (the
// embedded store leaves position out for the same reason). recordedAt is therefore attested by
// EventStoreDB (clients cannot choose `created`), not by the chain.
import { z } from 'zod';
import { Actor, EventTypeSchema, Instant, SchemaViolationError, currentSchemaVersion, upcastEvent, zodIssues, type EventEnvelope, type EventType } from '../../domain/events.js';
import { CanonicalJsonText, GENESIS_HASH, canonicalJson, hashEvent, type HashedEnvelope } from '../hash-chain.js';
import type { Position } from '@eventstore/db-client';
import { encodePosition } from './positions.js';

export const LEDGER_METADATA_FORMAT = 1;

const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const Tag = z.string().min(1).max(200).nullable();

export const LedgerMetadata = z.object({
  ledgerFormat: z.literal(LEDGER_METADATA_FORMAT),
  schemaVersion: z.number().int().min(1),
  occurredAt: Instant,
  actor: Actor,
  commandId: Tag,
  correlationId: Tag,
  causationId: Tag,
  policyVersion: Tag,
  prevHash: Hash,
  hash: Hash,
});
export type LedgerMetadata = z.infer<typeof LedgerMetadata>;

/** The fields an append knows when it writes: everything but position and recordedAt. */
export interface WrittenFields {
  eventId: string;
  type: EventType;
  schemaVersion: number;
  stream: string;
  revision: bigint;
  occurredAt: string;
  actor: { role: Actor['role']; id: string };
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  policyVersion: string | null;
  prevHash: string;
  /** The data as canonical JSON text (what is hashed). */
  dataJson: string;
}

/** hashEvent's canonical form without recordedAt (set by the server): canonicalJson drops absent keys. */
export function hashWrittenFields(fields: WrittenFields): string {
  const { dataJson, prevHash, ...rest } = fields;
  const hashed = { ...rest, prevHash, data: new CanonicalJsonText(dataJson) };
  return hashEvent(prevHash, hashed as unknown as HashedEnvelope);
}

/** What appendToStream takes for one event (the client's jsonEvent shape). */
export interface OutgoingEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export function toOutgoingEvent(fields: WrittenFields, data: unknown, hash: string): OutgoingEvent {
  const metadata: LedgerMetadata & Record<string, unknown> = {
    ledgerFormat: LEDGER_METADATA_FORMAT,
    schemaVersion: fields.schemaVersion,
    occurredAt: fields.occurredAt,
    actor: fields.actor,
    commandId: fields.commandId,
    correlationId: fields.correlationId,
    causationId: fields.causationId,
    policyVersion: fields.policyVersion,
    prevHash: fields.prevHash,
    hash,
  };
  // EventStoreDB's own conventions, for its UI and projections; not read back.
  if (fields.correlationId !== null) metadata.$correlationId = fields.correlationId;
  if (fields.causationId !== null) metadata.$causationId = fields.causationId;
  return { id: fields.eventId, type: fields.type, data: data as Record<string, unknown>, metadata };
}

/** The parts of a client RecordedEvent the codec reads. */
export interface StoredRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

/** A decoded event with the hash recomputed from what is stored (callers compare it to envelope.hash). */
export interface DecodedEvent {
  envelope: EventEnvelope;
  computedHash: string;
}

/** The event written or read is not a ledger event the adapter can trust. */
export class ForeignEventError extends Error {
  override readonly name = 'ForeignEvent';
}

/**
 * Decodes an event of one of the ledger's streams. `namespace` is stripped from the stream name.
 * Throws ForeignEventError when it is not a ledger event (no ledger metadata, not JSON, no
 * position) and SchemaViolationError when its data breaks its schema.
 */
export function decodeStoredRecord(record: StoredRecord, namespace: string): DecodedEvent {
  const where = `event ${record.id} (${record.streamId} revision ${record.revision})`;
  if (!record.streamId.startsWith(namespace)) throw new ForeignEventError(`${where} is outside the namespace "${namespace}"`);
  if (!record.isJson) throw new ForeignEventError(`${where} is not JSON`);
  if (!record.position) throw new ForeignEventError(`${where} came without its $all position (EventStoreDB 22.6 or later reports it)`);
  const meta = LedgerMetadata.safeParse(record.metadata);
  if (!meta.success) {
    throw new ForeignEventError(`${where} has no valid ledger metadata: ${zodIssues(meta.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
  const m = meta.data;
  const stream = record.streamId.slice(namespace.length);
  const dataJson = canonicalJson(record.data);
  const type = parseStoredType(record.type);
  const computedHash = safeHash({
    eventId: record.id,
    type,
    schemaVersion: m.schemaVersion,
    stream,
    revision: record.revision,
    occurredAt: m.occurredAt,
    actor: m.actor,
    commandId: m.commandId,
    correlationId: m.correlationId,
    causationId: m.causationId,
    policyVersion: m.policyVersion,
    prevHash: m.prevHash,
    dataJson,
  });
  const current = upcastEvent(type, m.schemaVersion, record.data);
  const envelope = {
    eventId: record.id,
    type: current.type,
    schemaVersion: currentSchemaVersion[current.type],
    stream,
    revision: record.revision,
    position: encodePosition(record.position),
    occurredAt: m.occurredAt,
    recordedAt: record.created.toISOString(),
    actor: { role: m.actor.role, id: m.actor.id },
    commandId: m.commandId,
    correlationId: m.correlationId,
    causationId: m.causationId,
    policyVersion: m.policyVersion,
    prevHash: m.prevHash,
    hash: m.hash,
    data: current.data,
  } as EventEnvelope;
  return { envelope, computedHash };
}

function parseStoredType(type: string): EventType {
  const parsed = EventTypeSchema.safeParse(type);
  if (!parsed.success) throw new SchemaViolationError(type, [{ path: 'type', message: `unknown event type "${type}"` }]);
  return parsed.data;
}

function safeHash(fields: WrittenFields): string {
  try {
    return hashWrittenFields(fields);
  } catch (error) {
    return `unhashable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** prevHash of the first event of a stream. */
export const STREAM_GENESIS_HASH = GENESIS_HASH;
