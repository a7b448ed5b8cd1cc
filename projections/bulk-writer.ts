// A rebuild's SQLite writes on a second thread. The main thread reads and decodes the log and
// folds each batch into row writes (the same code as the live path, so the rows are the same);
// this worker, with its own connection, runs each batch's writes and the checkpoints they
// advance in ONE transaction, while the main thread already folds the next batch. A batch is
// a flat array of pairs: statement index, then the array of that statement's parameters.
// The main thread blocks (Atomics.wait) only when too many batches are in flight, before any
// read of the file (drain), and at the end; a failed batch rolls back whole and is reported at
// the next send or drain.
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

/** Slots of the shared state: batches committed, failed flag, ready flag, stopped flag. */
const COMMITTED = 0;
const FAILED = 1;
const READY = 2;
const STOPPED = 3;

/** Batches sent but not yet committed before the main thread waits (bounds memory and lag). */
const MAX_IN_FLIGHT = 1;
/** No progress from the worker for this long is a hung worker (it never takes this long per batch). */
const STALL_TIMEOUT_MS = 120_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const state = new Int32Array(workerData.shared);
const errors = workerData.errors;
const fail = (error) => {
  errors.postMessage(String((error && error.message) || error));
  Atomics.store(state, ${FAILED}, 1);
  Atomics.notify(state, ${COMMITTED});
};
let db;
let apply;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -8192');
  db.pragma('wal_autocheckpoint = 20000');
  const stmts = workerData.sql.map((s) => db.prepare(s));
  const arity = workerData.arity;
  apply = db.transaction((ops) => {
    for (let i = 0; i < ops.length; i += 2) {
      const k = ops[i];
      const args = ops[i + 1];
      if (arity[k] === undefined || !Array.isArray(args) || args.length !== arity[k]) {
        throw new Error('bulk writer: write ' + i / 2 + ' names statement ' + k + ' with ' + (args && args.length) + ' parameters');
      }
      stmts[k].run(args);
    }
  });
} catch (error) {
  fail(error);
}
Atomics.store(state, ${READY}, 1);
Atomics.notify(state, ${READY});
parentPort.on('message', (m) => {
  if (m === 'stop') {
    try { if (db) db.close(); } catch (error) { fail(error); }
    Atomics.store(state, ${STOPPED}, 1);
    Atomics.notify(state, ${STOPPED});
    parentPort.close();
    return;
  }
  if (Atomics.load(state, ${FAILED}) !== 0) return; // a failed batch: every later one is dropped
  try {
    apply.immediate(m);
    Atomics.add(state, ${COMMITTED}, 1);
    Atomics.notify(state, ${COMMITTED});
  } catch (error) {
    fail(error);
  }
});
`;

export interface BulkStatement {
  sql: string;
  /** How many parameters the statement binds. */
  arity: number;
}

export class BulkWriter {
  private readonly worker: Worker;
  private readonly state: Int32Array;
  private readonly errors: MessagePort;
  private sent = 0;
  private closed = false;
  private failure: Error | null = null;

  constructor(file: string, readonly statements: readonly BulkStatement[]) {
    const shared = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
    this.state = new Int32Array(shared);
    const channel = new MessageChannel();
    this.errors = channel.port1;
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, sqliteModule, shared, errors: channel.port2, sql: statements.map((s) => s.sql), arity: statements.map((s) => s.arity) },
      transferList: [channel.port2],
    });
    this.worker.unref();
    this.waitFor(READY, 1);
    this.throwIfFailed();
  }

  /** Queues one batch (one transaction in the worker); blocks while too many are in flight. */
  send(ops: unknown[]): void {
    this.throwIfFailed();
    if (this.closed) throw new Error('bulk writer: closed');
    this.worker.postMessage(ops);
    this.sent++;
    while (this.sent - Atomics.load(this.state, COMMITTED) > MAX_IN_FLIGHT) this.waitCommitted();
  }

  /** Blocks until every batch sent is committed (or throws the worker's failure). */
  drain(): void {
    while (Atomics.load(this.state, COMMITTED) < this.sent) this.waitCommitted();
    this.throwIfFailed();
  }

  /** Drains, then closes the worker's connection (its last commit is on the file when this returns). */
  close(): void {
    if (this.closed) return;
    try {
      this.drain();
    } finally {
      this.closed = true;
      this.worker.postMessage('stop');
      this.waitFor(STOPPED, 1);
      void this.worker.terminate();
      this.errors.close();
    }
  }

  private waitCommitted(): void {
    const committed = Atomics.load(this.state, COMMITTED);
    this.throwIfFailed();
    if (Atomics.wait(this.state, COMMITTED, committed, STALL_TIMEOUT_MS) === 'timed-out' && Atomics.load(this.state, COMMITTED) === committed) {
      this.fail(new Error(`bulk writer: no batch committed for ${STALL_TIMEOUT_MS} ms`));
    }
    this.throwIfFailed();
  }

  private waitFor(slot: number, value: number): void {
    const started = Date.now();
    while (Atomics.load(this.state, slot) !== value) {
      Atomics.wait(this.state, slot, Atomics.load(this.state, slot), 1_000);
      if (Date.now() - started > STALL_TIMEOUT_MS) throw new Error(`bulk writer: the worker did not answer in ${STALL_TIMEOUT_MS} ms`);
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
    if (Atomics.load(this.state, FAILED) === 0) return;
    const message = receiveMessageOnPort(this.errors)?.message as string | undefined;
    this.fail(new Error(`bulk writer: a batch failed and rolled back: ${message ?? 'unknown error'}`));
  }

  private fail(error: Error): never {
    this.failure = error;
    throw error;
  }
}
