// The live read model written on its own thread (issue 17): this thread folds, the thread commits
// one transaction per hand-over. catchUp answers only once the file holds the position (another
// connection sees it at once), catchUpFolded once it is folded here (the folded running totals
// include it), and the rows are those of the live path on this connection.
import path from 'node:path';
import BetterSqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../../projections/runner.js';
import type { EventStore } from '../../../src/store/event-store.js';
import { deposits } from '../../support/store-fixtures.js';
import { cleanupsAfterEach, newTempDir, storeWithSyntheticLog } from './support/synthetic-store.js';
import { dumpReadModel } from './read-model-dump.js';
import { testRules } from './test-rules.js';

const cleanups = cleanupsAfterEach();
const tempDir = (): string => newTempDir(cleanups, 'ledger-live-thread-');
const storeWithLog = (dir: string, events: number): Promise<EventStore> => storeWithSyntheticLog(cleanups, dir, events);

describe('the live read model on its own thread', () => {
  it('answers catchUp once another connection sees the rows, and catchUpFolded with the folded totals', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 200);
    const file = path.join(dir, 'rm.db');
    const runner = ProjectionRunner.open(store, file, testRules, { liveWorker: true });
    cleanups.push(() => runner.close());
    await runner.start();
    expect(runner.writer.hasLiveWorker()).toBe(true);
    const other = new BetterSqlite(file, { readonly: true });
    cleanups.push(() => void other.close());
    const checkpoint = () => (other.prepare('SELECT min(position) AS p FROM checkpoints').get() as { p: number }).p;

    const first = await store.append('partner-P-8', deposits(3, 'P-8'), 'any');
    await runner.catchUpFolded(first.position);
    expect(runner.foldedPosition()).toBeGreaterThanOrEqual(Number(first.position));
    expect(runner.writer.foldedAccountTotals('P-8')?.deposit).toBe(1_000 + 1_001 + 1_002);

    await runner.catchUp(first.position);
    expect(runner.position()).toBeGreaterThanOrEqual(Number(first.position));
    expect(checkpoint()).toBeGreaterThanOrEqual(Number(first.position)); // committed: no wait for another connection

    // Many appends at once: folded as they come, handed over as the thread has room; every one answered.
    const appended = await Promise.all(Array.from({ length: 40 }, (_, i) => store.append(`partner-Q-${i}`, deposits(2, `Q-${i}`), 'any')));
    const last = appended.reduce((max, a) => (a.position > max ? a.position : max), 0n);
    await Promise.all(appended.map((a) => runner.catchUp(a.position)));
    expect(checkpoint()).toBe(Number(last));
    expect(other.prepare('SELECT count(*) AS n FROM balance_rows WHERE partner_id LIKE ?').get('Q-%')).toEqual({ n: 80 });
  });

  it('writes the same rows as the live path on the runner connection', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 50);
    const dumps = [];
    for (const liveWorker of [false, true]) {
      const runner = ProjectionRunner.open(store, path.join(dir, `rm-${liveWorker}.db`), testRules, { liveWorker, batchSize: 7 });
      await runner.start();
      expect(runner.writer.hasLiveWorker()).toBe(liveWorker);
      dumps.push(runner);
    }
    for (let i = 0; i < 30; i++) {
      const a = await store.append(`partner-R-${i % 4}`, deposits(1 + (i % 3), `R-${i % 4}`).map((e, k) => ({ ...e, eventId: crypto.randomUUID(), data: { ...(e.data as object), amountFen: 10 + k } }) as typeof e), 'any');
      await Promise.all(dumps.map((r) => r.catchUp(a.position)));
    }
    const [onConnection, onThread] = dumps.map((r) => dumpReadModel(r.db));
    expect(onThread).toEqual(onConnection);
    for (const r of dumps) await r.close();
  });
});
