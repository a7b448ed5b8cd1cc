// Versioned projections rebuilt beside the live ones (projections/rebuild-beside.ts), over a real
// SQLite log and real read-model files: a version recorded in the file that differs from the
// code's rebuilds that projection alone into shadow tables while the runner follows the log,
// then switches in one transaction to exactly the rows of a fresh replay; the other projections'
// rows and checkpoints are never rebuilt; a stopped rebuild resumes from its shadow checkpoint.
import path from 'node:path';
import BetterSqlite from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/store/event-store.js';
import { ProjectionRunner } from '../../../projections/runner.js';
import { ProjectionRebuildingError, SHADOW_SUFFIX, shadowSql } from '../../../projections/rebuild-beside.js';
import { projectionModules, projectionNames } from '../../../projections/schema.js';
import { cleanupsAfterEach, newTempDir, storeWithSyntheticLog } from './support/synthetic-store.js';
import { testRules } from './test-rules.js';
import { deposits } from '../../support/store-fixtures.js';
import { dumpReadModel } from './read-model-dump.js';

const cleanups = cleanupsAfterEach();
const tempDir = (): string => newTempDir(cleanups, 'ledger-beside-');
const storeWithLog = (dir: string, events: number): Promise<EventStore> => storeWithSyntheticLog(cleanups, dir, events);

let liveWorker = false;
const open = (store: EventStore, file: string) => ProjectionRunner.open(store, file, testRules, { batchSize: 100, bulkWorker: false, liveWorker });

/** The rows a fresh replay of the whole log gives. */
async function oracle(store: EventStore): Promise<Record<string, unknown[]>> {
  const runner = open(store, path.join(tempDir(), 'oracle.db'));
  try {
    await runner.catchUp();
    return dumpReadModel(runner.db);
  } finally {
    await runner.close();
  }
}

/** Builds the read model, then edits the file as an older programme would have left it. */
async function fileWithOlderProjection(store: EventStore, file: string, edit: (db: BetterSqlite.Database) => void): Promise<void> {
  const runner = open(store, file);
  await runner.catchUp();
  await runner.close();
  const db = new BetterSqlite(file);
  edit(db);
  db.close();
}

const checkpointsOf = (db: BetterSqlite.Database) => db.prepare('SELECT projection, position FROM checkpoints ORDER BY projection').all();
const tablesOf = (db: BetterSqlite.Database) => (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]).sort();

