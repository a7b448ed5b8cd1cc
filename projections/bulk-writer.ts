// A rebuild's SQLite writes on a second thread. The main thread reads and decodes the log and
// folds each batch into row writes (the same code as the live path, so the rows are the same);
// this worker, with its own connection, runs each batch's writes and the checkpoints they
// advance in ONE transaction, while the main thread already folds the next batch. A batch is
// a flat array of pairs: statement index, then the array of that statement's parameters.
// The main thread blocks (Atomics.wait) only when too many batches are in flight, before any
// read of the file (drain), and at the end; a failed batch rolls back whole and is reported at
// the next send or drain.
//
// The handshake runs on shared memory only, so neither thread ever needs the other's event loop
// (the main thread's is stopped while it waits):
// - the main thread posts a batch on a port, THEN counts it in `sent` and bumps `wake`; the
//   worker loops in its script (it has no event loop to speak of): it takes announced batches
//   with receiveMessageOnPort (synchronous: a counted batch is always in the port), and waits
//   on `wake` only when it has taken every announced one;
// - every change the main thread may wait for (ready, a commit, a failure, stopped, the thread
//   exiting) is stored first, then `signal` is bumped and notified; the main thread reads
//   `signal` BEFORE it checks its condition and waits only while `signal` is unchanged, so no
//   notification can fall between its check and its wait;
// - the worker records what it is doing (`phase`, and since when), so a stall names it.
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

/** Slots of the shared state (Int32). */
const slot = {
  /** Bumped by the worker after each change the main thread may wait for. */
  signal: 0,
  /** Bumped by the main thread after it announces a batch or asks the worker to stop. */
  wake: 1,
  /** Batches posted (each is in the port before it is counted here). */
  sent: 2,
  /** Batches the worker has taken from the port. */
  taken: 3,
  committed: 4,
  failed: 5,
  ready: 6,
  stopRequested: 7,
  /** The worker closed its connection and left its loop. */
  stopped: 8,
  /** The worker thread is exiting (set by its process 'exit' hook, whatever the cause). */
  exited: 9,
  exitCode: 10,
  phase: 11,
  /** When the worker entered its phase, in ms after the writer's epoch. */
  phaseAtMs: 12,
} as const;
const slotCount = 13;

/** What the worker is doing, by code (the index is what the worker stores in `phase`). */
const phaseCodes = ['opening', 'idle', 'beginning', 'writing', 'committing', 'rollingBack', 'closing', 'stopped', 'exited'] as const;
export type BulkWriterPhase = (typeof phaseCodes)[number];

function phaseDescription(phase: BulkWriterPhase): string {
  switch (phase) {
    case 'opening':
      return 'opening its connection';
    case 'idle':
      return 'waiting for a batch';
    case 'beginning':
      return 'beginning a transaction (BEGIN IMMEDIATE: waiting for the write lock on the file)';
    case 'writing':
      return "running a batch's writes";
    case 'committing':
      return 'committing a batch';
    case 'rollingBack':
      return 'rolling back a failed batch';
    case 'closing':
      return 'closing its connection';
    case 'stopped':
      return 'stopped';
    case 'exited':
      return 'exited';
    default: {
      const never: never = phase;
      throw new Error(`unhandled bulk writer phase ${String(never)}`);
    }
  }
}

