// The hash chain: canonical JSON, sha-256 chaining of envelopes, and verification.
// Pure: no I/O, no clock. Every adapter chains the same way, so a log copied from one store to
// another verifies identically.
import { createHash, hash as oneShotHash } from 'node:crypto';
import type { EventEnvelope } from '../domain/events.js';
import type { VerifyResult } from './event-store.js';

/** The prevHash of the first event in a log. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON text that is already canonical (e.g. a stored event's data column), written verbatim by
 * canonicalJson. Lets a store hash an envelope without parsing and re-serialising its data.
 */
export class CanonicalJsonText {
  constructor(readonly text: string) {}
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, bigint as its decimal digits,
 * keys whose value is undefined dropped. Throws on NaN, Infinity, functions, symbols, undefined
 * array items and objects that are not plain (Date, Map, class instances).
 */
export function canonicalJson(value: unknown): string {
  return writeValue(value, null);
}

/** Thrown by the writer; canonicalJson's caller gets a TypeError naming the offending path. */
function refuse(value: unknown, what: string): never {
  throw new TypeError(`canonicalJson: ${what} (${describeValue(value)})`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}

/** `omit`: top-level keys left out (hashEvent leaves out hash and position without copying). */
function writeValue(value: unknown, omit: ReadonlySet<string> | null): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) refuse(value, 'not a finite number');
      return JSON.stringify(value);
    case 'bigint':
      return value.toString(10);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof CanonicalJsonText) return value.text;
      if (Array.isArray(value)) return writeArray(value);
      return writeObject(value as Record<string, unknown>, omit);
    default:
      return refuse(value, 'JSON cannot represent it');
  }
}

function writeArray(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    if (item === undefined) refuse(item, `array item ${i} is undefined`);
    out += writeValue(item, null);
  }
  return out + ']';
}

function writeObject(object: Record<string, unknown>, omit: ReadonlySet<string> | null): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) refuse(object, 'not a plain object');
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = object[key];
    if (item === undefined || (omit !== null && omit.has(key))) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(key) + ':' + writeValue(item, null);
  }
  return out + '}';
}

/** An envelope to hash: `hash` and `position` may be present and are left out. */
export type HashedEnvelope = Omit<EventEnvelope, 'hash' | 'position' | 'data'> & {
  data: unknown;
  hash?: string;
  position?: bigint;
};

/**
 * sha-256 (hex) over prevHash followed by the canonical JSON of every envelope field except
 * `hash` and `position`. Position is left out so that a store which learns positions only after
 * the write can chain the same way; the links themselves fix the order.
 */
export function hashEvent(prevHash: string, envelope: HashedEnvelope): string {
  assertHashText(prevHash, 'prevHash');
  const text = writeValue(envelope, NOT_HASHED);
  return createHash('sha256').update(prevHash).update(text).digest('hex');
}

const NOT_HASHED: ReadonlySet<string> = new Set(['hash', 'position']);

/** The hashed fields of an envelope as a store holds them: data already as canonical JSON text. */
export interface StoredEnvelopeFields {
  eventId: string;
  type: string;
  schemaVersion: number;
  stream: string;
  revision: number;
  occurredAt: string;
  recordedAt: string;
  actor: { role: string; id: string };
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  policyVersion: string | null;
  prevHash: string;
  dataText: string;
}

/**
 * The same text canonicalJson writes for such an envelope (keys in code-unit order, data
 * verbatim), without walking and sorting generic objects: the store's hot path. A test checks
 * it against canonicalJson.
 */
export function canonicalEnvelopeText(e: StoredEnvelopeFields): string {
  if (!Number.isSafeInteger(e.revision) || !Number.isSafeInteger(e.schemaVersion)) {
    throw new TypeError(`canonicalEnvelopeText: revision ${e.revision} and schemaVersion ${e.schemaVersion} must be safe integers`);
  }
  return (
    '{"actor":{"id":' + JSON.stringify(e.actor.id) + ',"role":' + JSON.stringify(e.actor.role) +
    '},"causationId":' + JSON.stringify(e.causationId) +
    ',"commandId":' + JSON.stringify(e.commandId) +
    ',"correlationId":' + JSON.stringify(e.correlationId) +
    ',"data":' + e.dataText +
    ',"eventId":' + JSON.stringify(e.eventId) +
    ',"occurredAt":' + JSON.stringify(e.occurredAt) +
    ',"policyVersion":' + JSON.stringify(e.policyVersion) +
    ',"prevHash":' + JSON.stringify(e.prevHash) +
    ',"recordedAt":' + JSON.stringify(e.recordedAt) +
    ',"revision":' + String(e.revision) +
    ',"schemaVersion":' + String(e.schemaVersion) +
    ',"stream":' + JSON.stringify(e.stream) +
    ',"type":' + JSON.stringify(e.type) +
    '}'
  );
}

