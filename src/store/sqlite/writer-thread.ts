// The writer thread: its own connection to the store's file, writing batches that the main thread
// has already decided and hash-chained. better-sqlite3 is synchronous, so a commit (write + fsync)
// on the main thread would stop the event loop; here the main thread validates, decides and
// chains the next batch while this one is being made durable.
//
// A batch carries the head it was chained onto. Inside BEGIN IMMEDIATE the thread compares it
// with the file's head: if another connection wrote in between, nothing is written and the main
// thread re-decides the batch ('stale'). So the chain stays in strict position order whoever
// writes, and a batch chained onto a batch that failed can never be written.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../event-store.js';

/** A row to insert, in order: the stream and context by name/key (the thread owns their ids). */
export type WriterRow = [
  position: number,
  eventId: string,
  stream: string,
  revision: number,
  contextKey: string,
  times: string,
  data: string,
  commandId: string | null,
  correlationId: string | null,
  causationId: string | null,
  hash: string,
];

export interface ChainHead {
  position: number;
  hash: string;
}

export type WriterRequest =
  /** rowsJson: the WriterRow[] as JSON text, far cheaper to pass between threads than the arrays. */
  | { kind: 'batch'; id: number; after: ChainHead; rowsJson: string }
  /** The main thread committed a batch itself: the WAL grew, so checkpoint at the next pause. */
  | { kind: 'written-elsewhere' }
  | { kind: 'close' }
  | { kind: 'crash-for-test' };

export type WriterReply =
  | { kind: 'ready' }
  | { kind: 'committed'; id: number }
  | { kind: 'stale'; id: number; head: ChainHead }
  | { kind: 'failed'; id: number; message: string }
  | { kind: 'closed' };

export interface WriterSettings {
  file: string;
  busyTimeoutMs: number;
  walAutocheckpointPages: number;
  cacheSizeKib: number;
  genesisHash: string;
  /** After this long without a batch, the thread copies the WAL into the database file and empties it. */
  idleCheckpointMs: number;
  /** FULL: every commit fsynced; NORMAL: only checkpoints (the store's 'close' durability). */
  synchronous: 'FULL' | 'NORMAL';
  /** Where better-sqlite3 is, resolved by the main thread (an eval'd worker resolves from the cwd). */
  sqliteModule: string;
}

export type BatchWriter = (id: number, after: ChainHead, rows: WriterRow[]) => WriterReply;

/**
 * Writes one decided batch in one transaction on `db`, after checking that the file's head is
 * the one the batch was chained onto. Used by the writer thread and, for a lone append while
 * the thread is idle, by the main thread (no thread hop). Refers to nothing outside itself: it
 * is also part of the thread's eval'd source.
 */
