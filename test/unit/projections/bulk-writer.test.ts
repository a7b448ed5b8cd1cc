// A rebuild hands its writes to a worker thread (projections/bulk-writer.ts). For random logs
// cut into random batches, the read model it writes is row-for-row the one the live path writes;
// a batch the worker cannot write rolls back whole, its checkpoint with it, and the failure
// reaches the caller.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/domain/events.js';
import { openReadModelDb, ReadModelWriter } from '../../../projections/read-model.js';
import { buildLog, randomLogSteps } from './random-log.js';
import { testRules } from './test-rules.js';
import { dumpReadModel } from './read-model-dump.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bulk-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileSeq = 0;

function batchesOf(log: readonly EventEnvelope[], cuts: readonly number[]): EventEnvelope[][] {
  const out: EventEnvelope[][] = [];
  let from = 0;
  for (const to of [...cuts, log.length]) {
    if (to > from) out.push(log.slice(from, to));
    from = Math.max(from, to);
  }
  return out;
}

function liveReadModel(log: readonly EventEnvelope[]) {
  const db = openReadModelDb(path.join(dir, `live-${++fileSeq}.db`));
  const writer = new ReadModelWriter(db, testRules);
  for (const e of log) writer.applyBatch([e]); // the command path: one small batch after another
  return { db, writer };
}

/** A rebuild: bulk mode on, batches through the worker, bulk mode off (the worker's last commit is on the file). */
function bulkReadModel(log: readonly EventEnvelope[], cuts: readonly number[]) {
  const db = openReadModelDb(path.join(dir, `bulk-${++fileSeq}.db`));
  const writer = new ReadModelWriter(db, testRules, { bulkWorker: true });
  writer.setBulkMode(true);
  const batches = batchesOf(log, cuts);
  for (const batch of batches) writer.applyBatch(batch);
  writer.applyBatch(batches[0] ?? []); // idempotence holds in bulk mode too
  writer.setBulkMode(false);
  return { db, writer };
}

describe('the bulk writer (a rebuild writing on a worker thread)', () => {
  it('writes row for row what the live path writes, for random logs cut into random batches', () => {
    const scenario = randomLogSteps.chain((steps) => {
      const log = buildLog(steps);
      return fc.record({
        log: fc.constant(log),
        cuts: fc.array(fc.integer({ min: 0, max: log.length }), { maxLength: 6 }).map((xs) => xs.sort((a, b) => a - b)),
      });
    });
    fc.assert(
      fc.property(scenario, ({ log, cuts }) => {
        const live = liveReadModel(log);
        const bulk = bulkReadModel(log, cuts);
        try {
          expect(dumpReadModel(bulk.db)).toEqual(dumpReadModel(live.db));
          expect(bulk.writer.position()).toBe(live.writer.position());
        } finally {
          live.db.close();
          bulk.db.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('after a rebuild the live path continues exactly as if it had written everything itself', () => {
    const log = fc.sample(randomLogSteps.map(buildLog).filter((l) => l.length >= 20), { numRuns: 1, seed: 7 })[0]!;
    const half = Math.floor(log.length / 2);
    const live = liveReadModel(log);
    const bulk = bulkReadModel(log.slice(0, half), [Math.floor(half / 3)]);
    try {
      for (const e of log.slice(half)) bulk.writer.applyBatch([e]);
      expect(dumpReadModel(bulk.db)).toEqual(dumpReadModel(live.db));
    } finally {
      live.db.close();
      bulk.db.close();
    }
  });

  it('a batch refused on the main thread leaves the earlier batches written, and the rebuild carries on from them', () => {
    const log = fc.sample(randomLogSteps.map(buildLog).filter((l) => l.length >= 30), { numRuns: 1, seed: 5 })[0]!;
    const live = liveReadModel(log);
    const db = openReadModelDb(path.join(dir, `refused-${++fileSeq}.db`));
    const writer = new ReadModelWriter(db, testRules, { bulkWorker: true });
    try {
      writer.setBulkMode(true);
      writer.applyBatch(log.slice(0, 10));
      writer.applyBatch(log.slice(10, 20));
      const shuffled = [log[25]!, log[21]!]; // positions going backwards: refused before any write
      expect(() => writer.applyBatch(shuffled)).toThrow(/positions must grow/);
      expect(writer.position()).toBe(Number(log[19]!.position));
      writer.applyBatch(log.slice(20));
      writer.setBulkMode(false);
      expect(dumpReadModel(db)).toEqual(dumpReadModel(live.db));
    } finally {
      live.db.close();
      db.close();
    }
  });

  it('a batch the worker cannot write rolls back whole with its checkpoint, and the failure reaches the caller', () => {
    const log = fc.sample(randomLogSteps.map(buildLog).filter((l) => l.length >= 20), { numRuns: 1, seed: 11 })[0]!;
    const file = path.join(dir, `failing-${++fileSeq}.db`);
    const db = openReadModelDb(file);
    const writer = new ReadModelWriter(db, testRules, { bulkWorker: true });
    try {
      writer.setBulkMode(true);
      writer.applyBatch(log.slice(0, 10));
      writer.drain();
      // Another connection breaks a table under the worker: its next batch cannot be written.
      const other = new Database(file);
      other.exec('DROP TABLE clock; CREATE TABLE clock (recorded_at TEXT PRIMARY KEY) WITHOUT ROWID;');
      other.close();
      expect(() => {
        writer.applyBatch(log.slice(10));
        writer.drain();
      }).toThrow(/bulk writer: a batch failed and rolled back/);
      expect(() => writer.setBulkMode(false)).toThrow(/bulk writer/);
      const checkpoints = db.prepare('SELECT DISTINCT position FROM checkpoints').pluck().all();
      expect(checkpoints).toEqual([Number(log[9]!.position)]);
      expect(writer.position()).toBe(Number(log[9]!.position));
      expect(db.prepare('SELECT max(position) FROM claim_events').pluck().get() ?? 0).toBeLessThanOrEqual(Number(log[9]!.position));
    } finally {
      db.close();
    }
  });
});
