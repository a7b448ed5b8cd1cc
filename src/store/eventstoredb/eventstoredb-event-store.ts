// The event-store port over an EventStoreDB cluster (@eventstore/db-client 6.x, server ≥ 22.6).
// The decisions, each defined and tested once in its own module:
//   revisions.ts     expected revisions both ways; appends pinned to the exact head revision
//   positions.ts     the ledger's position = the $all commit (= prepare) position + 1
//   event-codec.ts   envelope and per-stream hash chain in the event's JSON metadata;
//                    recordedAt = the event's `created`, stamped by the cluster's leader
//   idempotency.ts   what EventStoreDB dedups by event id, and what this adapter adds
//   subscription.ts  catch-up subscriptions with checkpoints, reconnecting, exactly once
//   errors.ts        the client's errors → the port's; credentials masked
//
// recordedAt: the leader assigns `created` when it writes the event, in the order it writes
// $all, with one clock. App instances' clocks differ and their appends race, so a recordedAt taken
// from the app could go backwards along $all and an as-of cut would no longer be a prefix of the
// log. The leader's clock can still step back (an NTP step, a failover to a node whose clock is
// behind by more than the election took): verify() then names the first position where recordedAt
// goes back, and readAll({recordedBefore}) stops at the first event recorded at or after the
// instant, so the log as known then is always a prefix of $all.
import { createHash } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { EventEnvelope } from '../../domain/events.js';
import {
  StoreUnavailableError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type Subscription,
  type VerifyResult,
} from '../event-store.js';
import { GENESIS_HASH } from '../hash-chain.js';
import { translateError, describeConnectionString, isUnreachable, maskCredentials, type ConnectionTarget, type ErrorContext } from './errors.js';
import { decodeStoredRecord, hashWrittenFields, toOutgoingEvent, type StoredRecord, type WrittenFields } from './event-codec.js';
import { IDEMPOTENCY_TAIL_EVENTS, expectedSlot, findEarlierAppend } from './idempotency.js';
import { compareRawPositions, decodePosition, encodePosition } from './positions.js';
import { LEDGER_STREAM_PREFIXES, isLedgerStream, prepareAppend, type PreparedEvent } from './prepare.js';
import { decideAppend } from './revisions.js';
import { CatchUpSubscription, type Feed, type FeedHooks, type ResumePoint } from './subscription.js';

export const DEFAULT_READ_BATCH_SIZE = 1_000;
const MAX_READ_BATCH_SIZE = 100_000;
/** Re-decisions of one append while other writers move its stream ('any' / 'exists' only). */
export const MAX_APPEND_ATTEMPTS = 20;
const HEAD_SCAN_PAGE = 256;
const VERIFY_PAGE = 2_000;
/** The filtered subscription reports a checkpoint every (this × 32) events it searched. */
const CHECKPOINT_INTERVAL = 10;
const PROBE_DEADLINE_MS = 5_000;

export interface EventStoreDbOptions {
  /** esdb://[user:password@]host:port[,host:port…][?tls=…&nodePreference=leader] */
  connectionString: string;
  /**
   * A prefix of every EventStoreDB stream name (default ''): lets tests, or a demo beside the real
   * ledger, share one cluster. The ledger's stream names (in envelopes and hashes) never carry it.
   */
  namespace?: string;
  readOnly?: boolean;
  /** Skip the reachability check at open (the first operation then reports an unreachable cluster). */
  skipProbe?: boolean;
}

/** An event in the ledger's streams whose hash or link does not match what is stored. */
export class ChainBrokenError extends Error {
  override readonly name = 'ChainBroken';
}

const NAMESPACE = /^(|[A-Za-z0-9][A-Za-z0-9_.:-]{0,63})$/;

