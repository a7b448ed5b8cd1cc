// Stored rows to envelopes and back, the dictionaries (streams, contexts) they refer to, and the
// hash of a stored row.
import type Database from 'better-sqlite3';
import {
  currentSchemaVersion,
  parseEvent,
  upcastEvent,
  type Actor,
  type EventEnvelope,
  type EventType,
} from '../../domain/events.js';
import { GENESIS_HASH, hashStoredEnvelope } from '../hash-chain.js';
import { Col, INSTANT_LENGTH } from './schema.js';

/** A row as better-sqlite3 returns it in raw mode, in EVENT_COLUMNS order (+ prevHash when asked). */
export type EventRow = unknown[];

/**
 * How much reading checks. 'always': every event through its zod schema. 'old-versions': only
 * events whose stored schemaVersion is not current (they are upcast and then validated); events
 * of the current version were validated when appended and are hashed, so verify() finds changes.
 */
export type ReadValidation = 'always' | 'old-versions';

/** What one context id stands for: the envelope fields most events share. */
export interface EventContext {
  type: EventType;
  schemaVersion: number;
  /** Shared by every event of the context, hence frozen. */
  actor: Readonly<Actor>;
  policyVersion: string | null;
}

/** The dictionary key of a context: canonical JSON of [type, schemaVersion, role, id, policyVersion]. */
export function contextKey(type: string, schemaVersion: number, actor: Actor, policyVersion: string | null): string {
  // canonicalJson of an array of strings, numbers and null is JSON.stringify's text; one native call.
  if (!Number.isSafeInteger(schemaVersion)) throw new TypeError(`contextKey: schemaVersion ${schemaVersion} is not a safe integer`);
  return JSON.stringify([type, schemaVersion, actor.role, actor.id, policyVersion]);
}

function contextOfKey(key: string): EventContext {
  const parsed: unknown = JSON.parse(key);
  if (!Array.isArray(parsed) || parsed.length !== 5) throw new TypeError(`stored context ${key} is not [type, version, role, id, policy]`);
  const [type, schemaVersion, role, id, policyVersion] = parsed as [EventType, number, Actor['role'], string, string | null];
  return { type, schemaVersion, actor: Object.freeze({ role, id }), policyVersion };
}

/**
 * Reads the streams and contexts dictionaries of one connection, caching what it has seen. Both
 * tables are append-only, so a cached entry never goes stale; a miss asks the file (another
 * connection may have added it).
 */
export class Dictionaries {
  private readonly streamNames = new Map<number, string>();
  private readonly streamIds = new Map<string, number>();
  private readonly contexts = new Map<number, EventContext>();
  private readonly contextKeys = new Map<number, string>();
  private readonly streamName: Database.Statement;
  private readonly streamId: Database.Statement;
  private readonly contextKey: Database.Statement;

  constructor(db: Database.Database) {
    this.streamName = db.prepare('SELECT name FROM streams WHERE stream_id = ?').pluck();
    this.streamId = db.prepare('SELECT stream_id FROM streams WHERE name = ?').pluck();
    this.contextKey = db.prepare('SELECT key FROM contexts WHERE context_id = ?').pluck();
  }

  stream(id: number): string {
    let name = this.streamNames.get(id);
    if (name === undefined) {
      name = this.streamName.get(id) as string | undefined;
      if (name === undefined) throw new Error(`the log refers to stream id ${id}, which the streams table does not hold`);
      this.remember(id, name);
    }
    return name;
  }

  /** The id of a stream name, or null when no event was ever stored in it. */
  streamIdOf(name: string): number | null {
    let id = this.streamIds.get(name);
    if (id === undefined) {
      id = this.streamId.get(name) as number | undefined;
      if (id === undefined) return null;
      this.remember(id, name);
    }
    return id;
  }