/** Batches sent but not yet committed before the main thread waits (bounds memory and lag). */
const MAX_IN_FLIGHT = 1;
/** No progress from the worker for this long is a hung worker (it never takes this long per batch). */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;
/** How long the worker waits for the file's write lock before its batch fails. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const S = workerData.slot;
const P = workerData.phase;
const state = new Int32Array(workerData.shared);
const { errors, batches, epochMs } = workerData;
const signal = () => {
  Atomics.add(state, S.signal, 1);
  Atomics.notify(state, S.signal);
};
const enter = (phase) => {
  Atomics.store(state, S.phaseAtMs, Date.now() - epochMs);
  Atomics.store(state, S.phase, phase);
};
const fail = (error, batch, phase = Atomics.load(state, S.phase)) => {
  if (Atomics.load(state, S.failed) !== 0) return;
  const code = error && typeof error.code === 'string' ? error.code + ': ' : '';
  errors.postMessage({ batch, phase, message: code + String((error && error.message) || error) });
  Atomics.store(state, S.failed, 1);
  signal();
};
process.on('exit', (code) => {
  if (Atomics.load(state, S.stopped) === 0) enter(P.exited); // after a stop, 'stopped' says more
  Atomics.store(state, S.exitCode, code);
  Atomics.store(state, S.exited, 1);
  signal();
});
let db = null;
let stmts, arity, begin, commit, rollback, guard;
try {
  enter(P.opening);
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
  db.pragma('synchronous = ' + workerData.synchronous);
  db.pragma('cache_size = -' + workerData.cacheSizeKib);
  db.pragma('wal_autocheckpoint = ' + workerData.autocheckpointPages);
  stmts = workerData.sql.map((s) => db.prepare(s));
  guard = workerData.guard ? db.prepare(workerData.guard.sql).pluck() : null;
  arity = workerData.arity;
  begin = db.prepare('BEGIN IMMEDIATE');
  commit = db.prepare('COMMIT');
  rollback = db.prepare('ROLLBACK');
} catch (error) {
  fail(error, 0);
}
Atomics.store(state, S.ready, 1);
signal();
/** Runs one batch in one transaction; returns null, or the failure and the phase it happened in. */
const write = (ops) => {
  enter(P.beginning);
  try {
    begin.run();
  } catch (error) {
    return { error, phase: P.beginning };
  }
  try {
    enter(P.writing);
    if (guard !== null && guard.get() != null) throw new Error(workerData.guard.message);
    for (let i = 0; i < ops.length; i += 2) {
      const k = ops[i];
      const args = ops[i + 1];
      if (arity[k] === undefined || !Array.isArray(args) || args.length !== arity[k]) {
        throw new Error('bulk writer: write ' + i / 2 + ' names statement ' + k + ' with ' + (args && args.length) + ' parameters');
      }
      stmts[k].run(args);
    }
    enter(P.committing);
    commit.run();
  } catch (error) {
    const phase = Atomics.load(state, S.phase);
    enter(P.rollingBack);
    if (db.inTransaction) rollback.run();
    return { error, phase };
  }
  Atomics.add(state, S.committed, 1);
  signal();
  return null;
};
let taken = 0;
try {
  for (;;) {
    enter(P.idle);
    const wake = Atomics.load(state, S.wake);
    if (taken === Atomics.load(state, S.sent)) {
      if (Atomics.load(state, S.stopRequested) !== 0) break;
      Atomics.wait(state, S.wake, wake);
      continue;
    }
    const received = receiveMessageOnPort(batches);
    if (received === undefined) throw new Error('bulk writer: batch ' + (taken + 1) + ' was announced but is not in the port');
    taken++;
    Atomics.store(state, S.taken, taken);
    if (Atomics.load(state, S.failed) !== 0) continue; // after a failed batch every later one is dropped
    const failed = write(received.message);
    if (failed !== null) fail(failed.error, taken, failed.phase);
  }
} catch (error) {
  fail(error, taken);
}
enter(P.closing);
try {
  if (db) db.close();
} catch (error) {
  fail(error, taken);
}
enter(P.stopped);
Atomics.store(state, S.stopped, 1);
signal();
errors.close();
batches.close();
`;

/** Atomics.waitAsync (V8, Node ≥ 16), not in the ES2023 lib the project compiles against. */
interface AtomicsWithWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

export interface BulkStatement {
  sql: string;
  /** How many parameters the statement binds. */
  arity: number;
}

export interface BulkWriterOptions {
  /** No batch committed (or no answer from the worker) for this long fails the writer (default 120 s). */
  stallTimeoutMs?: number;
  /** How long the worker waits for the file's write lock before its batch fails (default 5 s). */
  busyTimeoutMs?: number;
  /** The worker connection's synchronous setting (default OFF: a rebuild; the live path keeps NORMAL). */
  synchronous?: 'OFF' | 'NORMAL';
  /** The worker connection's WAL auto-checkpoint in pages (default 20,000). */
  autocheckpointPages?: number;
  /** The worker connection's page cache in KiB (default 8,192). */
  cacheSizeKib?: number;
  /** A query run at the start of every batch: a non-null answer fails the batch with the message. */
  guard?: { sql: string; message: string };
}

/** What the worker is doing now, and the batch counts (for diagnostics and specs). */
export interface BulkWriterActivity {
  phase: BulkWriterPhase;
  /** How long the worker has been in this phase. */
  forMs: number;
  sent: number;
  taken: number;
  committed: number;
}

interface WorkerFailure {
  batch: number;
  phase: number;
  message: string;
}

function positiveMs(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number of ms, got ${value}`);
  return value;
}

