// The read model's WAL checkpoints move to a worker thread once a runner has committed many live
// batches: the main connection's auto-checkpoint becomes a backstop, the worker copies the WAL
// into the database file, and closing hands checkpoints back to the main connection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKSTOP_AUTOCHECKPOINT_PAGES,
  COMMITS_BEFORE_WORKER,
  DEFAULT_AUTOCHECKPOINT_PAGES,
  WalCheckpointer,
} from '../../../projections/wal-checkpointer.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function walDb(): { db: Database.Database; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-walcp-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'rm.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return { db, file };
}

const autocheckpoint = (db: Database.Database): number => db.pragma('wal_autocheckpoint', { simple: true }) as number;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

describe('WAL checkpointer', () => {
  it('starts after enough commits, checkpoints in its worker, and hands back on close', async () => {
    const { db, file } = walDb();
    cleanups.push(() => db.open && db.close());
    const checkpointer = new WalCheckpointer(db, (pages) => db.pragma(`wal_autocheckpoint = ${pages}`));
    for (let i = 1; i < COMMITS_BEFORE_WORKER; i++) checkpointer.committed();
    expect(checkpointer.running()).toBe(false);
    checkpointer.committed();
    expect(checkpointer.running()).toBe(true);
    await until(() => autocheckpoint(db) === BACKSTOP_AUTOCHECKPOINT_PAGES, 'the backstop auto-checkpoint');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const body = 'x'.repeat(4000);
    for (let i = 0; i < 300; i++) insert.run(body); // ~300 pages: far below the backstop
    await until(() => fs.statSync(file).size > 1_000_000, 'the worker copying the WAL into the database file');
    await checkpointer.close();
    expect(checkpointer.running()).toBe(false);
    expect(autocheckpoint(db)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(300);
  });

  it('never starts on an in-memory database', () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    const checkpointer = new WalCheckpointer(db, () => {
      throw new Error('no auto-checkpoint change expected');
    });
    for (let i = 0; i < COMMITS_BEFORE_WORKER * 2; i++) checkpointer.committed();
    expect(checkpointer.running()).toBe(false);
  });
});
