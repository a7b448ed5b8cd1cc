// Every read-model row and checkpoint of a file, in a stable order: what two ways of building
// the read models (live, bulk, resumed) must agree on.
import type Database from 'better-sqlite3';
import { projectionNames, projectionModules } from '../../../projections/schema.js';

export function dumpReadModel(db: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of projectionNames) {
    for (const table of projectionModules[name].tables) out[table] = db.prepare(`SELECT * FROM ${table}`).all().map((r) => JSON.stringify(r)).sort();
  }
  out.checkpoints = db.prepare('SELECT * FROM checkpoints ORDER BY projection').all();
  return out;
}
