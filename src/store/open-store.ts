// Chooses and opens the event store from the environment: the embedded SQLite file under
// LEDGER_DATA_DIR (default ./data), or EventStoreDB when EVENTSTORE_CONNECTION_STRING is set.
import path from 'node:path';
import type { EventStore } from './event-store.js';
import { openSqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store.js';

export const DEFAULT_DATA_DIR = './data';
export const SQLITE_FILE_NAME = 'events.db';

/** The SQLite file the ledger uses for a data directory. */
export function sqliteFileFor(dataDir: string): string {
  return path.resolve(dataDir, SQLITE_FILE_NAME);
}

export interface OpenEventStoreOptions extends Pick<SqliteEventStoreOptions, 'clock' | 'readOnly' | 'readValidation' | 'durability'> {}

export async function openEventStore(
  env: NodeJS.ProcessEnv = process.env,
  options: OpenEventStoreOptions = {},
): Promise<EventStore> {
  if (env.EVENTSTORE_CONNECTION_STRING) {
    // Loaded only here: the embedded store does not pay for the gRPC client. recordedAt comes from
    // the cluster's leader there, so `clock` does not apply.
    const { openEventStoreDbStore } = await import('./eventstoredb/eventstoredb-event-store.js');
    return openEventStoreDbStore({ connectionString: env.EVENTSTORE_CONNECTION_STRING, readOnly: options.readOnly ?? false });
  }
  const dataDir = env.LEDGER_DATA_DIR || DEFAULT_DATA_DIR;
  return openSqliteEventStore({ file: sqliteFileFor(dataDir), ...options });
}
