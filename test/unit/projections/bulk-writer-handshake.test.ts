// The bulk writer's handshake with its worker (projections/bulk-writer.ts): the main thread blocks
// in Atomics.wait, so whatever keeps the worker from committing must come back as an error that
// says what the worker was doing, never as a silent wait; and a closed or failed writer leaves no
// connection of its worker on the file for the next rebuild's worker to wait on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type BulkStatement, BulkWriter, type BulkWriterPhase } from '../../../projections/bulk-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bulk-handshake-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileSeq = 0;

const insertRow: BulkStatement = { sql: 'INSERT INTO rows (k, v) VALUES (?, ?)', arity: 2 };

/** A WAL file with one table, as the read model is (a connection is kept open, as the runner keeps its own). */
function walFile(): { file: string; db: Database.Database } {
  const file = path.join(dir, `rows-${++fileSeq}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE rows (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return { file, db };
}

const batchOf = (from: number, count: number): unknown[] =>
  Array.from({ length: count }, (_, i) => [0, [from + i, `row ${from + i}`]]).flat();

const rowCount = (db: Database.Database): number => db.prepare('SELECT count(*) FROM rows').pluck().get() as number;

/** Polls (without blocking this thread) until the worker is in the phase. */
async function untilPhase(writer: BulkWriter, phase: BulkWriterPhase): Promise<void> {
  for (let i = 0; i < 2_000 && writer.activity().phase !== phase; i++) await new Promise((r) => setTimeout(r, 5));
  expect(writer.activity().phase).toBe(phase);
}

/** After a writer closed, a fresh one on the same file takes the write lock and commits (nothing of the old worker holds it). */
function expectFileWritable(file: string, db: Database.Database, k: number): void {
  const next = new BulkWriter(file, [insertRow]);
  next.send(batchOf(k, 1));
  next.close();
  expect(db.prepare('SELECT v FROM rows WHERE k = ?').pluck().get(k)).toBe(`row ${k}`);
}

describe('the bulk writer handshake', () => {
  it('commits every batch sent, in order, whether the main thread waits for each or not', () => {
    const { file, db } = walFile();
    try {
      const writer = new BulkWriter(file, [insertRow]);
      for (let b = 0; b < 40; b++) writer.send(batchOf(b * 25, 25));
      writer.drain();
      expect(rowCount(db)).toBe(1_000); // visible to another connection once drain returns
      writer.send(batchOf(1_000, 5));
      writer.close(); // drains first
      expect(rowCount(db)).toBe(1_005);
      expect(writer.activity()).toMatchObject({ phase: 'stopped', sent: 41, taken: 41, committed: 41 });
      expectFileWritable(file, db, 5_000);
    } finally {
      db.close();
    }
  });

  it('a worker failure is reported as that failure (its batch and what the worker was doing), every time', () => {
    const { file, db } = walFile();
    try {
      // Many writers whose first batch fails at once in the worker while the main thread waits:
      // a notification falling between the main thread's check and its wait would show as a stall.
      for (let i = 0; i < 15; i++) {
        const writer = new BulkWriter(file, [insertRow], { stallTimeoutMs: 20_000 });
        writer.send(batchOf(i * 10, 3));
        writer.send([0, [1]]); // one parameter for a statement of two: refused in the worker
        expect(() => writer.drain()).toThrow(/bulk writer: a batch failed and rolled back \(batch 2, while running a batch's writes\): .*names statement 0 with 1 parameters/);
        expect(() => writer.close()).toThrow(/batch 2/);
        expect(writer.activity().phase).toBe('stopped'); // it closed its connection all the same
      }
      expect(rowCount(db)).toBe(15 * 3); // every first batch committed, no second one
      expectFileWritable(file, db, 9_000);
    } finally {
      db.close();
    }
  });

  it('a write lock held elsewhere fails the batch once the busy timeout passes, naming the lock', () => {
    const { file, db } = walFile();
    const writer = new BulkWriter(file, [insertRow], { busyTimeoutMs: 50 });
    try {
      db.exec('BEGIN IMMEDIATE'); // e.g. a live transaction that its own timer would commit later
      writer.send(batchOf(0, 2));
      expect(() => writer.drain()).toThrow(
        /bulk writer: a batch failed and rolled back \(batch 1, while beginning a transaction \(BEGIN IMMEDIATE: waiting for the write lock on the file\)\): SQLITE_BUSY/,
      );
      db.exec('COMMIT');
      expect(() => writer.close()).toThrow(/SQLITE_BUSY/);
      expect(rowCount(db)).toBe(0);
      expectFileWritable(file, db, 1);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    }
  });

  it('a worker that makes no progress is a stall error naming what it was doing, and close ends its thread without waiting again', async () => {
    const { file, db } = walFile();
    // The worker would wait a minute for the lock: the stall guard (short here) fires first.
    const writer = new BulkWriter(file, [insertRow], { busyTimeoutMs: 60_000, stallTimeoutMs: 200 });
    try {
      db.exec('BEGIN IMMEDIATE');
      writer.send(batchOf(0, 2));
      await untilPhase(writer, 'beginning');
      expect(() => writer.drain()).toThrow(
        /bulk writer: no progress for 200 ms waiting for batch 1 to commit: 1 batches sent, 1 taken by the worker, 0 committed; the worker has been beginning a transaction \(BEGIN IMMEDIATE: waiting for the write lock on the file\) for \d+ ms/,
      );
      expect(() => writer.send(batchOf(2, 1))).toThrow(/no progress/); // the writer stays failed
      expect(() => writer.close()).toThrow(/no progress/); // at once: its thread is terminated
      db.exec('COMMIT'); // its BEGIN now returns, into a terminated thread whose connection closes
      expectFileWritable(file, db, 7);
      expect(db.prepare('SELECT k FROM rows ORDER BY k').pluck().all()).toEqual([7]); // the stalled batch never committed
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    }
  });

  it('refuses a stall or busy timeout that is not a positive whole number of ms', () => {
    const { file, db } = walFile();
    try {
      expect(() => new BulkWriter(file, [insertRow], { stallTimeoutMs: 0 })).toThrow(/stallTimeoutMs must be a positive whole number of ms, got 0/);
      expect(() => new BulkWriter(file, [insertRow], { busyTimeoutMs: 1.5 })).toThrow(/busyTimeoutMs must be a positive whole number of ms, got 1.5/);
    } finally {
      db.close();
    }
  });
});