/** Opens the adapter and checks that the cluster answers (StoreUnavailableError naming its hosts otherwise). */
export async function openEventStoreDbStore(options: EventStoreDbOptions): Promise<EventStoreDbEventStore> {
  let target: ConnectionTarget;
  try {
    target = describeConnectionString(options.connectionString);
  } catch (error) {
    throw new StoreUnavailableError(maskCredentials(error instanceof Error ? error.message : String(error)));
  }
  const namespace = options.namespace ?? '';
  if (!NAMESPACE.test(namespace)) throw new RangeError(`namespace must be empty or 1–64 letters, digits, "_", ".", ":" or "-", got "${namespace}"`);
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(options.connectionString);
  } catch (error) {
    throw new StoreUnavailableError(`cannot use EVENTSTORE_CONNECTION_STRING ${target.masked}: ${maskCredentials(error instanceof Error ? error.message : String(error))}`);
  }
  const store = new EventStoreDbEventStore(client, target, namespace, options.readOnly ?? false);
  if (!options.skipProbe) {
    try {
      await store.probe();
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw error;
    }
  }
  return store;
}

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  private readonly prefixes: string[];
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private closed = false;

  constructor(
    private readonly client: EventStoreDBClient,
    readonly target: ConnectionTarget,
    readonly namespace: string,
    private readonly readOnly: boolean,
  ) {
    this.prefixes = LEDGER_STREAM_PREFIXES.map((prefix) => namespace + prefix);
  }

  /** Reads one event of $all: the cluster answers, with the configured credentials. */
  async probe(): Promise<void> {
    await this.guard({ target: this.target, operation: 'connect' }, async () => {
      for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: PROBE_DEADLINE_MS })) break;
    });
  }

  // ---- append ---------------------------------------------------------------------------------

  async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    if (this.readOnly) throw new StoreUnavailableError(`the EventStoreDB store at ${this.target.hosts.join(', ')} is open read-only`);
    const prepared = prepareAppend(stream, events, expectedRevision);
    const context: ErrorContext = { target: this.target, operation: `append to ${stream}`, stream, expected: expectedRevision };
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const tail = await this.guard(context, () => this.readStreamTail(stream, IDEMPOTENCY_TAIL_EVENTS));
      const head = tail.at(-1) ?? null;
      const earlier = findEarlierAppend(stream, prepared, await this.idempotencyCandidates(stream, tail, expectedRevision, prepared.length, context));
      if (earlier) return resultOf(earlier);
      const decision = decideAppend(expectedRevision, head ? head.revision : null);
      if (decision.kind === 'conflict') throw new WrongExpectedRevisionError(stream, expectedRevision, decision.actual);
      const outgoing = chainAppend(prepared, stream, decision.firstRevision, head ? head.hash : GENESIS_HASH);
      try {
        await this.client.appendToStream(
          this.esdbStream(stream),
          outgoing.map((e) => jsonEvent(e)),
          { expectedRevision: decision.pinned },
        );
      } catch (error) {
        // Another writer moved the stream since it was read: decide again against the new head
        // (an exact expectation then answers WrongExpectedRevision with the actual revision).
        if (error instanceof WrongExpectedVersionError) continue;
        throw translateError(error, context);
      }
      const written = await this.guard(context, () => this.readStreamRange(stream, decision.firstRevision, prepared.length, true));
      const stored = findEarlierAppend(stream, prepared, written);
      if (!stored || stored.length !== prepared.length) {
        throw new Error(`invariant: the ${prepared.length} events appended to ${stream} at revision ${decision.firstRevision} are not there when read back`);
      }
      return resultOf(stored);
    }
    throw new StoreUnavailableError(`the append to ${stream} was decided ${MAX_APPEND_ATTEMPTS} times while other writers moved the stream; retry later`);
  }

  /** The tail, plus the slot an exact expectation places an earlier copy at when the tail does not cover it. */
  private async idempotencyCandidates(
    stream: string,
    tail: EventEnvelope[],
    expected: ExpectedRevision,
    count: number,
    context: ErrorContext,
  ): Promise<EventEnvelope[]> {
    const slot = expectedSlot(expected, count);
    const head = tail.at(-1);
    const first = tail[0];
    if (!slot || !head || !first || head.revision < slot.fromRevision || first.revision <= slot.fromRevision) return tail;
    return tail.concat(await this.guard(context, () => this.readStreamRange(stream, slot.fromRevision, slot.count, false)));
  }

  // ---- read -----------------------------------------------------------------------------------

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<EventEnvelope[]> {
    this.assertOpen();
    const from = options.fromRevision ?? 0n;
    const to = options.toRevision ?? BigInt(Number.MAX_SAFE_INTEGER);
    if (from < 0n || to < 0n) throw new RangeError(`readStream: revisions must be ≥ 0 (from ${from}, to ${to})`);
    if (to < from) return [];
    const count = to - from + 1n;
    return this.guard({ target: this.target, operation: `read ${stream}`, stream }, () =>
      this.readStreamRange(stream, from, count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count), false),
    );
  }

  /** Events `from` … `from + count − 1` of a stream, hashes and links checked. */
  private async readStreamRange(stream: string, from: bigint, count: number, requiresLeader: boolean): Promise<EventEnvelope[]> {
    const read = this.client.readStream(this.esdbStream(stream), { fromRevision: from, maxCount: count, direction: FORWARDS, requiresLeader });
    return checkStreamRun(await this.collectStream(read), from === 0n);
  }

  /** The stream's last `count` events in revision order ([] for no stream). */
  private async readStreamTail(stream: string, count: number): Promise<EventEnvelope[]> {
    const read = this.client.readStream(this.esdbStream(stream), { fromRevision: END, maxCount: count, direction: BACKWARDS, requiresLeader: true });
    const events = (await this.collectStream(read)).reverse();
    return checkStreamRun(events, events[0]?.revision === 0n);
  }

  private async collectStream(read: AsyncIterable<ResolvedEvent>): Promise<EventEnvelope[]> {
    const out: EventEnvelope[] = [];
    try {
      for await (const resolved of read) if (resolved.event) out.push(this.decodeChecked(resolved.event as StoredRecord));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  /**
   * fromPosition must be 0n, 1n or a position this store handed out: EventStoreDB starts reading
   * at that byte offset of its log, and an offset inside a record is not a place to start from.
   */
  readAll(options: ReadAllOptions = {}): AsyncIterable<EventEnvelope> {
    this.assertOpen();
    const batchSize = options.batchSize ?? DEFAULT_READ_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_READ_BATCH_SIZE) {
      throw new RangeError(`readAll: batchSize must be an integer in 1..${MAX_READ_BATCH_SIZE}, got ${batchSize}`);
    }
    const from = options.fromPosition ?? 0n;
    const to = options.toPosition ?? null;
    const cut = options.recordedBefore ?? null;
    const store = this;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const { envelope } of store.ledgerEventsOfAll(from > 1n ? decodePosition(from) : 'start', batchSize, true)) {
          if (envelope.position < from) continue;
          if (to !== null && envelope.position > to) return;
          if (cut !== null && envelope.recordedAt >= cut) return; // the log as known then is a prefix
          yield envelope;
        }
      },
    };
  }

  /**
   * The ledger's events of $all from `start` (inclusive), page by page. Client 6.x reads $all
   * without a server-side filter, so other streams are skipped here; the subscription filters on
   * the server. `checked`: throw on a hash mismatch (verify() wants to see it instead).
   */
  private async *ledgerEventsOfAll(start: ResumePoint, pageSize: number, checked: boolean): AsyncGenerator<{ envelope: EventEnvelope; computedHash: string }> {
    let from: Position | typeof START = start === 'start' ? START : start;
    let last: Position | null = null;
    const context: ErrorContext = { target: this.target, operation: 'read $all' };
    for (;;) {
      const page = await this.guard(context, () => collect(this.client.readAll({ fromPosition: from, maxCount: pageSize, direction: FORWARDS })));
      for (const resolved of page) {
        const event = resolved.event;
        if (!event) continue;
        if (last && compareRawPositions(event.position, last) <= 0) continue; // the page starts where the last one ended
        last = event.position;
        if (!this.isLedgerEsdbStream(event.streamId)) continue;
        const decoded = decodeStoredRecord(event as StoredRecord, this.namespace);
        if (checked) assertHash(decoded.envelope, decoded.computedHash);
        yield decoded;
      }
      if (page.length < pageSize || !last) return;
      from = last;
      this.assertOpen();
    }
  }

  subscribe(fromPosition: bigint, handler: EventHandler): Subscription {
    this.assertOpen();
    const context: ErrorContext = { target: this.target, operation: 'subscribe to $all' };
    const subscription = new CatchUpSubscription((resume, hooks) => this.openFeed(resume, hooks), fromPosition, handler, {
      headPosition: () => this.headPosition(),
      isTransient: isUnreachable,
      describeFailure: (error) => translateError(error, context),
    });
    this.subscriptions.add(subscription);
    return {
      caughtUp: subscription.caughtUp,
      close: async () => {
        this.subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  private openFeed(resume: ResumePoint, hooks: FeedHooks): Feed {
    const subscription = this.client.subscribeToAll({
      fromPosition: resume === 'start' ? START : resume,
      resolveLinkTos: false,
      filter: streamNameFilter({
        prefixes: this.prefixes,
        checkpointInterval: CHECKPOINT_INTERVAL,
        checkpointReached: (s, position) => hooks.onCheckpoint(position, s.readableLength),
      }),
    });
    const store = this;
    async function* events(): AsyncGenerator<EventEnvelope> {
      for await (const resolved of subscription) {
        const event = resolved.event;
        if (!event || !store.isLedgerEsdbStream(event.streamId)) continue;
        yield store.decodeChecked(event as StoredRecord);
      }
    }
    return {
      events: events(),
      close: async () => {
        await subscription.unsubscribe().catch(() => undefined);
        subscription.destroy();
      },
    };
  }

  /** The position of the last ledger event in $all (0n when there is none), scanning back page by page. */
  async headPosition(): Promise<bigint> {
    this.assertOpen();
    const context: ErrorContext = { target: this.target, operation: 'read the head of $all' };
    let from: Position | typeof END = END;
    for (;;) {
      const page = await this.guard(context, () => collect(this.client.readAll({ fromPosition: from, maxCount: HEAD_SCAN_PAGE, direction: BACKWARDS })));
      let last: Position | null = null;
      for (const resolved of page) {
        const event = resolved.event;
        if (!event) continue;
        if (this.isLedgerEsdbStream(event.streamId)) return encodePosition(event.position);
        last = event.position;
      }
      if (page.length < HEAD_SCAN_PAGE || !last) return 0n;
      from = last;
    }
  }

  /**
   * Walks $all once: every event's hash recomputed, every stream's chain (revisions 0, 1, 2… each
   * linked to the one before), recordedAt never going back. headHash is the digest of the event
   * hashes in $all order (sha-256 of digest + hash, from GENESIS_HASH): equal digests, equal logs.
   */
  async verify(): Promise<VerifyResult> {
    this.assertOpen();
    const heads = new Map<string, { revision: bigint; hash: string }>();
    let digest = GENESIS_HASH;
    let events = 0;
    let lastRecordedAt = '';
    let lastPosition = 0n;
    const fail = (position: bigint, problem: string): VerifyResult => ({ ok: false, events, headHash: digest, firstBadPosition: position, problem });
    try {
      for await (const { envelope: e, computedHash } of this.ledgerEventsOfAll('start', VERIFY_PAGE, false)) {
        if (e.position <= lastPosition) throw new Error(`invariant: $all gave position ${e.position} after ${lastPosition}`);
        lastPosition = e.position;
        const head = heads.get(e.stream);
        const expectedRevision = head ? head.revision + 1n : 0n;
        if (e.revision !== expectedRevision) {
          return fail(e.position, `revision gap: ${e.stream} revision ${expectedRevision} is missing (next stored is ${e.revision})`);
        }
        const expectedPrev = head ? head.hash : GENESIS_HASH;
        if (e.prevHash !== expectedPrev) {
          return fail(e.position, `broken link: prevHash ${e.prevHash} is not the hash of ${e.stream} revision ${expectedRevision - 1n} (${expectedPrev})`);
        }
        if (computedHash !== e.hash) return fail(e.position, `hash mismatch: stored ${e.hash}, content hashes to ${computedHash}`);
        if (e.recordedAt < lastRecordedAt) return fail(e.position, `recordedAt ${e.recordedAt} goes back before ${lastRecordedAt}`);
        heads.set(e.stream, { revision: e.revision, hash: e.hash });
        lastRecordedAt = e.recordedAt;
        digest = createHash('sha256').update(digest).update(e.hash).digest('hex');
        events++;
      }
    } catch (error) {
      if (isUnreachable(error) || error instanceof StoreUnavailableError) throw error;
      return fail(lastPosition + 1n, `undecodable event after position ${lastPosition}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { ok: true, events, headHash: digest };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    await this.client.dispose().catch(() => undefined);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private esdbStream(stream: string): string {
    return this.namespace + stream;
  }

  private isLedgerEsdbStream(esdbStream: string): boolean {
    return esdbStream.startsWith(this.namespace) && isLedgerStream(esdbStream.slice(this.namespace.length));
  }

  private decodeChecked(record: StoredRecord): EventEnvelope {
    const { envelope, computedHash } = decodeStoredRecord(record, this.namespace);
    assertHash(envelope, computedHash);
    return envelope;
  }

  /** Runs a client call and translates what it throws. */
  private async guard<T>(context: ErrorContext, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ChainBrokenError) throw error;
      throw translateError(error, context);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(`the EventStoreDB store at ${this.target.hosts.join(', ')} is closed`);
  }
}

// ---- pure helpers ---------------------------------------------------------------------------

/** Revisions, prevHashes and hashes for one append onto a stream whose head hash is `prevHash`. */
export function chainAppend(events: readonly PreparedEvent[], stream: string, firstRevision: bigint, prevHash: string) {
  let previous = prevHash;
  return events.map((event, i) => {
    const fields: WrittenFields = {
      eventId: event.eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      stream,
      revision: firstRevision + BigInt(i),
      occurredAt: event.occurredAt,
      actor: event.actor,
      commandId: event.commandId,
      correlationId: event.correlationId,
      causationId: event.causationId,
      policyVersion: event.policyVersion,
      prevHash: previous,
      dataJson: event.dataJson,
    };
    const hash = hashWrittenFields(fields);
    previous = hash;
    return toOutgoingEvent(fields, event.data, hash);
  });
}

/** A run of one stream's events in revision order: consecutive revisions, each linked to the one before. */
export function checkStreamRun(events: EventEnvelope[], startsAtGenesis: boolean): EventEnvelope[] {
  events.forEach((e, i) => {
    const previous = i > 0 ? events[i - 1]! : null;
    if (previous && e.revision !== previous.revision + 1n) {
      throw new ChainBrokenError(`${e.stream}: revision ${e.revision} follows ${previous.revision}; run \`ledger verify\``);
    }
    const expected = previous ? previous.hash : startsAtGenesis && i === 0 ? GENESIS_HASH : null;
    if (expected !== null && e.prevHash !== expected) {
      throw new ChainBrokenError(`${e.stream} revision ${e.revision} (position ${e.position}): prevHash does not link to the event before it; run \`ledger verify\``);
    }
  });
  return events;
}

function assertHash(envelope: EventEnvelope, computedHash: string): void {
  if (computedHash !== envelope.hash) {
    throw new ChainBrokenError(`${envelope.stream} revision ${envelope.revision} (position ${envelope.position}): stored hash ${envelope.hash}, content hashes to ${computedHash}; run \`ledger verify\``);
  }
}

function resultOf(events: EventEnvelope[]): AppendResult {
  const last = events[events.length - 1];
  if (!last) throw new Error('invariant: an append result has at least one event');
  return { nextRevision: last.revision, position: last.position, events };
}

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of read) out.push(item);
  return out;
}