  context(id: number): EventContext {
    let context = this.contexts.get(id);
    if (context === undefined) {
      const key = this.keyOfContext(id);
      context = contextOfKey(key);
      this.contexts.set(id, context);
    }
    return context;
  }

  keyOfContext(id: number): string {
    let key = this.contextKeys.get(id);
    if (key === undefined) {
      key = this.contextKey.get(id) as string | undefined;
      if (key === undefined) throw new Error(`the log refers to context id ${id}, which the contexts table does not hold`);
      this.contextKeys.set(id, key);
    }
    return key;
  }

  private remember(id: number, name: string): void {
    this.streamNames.set(id, name);
    this.streamIds.set(name, id);
  }
}

export function toBigInt(value: unknown, column: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`stored ${column} ${String(value)} is not a safe integer`);
}

/** Builds the envelope of a row; `prevHash` is the hash at position - 1 (the caller knows it). */
export function decodeRow(row: EventRow, prevHash: string, dictionaries: Dictionaries, validation: ReadValidation): EventEnvelope {
  const context = dictionaries.context(row[Col.contextId] as number);
  const type = context.type;
  const raw: unknown = JSON.parse(row[Col.data] as string);
  const current = currentSchemaVersion[type];
  let data: unknown = raw;
  if (context.schemaVersion !== current) data = upcastEvent(type, context.schemaVersion, raw).data;
  else if (validation === 'always') data = parseEvent(type, raw).data;
  const times = row[Col.times] as string;
  return {
    eventId: row[Col.eventId] as string,
    type,
    schemaVersion: current ?? context.schemaVersion,
    stream: dictionaries.stream(row[Col.streamId] as number),
    revision: BigInt(row[Col.revision] as number),
    position: BigInt(row[Col.position] as number),
    occurredAt: times.slice(0, INSTANT_LENGTH),
    recordedAt: times.slice(INSTANT_LENGTH),
    actor: context.actor,
    commandId: row[Col.commandId] as string | null,
    correlationId: row[Col.correlationId] as string | null,
    causationId: row[Col.causationId] as string | null,
    policyVersion: context.policyVersion,
    prevHash,
    hash: row[Col.hash] as string,
    data,
  } as EventEnvelope;
}

/** The stored prevHash column of a non-contiguous read: GENESIS for position 1; a missing row is a damaged log. */
export function prevHashOfRow(row: EventRow): string {
  const position = row[Col.position] as number;
  if (position === 1) return GENESIS_HASH;
  const prev = row[Col.prevHash];
  if (typeof prev !== 'string') {
    throw new Error(`the log is damaged: position ${position - 1} is missing before position ${position}; run \`ledger verify\``);
  }
  return prev;
}

/**
 * Recomputes a stored row's hash from its content as stored (the data text verbatim: it is
 * canonical JSON), given the hash of the position before; content that cannot be hashed yields
 * a marker that never matches.
 */
export function hashOfRow(row: EventRow, prevHash: string, dictionaries: Dictionaries): string {
  try {
    const context = dictionaries.context(row[Col.contextId] as number);
    const times = String(row[Col.times]);
    const revision = row[Col.revision];
    if (typeof revision !== 'number' || !Number.isSafeInteger(revision)) throw new TypeError(`stored revision ${String(revision)} is not a safe integer`);
    return hashStoredEnvelope({
      eventId: String(row[Col.eventId]),
      type: context.type,
      schemaVersion: context.schemaVersion,
      stream: dictionaries.stream(row[Col.streamId] as number),
      revision,
      occurredAt: times.slice(0, INSTANT_LENGTH),
      recordedAt: times.slice(INSTANT_LENGTH),
      actor: context.actor,
      commandId: row[Col.commandId] as string | null,
      correlationId: row[Col.correlationId] as string | null,
      causationId: row[Col.causationId] as string | null,
      policyVersion: context.policyVersion,
      prevHash,
      dataText: String(row[Col.data]),
    });
  } catch (error) {
    return `unhashable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
