// The clock: recordedAt → the last position recorded at that instant, so an asOf question
// becomes a cut of the log in one index seek.
import type Database from 'better-sqlite3';
import type { LogCut, TimeQuery } from './cut.js';
import { projectionModule } from './projection.js';
import { stmt } from './sql.js';

type Db = Database.Database;

export const clockProjection = projectionModule({
  version: 1,
  tables: ['clock'],
  create: `CREATE TABLE IF NOT EXISTS clock (recorded_at TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;`,
  indexes: [],
  writeSql: {
    clock: 'INSERT INTO clock (recorded_at, position) VALUES (?, ?) ON CONFLICT (recorded_at) DO UPDATE SET position = max(position, excluded.position)',
  },
  applier({ write }) {
    // Events of one instant write one row: the last of them, written when the instant changes.
    let pending: { recordedAt: string; position: number } | null = null;
    return {
      apply(e) {
        if (pending && pending.recordedAt !== e.recordedAt) write('clock', [pending.recordedAt, pending.position]);
        pending = { recordedAt: e.recordedAt, position: Number(e.position) };
        return 1;
      },
      endBatch() {
        if (pending) write('clock', [pending.recordedAt, pending.position]);
        pending = null;
      },
      forget() {
        pending = null;
      },
    };
  },
});

// ---- readers ----------------------------------------------------------------------------------

/** The last position recorded at or before `asOf` (0 when nothing was). One index seek. */
export function positionRecordedBy(db: Db, asOf: string): number {
  const row = stmt(db, 'SELECT position FROM clock WHERE recorded_at <= ? ORDER BY recorded_at DESC LIMIT 1').get(asOf) as
    | { position: number }
    | undefined;
  return row?.position ?? 0;
}

/** Resolves a reader's question into a cut, never beyond what the read model includes. */
export function resolveCut(db: Db, query: TimeQuery, includedPosition: number): LogCut {
  const asOf = query.asOf ?? null;
  const position = asOf === null ? includedPosition : Math.min(includedPosition, positionRecordedBy(db, asOf));
  return { position, validAt: query.validAt ?? null, asOf };
}
