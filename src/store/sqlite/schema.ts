// The SQLite file format of the embedded event store: tables, triggers and the format check.
// A file is used only if its meta table names this format and version; anything else is refused,
// never migrated or overwritten.
import type Database from 'better-sqlite3';
import { IncompatibleStoreError } from '../event-store.js';

export const STORE_FORMAT_NAME = 'channel-ledger-event-store';
export const STORE_FORMAT_VERSION = 1;

/** Column order of every row read (raw mode), kept in one place with its indexes. */
export const EVENT_COLUMNS =
  'position, event_id, stream, revision, type, schema_version, occurred_at, recorded_at, actor_role, actor_id, ' +
  'command_id, correlation_id, causation_id, policy_version, data, prev_hash, hash';

export const Col = {
  position: 0,
  eventId: 1,
  stream: 2,
  revision: 3,
  type: 4,
  schemaVersion: 5,
  occurredAt: 6,
  recordedAt: 7,
  actorRole: 8,
  actorId: 9,
  commandId: 10,
  correlationId: 11,
  causationId: 12,
  policyVersion: 13,
  data: 14,
  prevHash: 15,
  hash: 16,
} as const;

const CREATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY,
  event_id       TEXT NOT NULL UNIQUE,
  stream         TEXT NOT NULL,
  revision       INTEGER NOT NULL CHECK (revision >= 0),
  type           TEXT NOT NULL,
  schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
  occurred_at    TEXT NOT NULL,
  recorded_at    TEXT NOT NULL,
  actor_role     TEXT NOT NULL,
  actor_id       TEXT NOT NULL,
  command_id     TEXT,
  correlation_id TEXT,
  causation_id   TEXT,
  policy_version TEXT,
  data           TEXT NOT NULL,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL,
  UNIQUE (stream, revision)
) STRICT;
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON ledger_meta
BEGIN SELECT RAISE(ABORT, 'the store format is fixed: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON ledger_meta
BEGIN SELECT RAISE(ABORT, 'the store format is fixed: DELETE refused'); END;
`;

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
  if (!tables.includes('events')) {
    throw new IncompatibleStoreError(`${file} names the ledger format but has no events table; refusing to use it`);
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