export class BulkWriter {
  private readonly worker: Worker;
  private readonly state: Int32Array;
  private readonly errors: MessagePort;
  private readonly batches: MessagePort;
  private readonly epochMs = Date.now();
  private readonly stallTimeoutMs: number;
  private sent = 0;
  private closed = false;
  private stalled = false;
  private failure: Error | null = null;

  constructor(
    file: string,
    readonly statements: readonly BulkStatement[],
    options: BulkWriterOptions = {},
  ) {
    this.stallTimeoutMs = positiveMs('stallTimeoutMs', options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
    const busyTimeoutMs = positiveMs('busyTimeoutMs', options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    const shared = new SharedArrayBuffer(slotCount * Int32Array.BYTES_PER_ELEMENT);
    this.state = new Int32Array(shared);
    const errors = new MessageChannel();
    const batches = new MessageChannel();
    this.errors = errors.port1;
    this.batches = batches.port1;
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        sqliteModule,
        shared,
        slot,
        phase: Object.fromEntries(phaseCodes.map((p, i) => [p, i])),
        epochMs: this.epochMs,
        busyTimeoutMs,
        synchronous: options.synchronous ?? 'OFF',
        autocheckpointPages: options.autocheckpointPages ?? 20_000,
        cacheSizeKib: options.cacheSizeKib ?? 8_192,
        guard: options.guard ?? null,
        errors: errors.port2,
        batches: batches.port2,
        sql: statements.map((s) => s.sql),
        arity: statements.map((s) => s.arity),
      },
      transferList: [errors.port2, batches.port2],
    });
    this.worker.unref();
    try {
      this.waitUntil(() => this.load('ready') === 1, 'the worker to open the file', true);
      this.throwIfFailed();
    } catch (error) {
      this.closed = true;
      this.requestStop();
      this.release();
      throw error;
    }
  }

  /** Queues one batch (one transaction in the worker); blocks while too many are in flight. */
  send(ops: unknown[]): void {
    this.throwIfFailed();
    if (this.closed) throw new Error('bulk writer: closed');
    this.batches.postMessage(ops); // in the port before it is counted: the worker relies on it
    this.sent++;
    Atomics.store(this.state, slot.sent, this.sent);
    this.wakeWorker();
    const mustCommit = this.sent - MAX_IN_FLIGHT;
    this.waitUntil(() => this.load('committed') >= mustCommit, `batch ${mustCommit} to commit`, true);
  }

  /**
   * Queues one batch without ever waiting (the live path: the caller bounds what is in flight
   * with inFlight() and learns of commits through whenSignalled()). Returns the batch's number.
   */
  post(ops: unknown[]): number {
    this.throwIfFailed();
    if (this.closed) throw new Error('bulk writer: closed');
    this.batches.postMessage(ops);
    this.sent++;
    Atomics.store(this.state, slot.sent, this.sent);
    this.wakeWorker();
    return this.sent;
  }

  /** Batches committed so far (they commit in the order they were sent). */
  committedBatches(): number {
    return this.load('committed');
  }

  /** Batches sent and not yet committed. */
  inFlight(): number {
    return this.sent - this.load('committed');
  }

  /** The worker's failure (a batch rolled back, the thread exited), or null; never blocks. */
  currentFailure(): Error | null {
    try {
      this.throwIfFailed();
      if (this.load('exited') === 1 && this.load('stopped') === 0) this.throwIfExited();
      return null;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * Resolves at the worker's next signal (a commit, a failure, its exit) after `seen`, the value
   * signalCount() gave before the caller checked its condition; never blocks the event loop.
   */
  whenSignalled(seen: number): Promise<void> {
    const wait = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(this.state, slot.signal, seen);
    if (!wait.async) return Promise.resolve();
    // A pending waitAsync does not keep the process alive; the thread does while it is waited for.
    this.worker.ref();
    return wait.value.then(() => {
      this.worker.unref();
    });
  }

  /** The signal count, to read before checking a condition and then wait with whenSignalled. */
  signalCount(): number {
    return this.load('signal');
  }

  /** Blocks until every batch sent is committed (or throws the worker's failure). */
  drain(): void {
    this.waitUntil(() => this.load('committed') >= this.sent, `batch ${this.sent} to commit`, true);
    this.throwIfFailed();
  }

  /** Drains, then closes the worker's connection (its last commit is on the file when this returns). */
  close(): void {
    if (this.closed) return;
    let failure: unknown = null;
    try {
      this.drain();
    } catch (error) {
      failure = error;
    }
    this.closed = true;
    try {
      this.requestStop();
      // A failed worker drops what is left and closes; a stalled one is not waited for again
      // (terminating its thread closes its connection, and with it any transaction it holds).
      if (!this.stalled) this.waitUntil(() => this.load('stopped') === 1, 'the worker to close its connection', false);
    } catch (error) {
      failure ??= error;
    } finally {
      this.release();
    }
    if (failure !== null) throw failure;
  }

  /** What the worker is doing now (it never blocks). */
  activity(): BulkWriterActivity {
    const phase = phaseCodes[this.load('phase')];
    if (phase === undefined) throw new Error(`invariant: bulk writer phase code ${this.load('phase')} is unknown`);
    return {
      phase,
      forMs: Date.now() - this.epochMs - this.load('phaseAtMs'),
      sent: this.sent,
      taken: this.load('taken'),
      committed: this.load('committed'),
    };
  }

  private load(name: keyof typeof slot): number {
    return Atomics.load(this.state, slot[name]);
  }

  private wakeWorker(): void {
    Atomics.add(this.state, slot.wake, 1);
    Atomics.notify(this.state, slot.wake);
  }

  private requestStop(): void {
    Atomics.store(this.state, slot.stopRequested, 1);
    this.wakeWorker();
  }

  private release(): void {
    void this.worker.terminate();
    this.errors.close();
    this.batches.close();
  }

  /**
   * Blocks until done() holds. Throws when the worker failed (if failFast) or exited, and after
   * stallTimeoutMs without a commit or the condition. `signal` is read before the condition is
   * checked, so a change between the check and the wait ends the wait at once.
   */
  private waitUntil(done: () => boolean, what: string, failFast: boolean): void {
    let committed = this.load('committed');
    let deadlineMs = Date.now() + this.stallTimeoutMs;
    for (;;) {
      const signal = this.load('signal');
      if (done()) return;
      if (failFast) this.throwIfFailed();
      this.throwIfExited();
      const nowMs = Date.now();
      const nowCommitted = this.load('committed');
      if (nowCommitted !== committed) {
        committed = nowCommitted;
        deadlineMs = nowMs + this.stallTimeoutMs;
      }
      if (nowMs >= deadlineMs) {
        this.stalled = true;
        this.fail(new Error(`bulk writer: no progress for ${this.stallTimeoutMs} ms waiting for ${what}: ${this.describe()}`));
      }
      Atomics.wait(this.state, slot.signal, signal, deadlineMs - nowMs);
    }
  }

  private describe(): string {
    const a = this.activity();
    return `${a.sent} batches sent, ${a.taken} taken by the worker, ${a.committed} committed; the worker has been ${phaseDescription(a.phase)} for ${a.forMs} ms`;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
    if (this.load('failed') === 0) return;
    const reported = receiveMessageOnPort(this.errors)?.message as WorkerFailure | undefined;
    const phase = reported ? phaseCodes[reported.phase] : undefined;
    const doing = phase ? phaseDescription(phase) : `in unknown phase code ${reported?.phase}`;
    const where = reported ? ` (batch ${reported.batch}, while ${doing})` : '';
    this.fail(new Error(`bulk writer: a batch failed and rolled back${where}: ${reported?.message ?? 'unknown error'}`));
  }

  /** The thread ended without closing (an uncaught error in it): nothing it was sent will commit. */
  private throwIfExited(): void {
    if (this.load('exited') === 0 || this.load('stopped') === 1) return;
    this.throwIfFailed();
    this.fail(new Error(`bulk writer: the worker thread exited (code ${this.load('exitCode')}): ${this.describe()}`));
  }

  private fail(error: Error): never {
    this.failure ??= error;
    throw this.failure;
  }
}
