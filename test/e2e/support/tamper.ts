// Changes to the log file made behind the ledger's back: a second better-sqlite3 connection that
// drops the append-only triggers first, as someone with write access to the file could. Each
// returns the position the chain check should name as the first bad one.
import Database from 'better-sqlite3';

const TRIGGERS = ['events_no_update', 'events_no_delete', 'streams_no_update', 'streams_no_delete', 'contexts_no_update', 'contexts_no_delete'] as const;

function withTriggersDropped(file: string, change: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.transaction(() => {
      for (const trigger of TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
      change(db);
    })();
  } finally {
    db.close();
  }
}

export function headOf(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COALESCE(MAX(position), 0) FROM events').pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
}

/** A data change that keeps the row's hash: one amount (or another data field) rewritten. */
export function editRow(file: string, position: number): number {
  withTriggersDropped(file, (db) => {
    const data = db.prepare('SELECT data FROM events WHERE position = ?').pluck().get(position) as string | undefined;
    if (data === undefined) throw new Error(`no event at position ${position}`);
    const parsed = JSON.parse(data) as Record<string, unknown>;
    const key = Object.keys(parsed).find((k) => typeof parsed[k] === 'number') ?? Object.keys(parsed).find((k) => typeof parsed[k] === 'string');
    if (key === undefined) throw new Error(`nothing to edit in ${data}`);
    parsed[key] = typeof parsed[key] === 'number' ? (parsed[key] as number) + 1_000_000 : `${String(parsed[key])} (forged)`;
    const changes = db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(parsed), position).changes;
    if (changes !== 1) throw new Error(`edit changed ${changes} rows`);
  });
  return position;
}

/** An event removed from the middle: the positions after it keep their numbers. */
export function deleteRow(file: string, position: number): number {
  withTriggersDropped(file, (db) => {
    const changes = db.prepare('DELETE FROM events WHERE position = ?').run(position).changes;
    if (changes !== 1) throw new Error(`delete changed ${changes} rows`);
  });
  return position;
}

/** The last `count` events removed: the chain that is left is sound; only a checkpoint can tell. */
export function truncateTail(file: string, count: number): number {
  const head = headOf(file);
  withTriggersDropped(file, (db) => {
    db.prepare('DELETE FROM events WHERE position > ?').run(head - count);
  });
  return head - count + 1;
}

/** Two neighbouring events swapped (each keeps its own content and hash, at the other's position). */
export function swapRows(file: string, position: number): number {
  withTriggersDropped(file, (db) => {
    const move = db.prepare('UPDATE events SET position = ? WHERE position = ?');
    move.run(-1, position);
    move.run(position, position + 1);
    move.run(position + 1, -1);
  });
  return position;
}

/**
 * A forged event slipped in at `position`: the events from there on move one position up, and
 * the new row copies a real one (its context, data and hash) with a new id and the next revision
 * of its stream.
 */
export function insertRow(file: string, position: number, copyOf: number): number {
  withTriggersDropped(file, (db) => {
    db.prepare('UPDATE events SET position = -position WHERE position >= ?').run(position);
    db.prepare('UPDATE events SET position = -position + 1 WHERE position < 0').run();
    const source = db.prepare('SELECT * FROM events WHERE position = ?').get(copyOf >= position ? copyOf + 1 : copyOf) as Record<string, unknown> | undefined;
    if (!source) throw new Error(`no event at position ${copyOf}`);
    const nextRevision = (db.prepare('SELECT MAX(revision) + 1 FROM events WHERE stream_id = ?').pluck().get(source.stream_id) as number) ?? 0;
    db.prepare(
      'INSERT INTO events (position, event_id, stream_id, revision, context_id, times, data, command_id, correlation_id, causation_id, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      position,
      '00000000-0000-4000-8000-00000000f0a6',
      source.stream_id,
      nextRevision,
      source.context_id,
      source.times,
      source.data,
      source.command_id,
      source.correlation_id,
      source.causation_id,
      source.hash,
    );
  });
  return position;
}