describe.each([
  ['live rows written here', false],
  ['live rows written on their thread', true],
])('a projection rebuilt beside the live ones (%s)', (_label, onThread) => {
  beforeEach(() => {
    liveWorker = onThread;
  });

  it('rewrites every projection statement onto its shadow tables only', () => {
    for (const name of projectionNames) {
      const m = projectionModules[name];
      for (const sql of [m.create, ...Object.values(m.writeSql as Record<string, string>)]) {
        const shadow = shadowSql(name, sql);
        for (const t of m.tables) expect(shadow.replaceAll(`${t}${SHADOW_SUFFIX}`, ''), `${name}: ${sql}`).not.toMatch(new RegExp(`\\b${t}\\b`));
      }
    }
  });

  it('with the same columns: the old tables answer and follow the log meanwhile, then one switch gives the rows of a fresh replay', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 3_000);
    const file = path.join(dir, 'read-models.db');
    await fileWithOlderProjection(store, file, (db) => db.prepare(`UPDATE meta SET value = '0' WHERE key = 'projectionVersion:statements'`).run());

    const runner = open(store, file);
    cleanups.push(() => runner.close());
    await runner.start();
    const otherCheckpoints = checkpointsOf(runner.db);
    expect(runner.rebuildsBeside().map((p) => [p.projection, p.serving, p.fromVersion, p.version])).toEqual([['statements', 'old-tables', 0, projectionModules.statements.version]]);
    expect(tablesOf(runner.db)).toContain(`commission_lines${SHADOW_SUFFIX}`);

    let batches = 0;
    let appendedDuring = 0;
    await runner.runRebuildsBeside({
      batchSize: 200,
      beforeBatch: async (p) => {
        batches++;
        if (batches === 3) {
          // a command during the rebuild: its events reach every projection, the old statements tables too
          expect(p.position).toBe(400);
          const appended = await store.append('partner-P-1', deposits(3, 'P-1'), 'any');
          await runner.catchUp(appended.position);
          appendedDuring = Number(appended.position);
          expect(runner.position()).toBe(appendedDuring);
          expect(() => runner.requireServing('statements', 'balances')).not.toThrow();
          expect(runner.writer.checkpointOf('statements')).toBe(appendedDuring);
          const shadowCheckpoint = runner.db.prepare(`SELECT position FROM checkpoints WHERE projection = 'statements@next'`).pluck().get();
          expect(shadowCheckpoint).toBe(400);
        }
      },
    });
    expect(batches).toBeGreaterThan(10);
    expect(runner.rebuildsBeside()).toEqual([]);
    // after the switch the live path writes the new tables
    const after = await store.append('partner-P-2', deposits(2, 'P-2'), 'any');
    await runner.catchUp(after.position);
    expect(tablesOf(runner.db).filter((t) => t.endsWith(SHADOW_SUFFIX))).toEqual([]);
    expect(runner.db.prepare(`SELECT value FROM meta WHERE key = 'projectionVersion:statements'`).pluck().get()).toBe(String(projectionModules.statements.version));
    expect(dumpReadModel(runner.db)).toEqual(await oracle(store));
    // the other projections were not rebuilt: their checkpoints only moved with the live events
    expect(otherCheckpoints.every((c) => (c as { position: number }).position === 3_000 || (c as { projection: string }).projection === 'statements')).toBe(true);
  }, 60_000);

  it('with another shape: the projection answers 503 with its progress while the others and the log go on; a stopped rebuild resumes', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 3_000);
    const file = path.join(dir, 'read-models.db');
    await fileWithOlderProjection(store, file, (db) => {
      db.exec('ALTER TABLE balance_rows ADD COLUMN old_column INTEGER');
      db.prepare(`UPDATE meta SET value = '0' WHERE key = 'projectionVersion:balances'`).run();
    });

    let runner = open(store, file);
    await runner.start();
    expect(runner.rebuildsBeside().map((p) => [p.projection, p.serving])).toEqual([['balances', 'unavailable']]);
    expect(() => runner.requireServing('balances')).toThrow(ProjectionRebuildingError);
    expect(() => runner.requireServing('partners', 'statements', 'ownership')).not.toThrow();
    const appended = await store.append('partner-P-1', deposits(3, 'P-1'), 'any');
    await runner.catchUp(appended.position); // the others follow the log; nothing waits for balances
    expect(runner.position()).toBe(Number(appended.position));

    let batches = 0;
    await runner.runRebuildsBeside({ batchSize: 100, shouldStop: () => ++batches > 5 });
    const stoppedAt = runner.rebuildsBeside()[0]!;
    expect(stoppedAt.position).toBe(500);
    try {
      runner.requireServing('balances');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/the balances projection is being rebuilt \(version 0 → \d+\): at position 500 of 3,?003/);
    }
    await runner.close();

    runner = open(store, file); // a restart: resumes from the shadow checkpoint
    cleanups.push(() => runner.close());
    await runner.start();
    expect(runner.rebuildsBeside().map((p) => [p.projection, p.position, p.serving])).toEqual([['balances', 500, 'unavailable']]);
    await runner.runRebuildsBeside({ batchSize: 300 });
    expect(() => runner.requireServing('balances')).not.toThrow();
    const more = await store.append('partner-P-2', deposits(2, 'P-2'), 'any');
    await runner.catchUp(more.position);
    expect(dumpReadModel(runner.db)).toEqual(await oracle(store));
  }, 60_000);

  it('a projection reading another waits for it: balances answers 503 while statements (its lines) is rebuilt in another shape, then both switch to a fresh replay', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 2_000);
    const file = path.join(dir, 'read-models.db');
    await fileWithOlderProjection(store, file, (db) => {
      db.exec('ALTER TABLE commission_lines ADD COLUMN old_column INTEGER');
      db.prepare(`UPDATE meta SET value = '0' WHERE key IN ('projectionVersion:statements', 'projectionVersion:balances')`).run();
    });
    const runner = open(store, file);
    cleanups.push(() => runner.close());
    await runner.start();
    expect(runner.rebuildsBeside().map((p) => [p.projection, p.serving])).toEqual([
      ['balances', 'unavailable'], // same columns, but older than balances.compatibleSince: its rows mean something else
      ['statements', 'unavailable'],
    ]);
    expect(() => runner.requireServing('balances')).toThrow(/the balances projection is being rebuilt/);
    expect(() => runner.requireServing('partners', 'statements')).toThrow(/the statements projection is being rebuilt/);
    const order: string[] = [];
    await runner.runRebuildsBeside({ batchSize: 500, beforeBatch: (p) => void (order.at(-1) !== p.projection && order.push(p.projection)) });
    expect(order).toEqual(['statements', 'balances']);
    expect(() => runner.requireServing('balances', 'statements')).not.toThrow();
    expect(dumpReadModel(runner.db)).toEqual(await oracle(store));
  }, 60_000);

  it('replay of one projection by hand rebuilds every projection to the rows of a fresh replay, the others untouched', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 1_500);
    const file = path.join(dir, 'read-models.db');
    const runner = open(store, file);
    cleanups.push(() => runner.close());
    await runner.catchUp();
    const expected = await oracle(store);
    for (const name of projectionNames) {
      const before = dumpReadModel(runner.db);
      expect(await runner.rebuildProjection(name, { batchSize: 250 })).toBe('switched');
      const after = dumpReadModel(runner.db);
      expect(after, name).toEqual(expected);
      expect(after.checkpoints).toEqual(before.checkpoints);
    }
  }, 60_000);
});
