// The SQLite file format of the embedded event store: tables, triggers and the format check.
// A file is used only if its meta table names this format and version; anything else is refused,
// never migrated or overwritten.
//
// Format 2 keeps a row narrow, because reading few columns is what makes readAll fast and a
// small row is what makes a commit write few pages:
// - streams and contexts are dictionaries (integer ids): a stream name is stored once, and the
//   (type, schemaVersion, actor, policyVersion) of an event is one small integer;
// - occurredAt and recordedAt share one fixed-width column (24 + 24 characters);
// - prevHash is not stored: it is the hash of the event at position - 1 (positions have no
//   gaps), so the chain is still fully verifiable and a deleted row is still named by verify().
// The hash covers the same envelope fields as ever (see hash-chain.ts).
import type Database from 'better-sqlite3';
import { IncompatibleStoreError } from '../event-store.js';

export const STORE_FORMAT_NAME = 'channel-ledger-event-store';
export const STORE_FORMAT_VERSION = 2;

/**
 * 2 KiB pages: a group commit dirties one stream-index leaf per stream it touches, and the WAL
 * writes whole pages; half-size pages halve those bytes while rows still fit a page.
 */
export const PAGE_SIZE_BYTES = 2048;

/** Length of an ISO-8601 UTC instant with milliseconds; `times` holds two of them. */
export const INSTANT_LENGTH = 24;

/** Columns of every row read (raw mode), kept in one place with their indexes. */
export const EVENT_COLUMNS =
  'position, event_id, stream_id, revision, context_id, times, data, command_id, correlation_id, causation_id, hash';

export const Col = {
  position: 0,
  eventId: 1,
  streamId: 2,
  revision: 3,
  contextId: 4,
  times: 5,
  data: 6,
  commandId: 7,
  correlationId: 8,
  causationId: 9,
  hash: 10,
  /** Only in reads that are not contiguous by position: the hash at position - 1 (null if missing). */
  prevHash: 11,
} as const;

export const INSERT_EVENT_SQL = `INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The hash of the event before `events.position`, for reads that skip positions. */
export const PREV_HASH_SQL = '(SELECT p.hash FROM events p WHERE p.position = events.position - 1)';

const CREATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS streams (
  stream_id INTEGER PRIMARY KEY,
  name      TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE IF NOT EXISTS contexts (
  context_id INTEGER PRIMARY KEY,
  -- canonical JSON of [type, schemaVersion, actorRole, actorId, policyVersion]
  key        TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY,
  event_id       TEXT NOT NULL UNIQUE,
  stream_id      INTEGER NOT NULL REFERENCES streams (stream_id),
  revision       INTEGER NOT NULL CHECK (revision >= 0),
  context_id     INTEGER NOT NULL REFERENCES contexts (context_id),
  times          TEXT NOT NULL CHECK (length(times) = 48),
  data           TEXT NOT NULL,
  command_id     TEXT,
  correlation_id TEXT,
  causation_id   TEXT,
  hash           TEXT NOT NULL,
  UNIQUE (stream_id, revision)
) STRICT;
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused'); END;
CREATE TRIGGER IF NOT EXISTS streams_no_update BEFORE UPDATE ON streams
BEGIN SELECT RAISE(ABORT, 'stream names are append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS streams_no_delete BEFORE DELETE ON streams
BEGIN SELECT RAISE(ABORT, 'stream names are append-only: DELETE refused'); END;
CREATE TRIGGER IF NOT EXISTS contexts_no_update BEFORE UPDATE ON contexts
BEGIN SELECT RAISE(ABORT, 'event contexts are append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS contexts_no_delete BEFORE DELETE ON contexts
BEGIN SELECT RAISE(ABORT, 'event contexts are append-only: DELETE refused'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON ledger_meta
BEGIN SELECT RAISE(ABORT, 'the store format is fixed: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON ledger_meta
BEGIN SELECT RAISE(ABORT, 'the store format is fixed: DELETE refused'); END;
`;

const REQUIRED_TABLES = ['events', 'streams', 'contexts'] as const;

export type FormatState = 'empty' | 'current';

/** Reads what the file is without writing to it; throws IncompatibleStoreError for anything foreign. */
export function inspectFormat(db: Database.Database, file: string): FormatState {
  let tables: string[];
  try {
    tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  } catch (error) {
    throw new IncompatibleStoreError(
      `${file} is not a ledger event store (not a readable SQLite database: ${errorMessage(error)}); refusing to use or overwrite it`,
    );
  }
  if (tables.length === 0) return 'empty';
  if (!tables.includes('ledger_meta')) {
    throw new IncompatibleStoreError(
      `${file} is an SQLite database but not a ledger event store (no ledger_meta table); refusing to use or overwrite it`,
    );
  }
  const meta = new Map(
    (db.prepare('SELECT key, value FROM ledger_meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]),
  );
  if (meta.get('format') !== STORE_FORMAT_NAME) {
    throw new IncompatibleStoreError(
      `${file} is not a ledger event store (format "${meta.get('format') ?? 'none'}", expected "${STORE_FORMAT_NAME}"); refusing to use or overwrite it`,
    );
  }
  const version = meta.get('formatVersion');
  if (version !== String(STORE_FORMAT_VERSION)) {
    throw new IncompatibleStoreError(
      `${file} was written by event store format version ${version ?? 'unknown'}; this ledger reads format version ${STORE_FORMAT_VERSION} only ` +
        'and never migrates or overwrites a store: use a ledger release that matches the file, or another LEDGER_DATA_DIR',
    );
  }
  const missing = REQUIRED_TABLES.filter((t) => !tables.includes(t));
  if (missing.length > 0) {
    throw new IncompatibleStoreError(`${file} names the ledger format but has no ${missing.join(', ')} table; refusing to use it`);
  }
  return 'current';
}

/** Creates the tables in an empty file, in one transaction (safe if another process races). */
export function createSchema(db: Database.Database, file: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    if (inspectFormat(db, file) === 'empty') {
      db.exec(CREATE_SCHEMA);
      const insert = db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?)');
      insert.run('format', STORE_FORMAT_NAME);
      insert.run('formatVersion', String(STORE_FORMAT_VERSION));
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
