// What every projection's readers share: prepared statements cached per database and SQL text,
// and the valid-time bound of a cut.
import type Database from 'better-sqlite3';
import type { LogCut } from './cut.js';

type Db = Database.Database;

/** No validAt: every instant. ISO strings compare in time order, and this sorts after all of them. */
export const endOfTime = '9999-12-31T23:59:59.999Z';
export const validBound = (cut: LogCut): string => cut.validAt ?? endOfTime;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** The statement for this SQL on this database, prepared once. */
export function stmt(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/** Forgets prepared statements (after tables were dropped and recreated). */
export function forgetStatements(db: Db): void {
  statements.delete(db);
}
