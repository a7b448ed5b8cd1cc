// The event-store port: what every adapter (embedded SQLite, EventStoreDB) provides.
// Revisions count from 0 within a stream; positions count from 1 across the whole log.
import type { Actor, EventEnvelope, LedgerEvent } from '../domain/events.js';

/** What the caller knows about the stream it appends to. */
export type ExpectedRevision = 'any' | 'no-stream' | 'exists' | bigint;

/** An event to append; the store adds revision, position, recordedAt and the hash chain. */
export type NewEvent = LedgerEvent & {
  /** A uuid. Re-appending an event id with the same stream, type and data writes nothing and answers as the first time. */
  eventId: string;
  occurredAt: string;
  actor: Actor;
  commandId?: string | null;
  correlationId?: string | null;
  causationId?: string | null;
  policyVersion?: string | null;
};

export interface AppendResult {
  /** The revision of the last event now in the stream (the next append expects it). */
  nextRevision: bigint;
  /** The global position of the last event appended (or of the first append, when idempotent). */
  position: bigint;
  /** The stored envelopes of this append, in order. */
  events: EventEnvelope[];
}

export interface ReadStreamOptions {
  fromRevision?: bigint;
  toRevision?: bigint;
}

export interface ReadAllOptions {
  /** Inclusive. */
  fromPosition?: bigint;
  /** Inclusive. */
  toPosition?: bigint;
  /** Only events recorded strictly before this instant (ISO-8601): the log as known then. */
  recordedBefore?: string;
  /** At most this many events a batch read from the store (memory bound). */
  batchSize?: number;
}

export type EventHandler = (event: EventEnvelope) => void | Promise<void>;

export interface Subscription {
  /** Resolves once every event up to the head at subscription time has been handed over. */
  readonly caughtUp: Promise<void>;
  close(): Promise<void>;
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  headHash: string;
  /** When not ok: the first position whose hash or link does not match, and why. */
  firstBadPosition?: bigint;
  problem?: string;
}

export interface EventStore {
  readonly kind: 'sqlite' | 'eventstoredb';
  append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** The stream's events in revision order; an unknown stream is empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<EventEnvelope[]>;
  /** The log in global order, batch by batch, never the whole log in memory. */
  readAll(options?: ReadAllOptions): AsyncIterable<EventEnvelope>;
  /** Hands every event after `fromPosition` (exclusive; 0n for all) to the handler in order, then live ones. */
  subscribe(fromPosition: bigint, handler: EventHandler): Subscription;
  /** The position of the last event in the log (0n when empty). */
  headPosition(): Promise<bigint>;
  verify(): Promise<VerifyResult>;
  close(): Promise<void>;
}

// ---- typed errors --------------------------------------------------------------------------

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevision';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's last revision, or 'no-stream'. */
    readonly actual: bigint | 'no-stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export class DuplicateEventError extends Error {
  override readonly name = 'DuplicateEvent';
  constructor(
    readonly eventId: string,
    readonly detail: string,
  ) {
    super(`event ${eventId} is already stored with other content: ${detail}`);
  }
}

export { SchemaViolationError } from '../domain/events.js';

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailable';
}

/** The data file was written by a store version this code does not read. */
export class IncompatibleStoreError extends Error {
  override readonly name = 'IncompatibleStore';
}