export function createBatchWriter(db: import('better-sqlite3').Database, genesisHash: string): BatchWriter {
  const s = {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    head: db.prepare('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1').raw(true),
    streamId: db.prepare('SELECT stream_id FROM streams WHERE name = ?').pluck(),
    addStream: db.prepare('INSERT INTO streams (name) VALUES (?)'),
    contextId: db.prepare('SELECT context_id FROM contexts WHERE key = ?').pluck(),
    addContext: db.prepare('INSERT INTO contexts (key) VALUES (?)'),
    insert: db.prepare(
      'INSERT INTO events (position, event_id, stream_id, revision, context_id, times, data, command_id, correlation_id, causation_id, hash) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
  };
  // Ids added inside a transaction are remembered only once it commits.
  const streamIds = new Map<string, number>();
  const contextIds = new Map<string, number>();
  const added: Array<[Map<string, number>, string]> = [];

  const idOf = (cache: Map<string, number>, name: string, find: typeof s.streamId, add: typeof s.addStream): number => {
    let id = cache.get(name);
    if (id !== undefined) return id;
    id = find.get(name) as number | undefined;
    if (id === undefined) {
      id = Number(add.run(name).lastInsertRowid);
      added.push([cache, name]);
    }
    cache.set(name, id);
    return id;
  };

  return (id, after, rows) => {
    try {
      // Inside the try: a write lock another process holds past the busy timeout (SQLITE_BUSY)
      // fails this batch, answered as unavailable; it must never throw out of the thread.
      s.begin.run();
      const row = s.head.get() as [number, string] | undefined;
      const head: ChainHead = row ? { position: row[0], hash: row[1] } : { position: 0, hash: genesisHash };
      if (head.position !== after.position || head.hash !== after.hash) {
        s.rollback.run();
        return { kind: 'stale', id, head };
      }
      for (const r of rows) {
        const streamId = idOf(streamIds, r[2], s.streamId, s.addStream);
        const contextId = idOf(contextIds, r[4], s.contextId, s.addContext);
        s.insert.run(r[0], r[1], streamId, r[3], contextId, r[5], r[6], r[7], r[8], r[9], r[10]);
      }
      s.commit.run();
      added.length = 0;
      return { kind: 'committed', id };
    } catch (error) {
      if (db.inTransaction) s.rollback.run();
      for (const [cache, name] of added.splice(0)) cache.delete(name);
      return { kind: 'failed', id, message: error instanceof Error ? error.message : String(error) };
    }
  };
}

/**
 * The thread's program. It runs as an eval'd script, so it refers to nothing outside itself
 * but createBatchWriter (part of the same source): everything else comes through workerData.
 */
function writerProgram(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const settings = workerData as WriterSettings;
  const Database = require(settings.sqliteModule) as typeof import('better-sqlite3');
  const port = parentPort!;
  const db = new Database(settings.file, { fileMustExist: true });
  db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
  db.pragma(`synchronous = ${settings.synchronous}`);
  db.pragma(`cache_size = -${settings.cacheSizeKib}`);
  db.pragma(`wal_autocheckpoint = ${settings.walAutocheckpointPages}`);
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') throw new Error(`${settings.file} is not in WAL mode`);
  const writeBatch = createBatchWriter(db, settings.genesisHash);

  // Once writes pause, the WAL's frames are copied into the database file and the WAL restarts
  // from its beginning: the next commits overwrite blocks the file already has, which fsyncs
  // faster than growing it (measured: RESTART ~15% more sequential appends/s than TRUNCATE), and
  // readers find fewer frames to look pages up in. Never waits for a reader: with busy_timeout 0
  // a busy WAL is simply left for the next pause.
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  const checkpointWhenIdle = (): void => {
    idleTimer = null;
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('wal_checkpoint(RESTART)');
    } catch {
      // a busy or failed checkpoint leaves the WAL as it was; the next pause tries again
    } finally {
      db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
    }
  };
  const rearmIdleCheckpoint = (): void => {
    if (idleTimer !== null) clearTimeout(idleTimer);
    idleTimer = setTimeout(checkpointWhenIdle, settings.idleCheckpointMs);
  };

  port.on('message', (request: WriterRequest) => {
    switch (request.kind) {
      case 'batch':
        port.postMessage(writeBatch(request.id, request.after, JSON.parse(request.rowsJson) as WriterRow[]));
        rearmIdleCheckpoint();
        return;
      case 'written-elsewhere':
        rearmIdleCheckpoint();
        return;
      case 'close':
        if (idleTimer !== null) clearTimeout(idleTimer);
        db.close();
        port.postMessage({ kind: 'closed' });
        port.close();
        return;
      case 'crash-for-test':
        throw new Error('the writer thread was made to crash (test)');
      default:
        throw new Error(`unknown writer request ${JSON.stringify(request)}`);
    }
  });
  port.postMessage({ kind: 'ready' });
}

const WRITER_SOURCE = `'use strict';\n${createBatchWriter.toString()}\n(${writerProgram.toString()})();\n`;

export interface WriterEvents {
  onReply(reply: WriterReply): void;
  /** The thread stopped without being asked to (crash, exit, failed start). */
  onStopped(error: StoreUnavailableError): void;
}

/** The main thread's handle on the writer thread. */
export class WriterThread {
  private readonly worker: Worker;
  private stopped = false;
  private closing: Promise<void> | null = null;
  private resolveClosed: (() => void) | null = null;
  /** Batches sent and not yet answered: the thread keeps the process alive only while there are some. */
  private outstanding = 0;

  constructor(settings: Omit<WriterSettings, 'sqliteModule'>, private readonly events: WriterEvents) {
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { ...settings, sqliteModule } satisfies WriterSettings });
    this.worker.unref(); // idle, it must not keep the process alive; send() holds it while work is out
    this.worker.on('message', (reply: WriterReply) => this.receive(reply));
    this.worker.on('error', (error) => this.stop(`the writer thread failed: ${error.message}`, error));
    this.worker.on('exit', (code) => {
      this.stop(`the writer thread exited (code ${code})`);
      this.resolveClosed?.();
    });
  }

  get alive(): boolean {
    return !this.stopped;
  }

  send(request: WriterRequest): void {
    if (this.stopped) throw new StoreUnavailableError('the writer thread has stopped');
    if (request.kind === 'batch' && this.outstanding++ === 0) this.worker.ref();
    this.worker.postMessage(request);
  }

  /** Lets the thread finish what it was sent, closes its connection and waits for it to end. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
      if (this.stopped) return resolve();
      this.stopped = true;
      this.worker.ref();
      this.worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    });
    return this.closing;
  }

  /** Test hook: makes the thread throw, as a crash would. */
  crashForTest(): void {
    this.worker.postMessage({ kind: 'crash-for-test' } satisfies WriterRequest);
  }

  private receive(reply: WriterReply): void {
    if (reply.kind === 'closed' || reply.kind === 'ready') return;
    if (--this.outstanding === 0) this.worker.unref();
    this.events.onReply(reply);
  }

  private stop(message: string, cause?: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.events.onStopped(new StoreUnavailableError(message, { cause }));
  }
}
