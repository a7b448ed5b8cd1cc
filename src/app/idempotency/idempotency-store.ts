// Idempotency keys, durably: one row per (token digest, key) in its own SQLite file beside the
// log, with the hash of the request and the first answer. Never the token itself: the token's
// sha-256 digest. In-process, a key being executed is held so a concurrent twin waits for it.
// Records are written in group commits (recordDurably) by a thread with its own connection, so
// their fsync never stops the event loop: the records of the requests answered in one turn of the
// event loop go over as one batch, the thread commits every batch waiting for it in one fsync'd
// transaction, and each answer is released only after the commit that holds its record.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

export const IDEMPOTENCY_FILE_NAME = 'idempotency.db';
/** Keys are opaque to the ledger: printable ASCII, at most this long. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,200}$/;

export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: unknown;
  createdAt: string;
}

interface Row {
  request_hash: string;
  status: number;
  body: string;
  created_at: string;
}

/** The request a key stands for: method, path and the body in canonical JSON. */
export function requestHash(method: string, routePath: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${routePath}\n${stableJson(body ?? null)}`, 'utf8').digest('hex');
}

/** JSON with object keys sorted, so two spellings of one body hash alike. Bounded depth. */
export function stableJson(value: unknown, depth = 0): string {
  if (depth > 64) throw new RangeError('body nested deeper than 64 levels');
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => stableJson(v, depth + 1)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`;
}

export class IdempotencyStore {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string, string], Row>;
  private readonly putStmt: Database.Statement<[string, string, string, number, string, string]>;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly writer: IdempotencyWriter;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
      token_digest TEXT NOT NULL,
      key TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      status INTEGER NOT NULL,
      body TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (token_digest, key)
    ) WITHOUT ROWID`);
    this.getStmt = this.db.prepare('SELECT request_hash, status, body, created_at FROM idempotency WHERE token_digest = ? AND key = ?');
    this.putStmt = this.db.prepare(
      'INSERT INTO idempotency (token_digest, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.writer = new IdempotencyWriter(file);
  }

  static inDataDir(dataDir: string): IdempotencyStore {
    return new IdempotencyStore(path.join(dataDir, IDEMPOTENCY_FILE_NAME));
  }

  find(tokenDigestHex: string, key: string): StoredAnswer | null {
    const row = this.getStmt.get(tokenDigestHex, key);
    if (!row) return null;
    return { requestHash: row.request_hash, status: row.status, body: JSON.parse(row.body) as unknown, createdAt: row.created_at };
  }

  /** Keeps the first answer; a second record for the same key is ignored (the first stays). */
  record(tokenDigestHex: string, key: string, answer: StoredAnswer): void {
    this.putStmt.run(tokenDigestHex, key, answer.requestHash, answer.status, JSON.stringify(answer.body ?? null), answer.createdAt);
  }

  /**
   * Keeps the first answer like record(), in a group commit: resolves once the fsync'd
   * transaction holding this record (and those of the other requests recorded in the same turn
   * of the event loop) has committed; rejects if it failed.
   */
  recordDurably(tokenDigestHex: string, key: string, answer: StoredAnswer): Promise<void> {
    return this.writer.write([tokenDigestHex, key, answer.requestHash, answer.status, JSON.stringify(answer.body ?? null), answer.createdAt]);
  }

  /**
   * Runs `work` as the only execution of this key in the process: a concurrent request with the
   * same key waits for it, then sees the stored answer (or runs itself if the first one failed).
   */
  async exclusive<T>(tokenDigestHex: string, key: string, work: () => Promise<T>): Promise<T> {
    const slot = `${tokenDigestHex}\u0000${key}`;
    for (let attempt = 0; attempt < 1_000; attempt++) {
      const running = this.inFlight.get(slot);
      if (!running) break;
      await running.catch(() => undefined);
    }
    if (this.inFlight.has(slot)) throw new Error(`idempotency key still busy after 1000 waits`);
    const run = work();
    this.inFlight.set(slot, run);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(slot) === run) this.inFlight.delete(slot);
    }
  }

  close(): void {
    this.writer.close();
    if (this.db.open) this.db.close();
  }
}

type RecordRow = [tokenDigest: string, key: string, requestHash: string, status: number, body: string, createdAt: string];

/** The writing thread: every batch waiting on its port goes into one transaction (synchronous=FULL), then it says which committed. */
const WRITER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const put = db.prepare('INSERT INTO idempotency (token_digest, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
const putAll = db.transaction((batches) => { for (const b of batches) for (const r of b.rows) put.run(r); });
const port = workerData.port;
port.on('message', (first) => {
  const batches = [first];
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) batches.push(m.message);
  const ids = batches.map((b) => b.id);
  try {
    putAll(batches);
    port.postMessage({ ids, error: null });
  } catch (error) {
    port.postMessage({ ids, error: String(error && error.message || error) });
  }
});
`;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The main thread's side of the writing thread: one batch per turn of the event loop. */
class IdempotencyWriter {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private rows: RecordRow[] = [];
  private waiters: Waiter[] = [];
  private readonly sent = new Map<number, Waiter[]>();
  private nextId = 1;
  private scheduled = false;
  private closed = false;

  constructor(file: string) {
    const channel = new MessageChannel();
    this.port = channel.port1;
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { file, sqliteModule, port: channel.port2 }, transferList: [channel.port2] });
    this.port.on('message', (message: { ids: number[]; error: string | null }) => {
      for (const id of message.ids) {
        const waiters = this.sent.get(id) ?? [];
        this.sent.delete(id);
        for (const w of waiters) {
          if (message.error === null) w.resolve();
          else w.reject(new Error(`the idempotency record was not written: ${message.error}`));
        }
      }
      this.unrefWhenIdle();
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the idempotency writer stopped')));
    this.unrefWhenIdle();
  }

  write(row: RecordRow): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the idempotency store is closed'));
    return new Promise<void>((resolve, reject) => {
      this.rows.push(row);
      this.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.port.ref();
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.scheduled = false;
    if (this.rows.length === 0) return;
    const id = this.nextId++;
    this.sent.set(id, this.waiters);
    this.port.postMessage({ id, rows: this.rows });
    this.rows = [];
    this.waiters = [];
  }

  /** Nothing waiting: the port does not keep the process alive. */
  private unrefWhenIdle(): void {
    if (this.sent.size === 0 && this.rows.length === 0) this.port.unref();
  }

  private failAll(error: unknown): void {
    for (const waiters of this.sent.values()) for (const w of waiters) w.reject(error);
    this.sent.clear();
    for (const w of this.waiters.splice(0)) w.reject(error);
    this.rows = [];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('the idempotency store closed before the record was written'));
    this.port.close();
    void this.worker.terminate();
  }
}