/** hashEvent for a store's envelope fields: the same hash, computed on the hot path. */
export function hashStoredEnvelope(e: StoredEnvelopeFields): string {
  assertHashText(e.prevHash, 'prevHash');
  // One call over prevHash followed by the text: the same digest as two updates, without a Hash object.
  return oneShotHash('sha256', e.prevHash + canonicalEnvelopeText(e), 'hex');
}

function assertHashText(value: string, name: string): void {
  if (!/^[0-9a-f]{64}$/.test(value)) throw new TypeError(`${name} must be 64 lowercase hex digits, got "${value}"`);
}

// ---- verification --------------------------------------------------------------------------

/** One stored link of the chain, with the hash recomputed from the stored content. */
export interface ChainLink {
  position: bigint;
  prevHash: string;
  /** The hash as stored. */
  hash: string;
  /** The hash recomputed from the stored content. */
  computedHash: string;
  recordedAt: string;
}

/**
 * Walks a log link by link (in position order) and stops at the first problem: a position gap
 * (an event missing), a broken link (prevHash is not the previous hash), a hash mismatch (the
 * content changed) or recordedAt going backwards. Stores feed it while streaming their log.
 */
export class ChainWalker {
  private events = 0;
  private lastHash = GENESIS_HASH;
  private lastPosition = 0n;
  private lastRecordedAt = '';
  private failure: { position: bigint; problem: string } | null = null;

  /** Returns false once a problem is found; later links are ignored. */
  step(link: ChainLink): boolean {
    if (this.failure) return false;
    this.failure = this.check(link);
    if (this.failure) return false;
    this.events++;
    this.lastHash = link.hash;
    this.lastPosition = link.position;
    this.lastRecordedAt = link.recordedAt;
    return true;
  }

  private check(link: ChainLink): { position: bigint; problem: string } | null {
    const expected = this.lastPosition + 1n;
    if (link.position !== expected) {
      return link.position > expected
        ? { position: expected, problem: `position gap: position ${expected} is missing (next stored is ${link.position})` }
        : { position: link.position, problem: `position ${link.position} is out of order after ${this.lastPosition}` };
    }
    if (link.prevHash !== this.lastHash) {
      return { position: link.position, problem: `broken link: prevHash ${link.prevHash} is not the hash of position ${this.lastPosition} (${this.lastHash})` };
    }
    if (link.computedHash !== link.hash) {
      return { position: link.position, problem: `hash mismatch: stored ${link.hash}, content hashes to ${link.computedHash}` };
    }
    if (link.recordedAt < this.lastRecordedAt) {
      return { position: link.position, problem: `recordedAt ${link.recordedAt} goes back before ${this.lastRecordedAt}` };
    }
    return null;
  }

  result(): VerifyResult {
    const base = { ok: this.failure === null, events: this.events, headHash: this.lastHash };
    return this.failure ? { ...base, firstBadPosition: this.failure.position, problem: this.failure.problem } : base;
  }
}

/** Verifies envelopes given in position order, starting at position 1. */
export function verifyChain(envelopes: Iterable<EventEnvelope>): VerifyResult {
  const walker = new ChainWalker();
  for (const envelope of envelopes) {
    const link: ChainLink = {
      position: envelope.position,
      prevHash: envelope.prevHash,
      hash: envelope.hash,
      computedHash: safeHash(envelope),
      recordedAt: envelope.recordedAt,
    };
    if (!walker.step(link)) break;
  }
  return walker.result();
}

function safeHash(envelope: EventEnvelope): string {
  try {
    return hashEvent(envelope.prevHash, envelope);
  } catch (error) {
    return `unhashable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
