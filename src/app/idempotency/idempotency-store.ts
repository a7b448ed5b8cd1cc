// Idempotency keys, durably: one row per (token digest, key) in its own SQLite file beside the
// log, with the hash of the request and the first answer. Never the token itself: the token's
// sha-256 digest. In-process, a key being executed is held so a concurrent twin waits for it.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
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
    if (this.db.open) this.db.close();
  }
}
