// The embedded event store: one SQLite file (WAL, synchronous=FULL), append-only, hash-chained,
// with group commit: appends that arrive while a batch is written go into the next batch, one
// transaction (one fsync) per batch, each append checked against its own expected revision.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  Actor,
  Instant,
  SchemaViolationError,
  currentSchemaVersion,
  parseEvent,
  zodIssues,
  type EventEnvelope,
  type EventType,
} from '../../domain/events.js';
import {
  DuplicateEventError,
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
import { CanonicalJsonText, ChainWalker, GENESIS_HASH, canonicalJson, hashEvent } from '../hash-chain.js';
import { decodeRow, hashOfRow, toBigInt, type EventRow, type ReadValidation } from './row-codec.js';
import { Col, EVENT_COLUMNS, createSchema, errorMessage, inspectFormat } from './schema.js';
import { PositionSubscription } from './subscription.js';

/** Bounds: appends per transaction, appends waiting, events per append, rows per read page. */
export const MAX_APPENDS_PER_BATCH = 1_000;
export const MAX_QUEUED_APPENDS = 100_000;
export const MAX_EVENTS_PER_APPEND = 10_000;
export const DEFAULT_READ_BATCH_SIZE = 1_000;
const MAX_READ_BATCH_SIZE = 100_000;
const VERIFY_PAGE_SIZE = 5_000;
const BUSY_TIMEOUT_MS = 5_000;
const WAL_AUTOCHECKPOINT_PAGES = 10_000;

export interface SqliteEventStoreOptions {
  /** The database file; created with its directory unless readOnly. */
  file: string;
  /** The transaction-time clock, ISO-8601 UTC with milliseconds. */
  clock?: () => string;
  readOnly?: boolean;
  /** Which events reading validates (default 'old-versions'; see ReadValidation). */
  readValidation?: ReadValidation;
}

export interface SqliteStoreStats {
  batches: number;
  appends: number;
  largestBatch: number;
}

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
interface PreparedEvent {
  eventId: string;
  type: EventType;
  schemaVersion: number;
  data: unknown;
  dataJson: string;
  occurredAt: string;
  actor: { role: EventEnvelope['actor']['role']; id: string };
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  policyVersion: string | null;
}

interface PendingAppend {
  stream: string;
  expected: ExpectedRevision;
  events: PreparedEvent[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** The log's tail while a batch is written. Positions are numbers inside (asserted safe). */
interface Head {
  position: number;
  hash: string;
}

const defaultClock = (): string => new Date().toISOString();
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteEventStore(options);
}

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  private readonly db: Database.Database;
  private readonly clock: () => string;
  private readonly readOnly: boolean;
  private readonly readValidation: ReadValidation;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly queue: PendingAppend[] = [];
  private flushScheduled = false;
  private drainWaiters: Array<() => void> = [];
  private readonly subscriptions = new Set<PositionSubscription>();
  private closed = false;
  private readonly counters: SqliteStoreStats = { batches: 0, appends: 0, largestBatch: 0 };

  constructor(options: SqliteEventStoreOptions) {
    this.file = path.resolve(options.file);
    this.clock = options.clock ?? defaultClock;
    this.readOnly = options.readOnly ?? false;
    this.readValidation = options.readValidation ?? 'old-versions';
    this.db = openDatabase(this.file, this.readOnly);
    this.statements = prepareStatements(this.db, this.readOnly);
  }

  stats(): SqliteStoreStats {
    return { ...this.counters };
  }

  // ---- append ---------------------------------------------------------------------------------

  append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    try {
      this.assertWritable();
      const prepared = prepareAppend(stream, events, expectedRevision);
      if (this.queue.length >= MAX_QUEUED_APPENDS) {
        throw new StoreUnavailableError(`the write queue is full (${MAX_QUEUED_APPENDS} appends waiting); retry later`);
      }
      return new Promise<AppendResult>((resolve, reject) => {
        this.queue.push({ stream, expected: expectedRevision, events: prepared, resolve, reject });
        this.scheduleFlush();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private assertWritable(): void {
    if (this.closed) throw new StoreUnavailableError(`the event store ${this.file} is closed`);
    if (this.readOnly) throw new StoreUnavailableError(`the event store ${this.file} is open read-only`);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, MAX_APPENDS_PER_BATCH);
    if (batch.length > 0) this.commitBatch(batch);
    if (this.queue.length > 0) this.scheduleFlush();
    else this.resolveDrainWaiters();
  };

  private commitBatch(batch: PendingAppend[]): void {
    let outcomes: Outcome[];
    try {
      outcomes = this.writeBatch(batch);
    } catch (error) {
      const failure = new StoreUnavailableError(`the batch of ${batch.length} appends was not written: ${errorMessage(error)}`, { cause: error });
      for (const pending of batch) pending.reject(failure);
      return;
    }
    this.counters.batches++;
    this.counters.appends += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (!outcome) throw new Error(`invariant: no outcome for append ${i} of ${batch.length}`);
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
    for (const subscription of this.subscriptions) subscription.notify();
  }

  /** One transaction; the caller answers the appends only after COMMIT returned (durable). */
  private writeBatch(batch: PendingAppend[]): Outcome[] {
    const s = this.statements;
    s.begin.run();
    try {
      const { head, lastRecordedAt } = this.readHead();
      const recordedAt = this.nextRecordedAt(lastRecordedAt);
      const outcomes = batch.map((pending) => this.writeAppend(pending, head, recordedAt));
      s.commit.run();
      return outcomes;
    } catch (error) {
      if (this.db.inTransaction) s.rollback.run();
      throw error;
    }
  }

  /** The tail of the log, read inside the batch's transaction (another process may have written). */
  private readHead(): { head: Head; lastRecordedAt: string } {
    const row = this.statements.head.get() as [number, string, string] | undefined;
    if (!row) return { head: { position: 0, hash: GENESIS_HASH }, lastRecordedAt: '' };
    const [position, hash, lastRecordedAt] = row;
    if (!Number.isSafeInteger(position)) throw new Error(`invariant: head position ${position} is not a safe integer`);
    return { head: { position, hash }, lastRecordedAt };
  }

  /** recordedAt never goes backwards with position: max(last recordedAt, clock()). */
  private nextRecordedAt(lastRecordedAt: string): string {
    const now = this.clock();
    if (!ISO_INSTANT.test(now)) throw new Error(`the store clock returned "${now}", not an ISO-8601 UTC instant`);
    return now > lastRecordedAt ? now : lastRecordedAt;
  }

  private writeAppend(pending: PendingAppend, head: Head, recordedAt: string): Outcome {
    try {
      const earlier = this.findEarlierAppend(pending);
      if (earlier) return { ok: true, result: earlier };
      const lastRevision = this.statements.streamHead.get(pending.stream) as number | null | undefined;
      checkExpectedRevision(pending.stream, pending.expected, lastRevision ?? null);
      return { ok: true, result: this.insertAppend(pending, head, recordedAt, lastRevision ?? -1) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** The first result when every event id is already stored with the same content; throws when only some are, or differ. */
  private findEarlierAppend(pending: PendingAppend): AppendResult | null {
    const rows = pending.events.map((event) => this.statements.byEventId.get(event.eventId) as EventRow | undefined);
    const storedCount = rows.filter((row) => row !== undefined).length;
    if (storedCount === 0) return null;
    const stored = rows.map((row, i) => {
      const event = pending.events[i]!;
      if (!row) {
        throw new DuplicateEventError(
          event.eventId,
          `only ${storedCount} of the ${pending.events.length} event ids of this append are stored; an append is all or nothing`,
        );
      }
      assertSameContent(event, pending.stream, row);
      return row;
    });
    const events = stored.map((row) => decodeRow(row, this.readValidation));
    const last = events[events.length - 1]!;
    return { nextRevision: last.revision, position: last.position, events };
  }

  private insertAppend(pending: PendingAppend, head: Head, recordedAt: string, lastRevision: number): AppendResult {
    const s = this.statements;
    const before = { ...head };
    s.savepoint.run();
    try {
      const events = pending.events.map((event, i) => {
        const envelope = this.insertEvent(event, pending.stream, lastRevision + 1 + i, head, recordedAt);
        return envelope;
      });
      s.release.run();
      const last = events[events.length - 1]!;
      return { nextRevision: last.revision, position: last.position, events };
    } catch (error) {
      s.rollbackToSavepoint.run();
      s.release.run();
      head.position = before.position;
      head.hash = before.hash;
      throw error;
    }
  }

  private insertEvent(event: PreparedEvent, stream: string, revisionNumber: number, head: Head, recordedAt: string): EventEnvelope {
    const position = head.position + 1;
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(revisionNumber)) {
      throw new Error(`invariant: position ${position} or revision ${revisionNumber} is not a safe integer`);
    }
    const hashed = {
      eventId: event.eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      stream,
      revision: BigInt(revisionNumber),
      occurredAt: event.occurredAt,
      recordedAt,
      actor: event.actor,
      commandId: event.commandId,
      correlationId: event.correlationId,
      causationId: event.causationId,
      policyVersion: event.policyVersion,
      prevHash: head.hash,
    };
    const hash = hashEvent(head.hash, { ...hashed, data: new CanonicalJsonText(event.dataJson) });
    this.statements.insert.run(
      position,
      event.eventId,
      stream,
      revisionNumber,
      event.type,
      event.schemaVersion,
      event.occurredAt,
      recordedAt,
      event.actor.role,
      event.actor.id,
      event.commandId,
      event.correlationId,
      event.causationId,
      event.policyVersion,
      event.dataJson,
      head.hash,
      hash,
    );
    head.position = position;
    head.hash = hash;
    return { ...hashed, position: BigInt(position), hash, data: event.data } as EventEnvelope;
  }

  // ---- read -----------------------------------------------------------------------------------

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<EventEnvelope[]> {
    this.assertOpen();
    const from = options.fromRevision ?? 0n;
    const to = options.toRevision ?? BigInt(Number.MAX_SAFE_INTEGER);
    if (from < 0n || to < 0n) throw new RangeError(`readStream: revisions must be ≥ 0 (from ${from}, to ${to})`);
    const rows = this.statements.streamRange.all(stream, clampToSafe(from), clampToSafe(to)) as EventRow[];
    return rows.map((row) => decodeRow(row, this.readValidation));
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<EventEnvelope> {
    this.assertOpen();
    const batchSize = options.batchSize ?? DEFAULT_READ_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_READ_BATCH_SIZE) {
      throw new RangeError(`readAll: batchSize must be an integer in 1..${MAX_READ_BATCH_SIZE}, got ${batchSize}`);
    }
    const from = options.fromPosition ?? 1n;
    let to = options.toPosition ?? BigInt(Number.MAX_SAFE_INTEGER);
    if (options.recordedBefore !== undefined) {
      const cut = this.lastPositionRecordedBefore(options.recordedBefore);
      if (cut < to) to = cut;
    }
    return this.pages(clampToSafe(from > 0n ? from - 1n : 0n), clampToSafe(to), batchSize);
  }

  private pages(afterPosition: number, toPosition: number, batchSize: number): AsyncIterable<EventEnvelope> {
    const readPage = (after: number): EventRow[] => {
      this.assertOpen();
      return this.statements.page.all(after, toPosition, batchSize) as EventRow[];
    };
    const decode = (row: EventRow): EventEnvelope => decodeRow(row, this.readValidation);
    return { [Symbol.asyncIterator]: () => new PageIterator(readPage, decode, afterPosition, toPosition, batchSize) };
  }

  /**
   * The last position recorded strictly before `instant` (0n if none): recordedAt never goes
   * backwards with position, so the log as known at an instant is a prefix, found by bisection.
   */
  lastPositionRecordedBefore(instant: string): bigint {
    this.assertOpen();
    if (!ISO_INSTANT.test(instant)) throw new RangeError(`recordedBefore must be an ISO-8601 UTC instant, got "${instant}"`);
    let low = 0; // recorded before the instant (0: nothing)
    let high = (this.statements.headPosition.get() as number | null) ?? 0;
    if (high === 0) return 0n;
    if ((this.statements.recordedAtFrom.get(high) as string) < instant) return BigInt(high);
    while (high - low > 1) {
      const middle = low + Math.floor((high - low) / 2);
      const recordedAt = this.statements.recordedAtFrom.get(middle) as string | undefined;
      if (recordedAt !== undefined && recordedAt < instant) low = middle;
      else high = middle;
    }
    return BigInt(low);
  }

  subscribe(fromPosition: bigint, handler: EventHandler): Subscription {
    this.assertOpen();
    const readPage = (after: bigint, limit: number): EventEnvelope[] => {
      if (this.closed) return [];
      const rows = this.statements.page.all(clampToSafe(after), Number.MAX_SAFE_INTEGER, limit) as EventRow[];
      return rows.map((row) => decodeRow(row, this.readValidation));
    };
    const head = toBigInt((this.statements.headPosition.get() as number | null) ?? 0, 'head position');
    const subscription = new PositionSubscription(readPage, fromPosition, head, handler, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return toBigInt((this.statements.headPosition.get() as number | null) ?? 0, 'head position');
  }

  /** Streams through the whole log recomputing every hash and link; names the first bad position. */
  async verify(): Promise<VerifyResult> {
    this.assertOpen();
    const walker = new ChainWalker();
    let after = 0;
    for (;;) {
      const rows = this.statements.page.all(after, Number.MAX_SAFE_INTEGER, VERIFY_PAGE_SIZE) as EventRow[];
      for (const row of rows) {
        const ok = walker.step({
          position: toBigInt(row[Col.position], 'position'),
          prevHash: String(row[Col.prevHash]),
          hash: String(row[Col.hash]),
          computedHash: hashOfRow(row),
          recordedAt: String(row[Col.recordedAt]),
        });
        if (!ok) return walker.result();
      }
      if (rows.length < VERIFY_PAGE_SIZE) return walker.result();
      after = rows[rows.length - 1]![Col.position] as number;
      await new Promise<void>((resolve) => setImmediate(resolve)); // let appends and requests through between pages
    }
  }

  /** Waits for queued appends to commit, ends the subscriptions and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }

  private drain(): Promise<void> {
    if (this.queue.length === 0 && !this.flushScheduled) return Promise.resolve();
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private resolveDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(`the event store ${this.file} is closed`);
  }
}

/**
 * Keyset paging by position, one page in memory at a time. A hand-written iterator: about three
 * times cheaper per event than an async generator, which matters at 500,000 events/s.
 */
class PageIterator implements AsyncIterator<EventEnvelope> {
  private rows: EventRow[] = [];
  private index = 0;
  private finished = false;

  constructor(
    private readonly readPage: (after: number) => EventRow[],
    private readonly decode: (row: EventRow) => EventEnvelope,
    private after: number,
    private readonly toPosition: number,
    private readonly batchSize: number,
  ) {}

  next(): Promise<IteratorResult<EventEnvelope>> {
    try {
      if (this.index >= this.rows.length && !this.fill()) return Promise.resolve({ done: true, value: undefined });
      return Promise.resolve({ done: false, value: this.decode(this.rows[this.index++]!) });
    } catch (error) {
      this.finished = true;
      return Promise.reject(error);
    }
  }

  return(): Promise<IteratorResult<EventEnvelope>> {
    this.finished = true;
    this.rows = [];
    return Promise.resolve({ done: true, value: undefined });
  }

  private fill(): boolean {
    if (this.finished || this.after >= this.toPosition) return false;
    this.rows = this.readPage(this.after);
    this.index = 0;
    if (this.rows.length < this.batchSize) this.finished = true;
    if (this.rows.length === 0) return false;
    this.after = this.rows[this.rows.length - 1]![Col.position] as number;
    return true;
  }
}

// ---- helpers --------------------------------------------------------------------------------

function openDatabase(file: string, readOnly: boolean): Database.Database {
  if (!readOnly) mkdirSync(path.dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: readOnly, fileMustExist: readOnly });
  } catch (error) {
    throw new StoreUnavailableError(`cannot open the event store ${file}: ${errorMessage(error)}`, { cause: error });
  }
  try {
    const state = inspectFormat(db, file);
    if (state === 'empty') {
      if (readOnly) throw new StoreUnavailableError(`${file} holds no ledger event store yet`);
      db.pragma('journal_mode = WAL');
      createSchema(db, file);
    }
    if (!readOnly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StoreUnavailableError(`${file}: could not switch to WAL (journal_mode is ${String(mode)})`);
    }
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('cache_size = -32000');
    // Checkpoint every ~40 MB of WAL rather than 4 MB: index pages rewritten by many batches are
    // copied back once, which measured ~1.5x faster group commits on these machines.
    if (!readOnly) db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function prepareStatements(db: Database.Database, readOnly: boolean) {
  const raw = (sql: string) => db.prepare(sql).raw(true);
  const writes = readOnly
    ? null
    : {
        begin: db.prepare('BEGIN IMMEDIATE'),
        commit: db.prepare('COMMIT'),
        rollback: db.prepare('ROLLBACK'),
        savepoint: db.prepare('SAVEPOINT append_one'),
        release: db.prepare('RELEASE append_one'),
        rollbackToSavepoint: db.prepare('ROLLBACK TO append_one'),
        insert: db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (${Array(17).fill('?').join(', ')})`),
      };
  const reads = {
    head: raw('SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1'),
    headPosition: db.prepare('SELECT max(position) FROM events').pluck(),
    recordedAtFrom: db.prepare('SELECT recorded_at FROM events WHERE position >= ? ORDER BY position LIMIT 1').pluck(),
    streamHead: db.prepare('SELECT max(revision) FROM events WHERE stream = ?').pluck(),
    byEventId: raw(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ?`),
    streamRange: raw(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? AND revision <= ? ORDER BY revision`),
    page: raw(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`),
  };
  return { ...reads, ...(writes ?? readOnlyWrites()) };
}

/** Statements a read-only store never runs; append() refuses before reaching them. */
function readOnlyWrites(): Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackToSavepoint' | 'insert', Database.Statement> {
  const refuse = new Proxy({} as Database.Statement, {
    get() {
      throw new StoreUnavailableError('the event store is open read-only');
    },
  });
  return { begin: refuse, commit: refuse, rollback: refuse, savepoint: refuse, release: refuse, rollbackToSavepoint: refuse, insert: refuse };
}

/** Validates an append completely before anything is queued; throws SchemaViolationError. */
function prepareAppend(stream: string, events: NewEvent[], expected: ExpectedRevision): PreparedEvent[] {
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
    if (seen.has(prepared.eventId)) {
      throw new DuplicateEventError(prepared.eventId, `it appears twice in one append (index ${i})`);
    }
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

export function checkExpectedRevision(stream: string, expected: ExpectedRevision, lastRevision: number | null): void {
  const actual = lastRevision === null ? ('no-stream' as const) : BigInt(lastRevision);
  const matches = (() => {
    switch (expected) {
      case 'any':
        return true;
      case 'no-stream':
        return lastRevision === null;
      case 'exists':
        return lastRevision !== null;
      default:
        return lastRevision !== null && expected === BigInt(lastRevision);
    }
  })();
  if (!matches) throw new WrongExpectedRevisionError(stream, expected, actual);
}

function assertSameContent(event: PreparedEvent, stream: string, row: EventRow): void {
  const differences: string[] = [];
  if (row[Col.stream] !== stream) differences.push(`stream ${String(row[Col.stream])} ≠ ${stream}`);
  if (row[Col.type] !== event.type) differences.push(`type ${String(row[Col.type])} ≠ ${event.type}`);
  if (row[Col.data] !== event.dataJson) differences.push('data differs');
  if (differences.length > 0) throw new DuplicateEventError(event.eventId, `stored at position ${String(row[Col.position])} with ${differences.join(', ')}`);
}

function clampToSafe(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
