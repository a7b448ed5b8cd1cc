// The runner over a real SQLite log and a real read-model file: idempotence, a rebuild stopped
// half-way that resumes from its checkpoint to the same state, and read-your-writes catch-up.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/store/event-store.js';
import { LIVE_COMMIT_DELAY_MS, ProjectionRunner } from '../../../projections/runner.js';
import { cleanupsAfterEach, newTempDir, storeWithSyntheticLog } from './support/synthetic-store.js';
import { testRules } from './test-rules.js';
import BetterSqlite from 'better-sqlite3';
import { deposits } from '../../support/store-fixtures.js';
import { dumpReadModel } from './read-model-dump.js';

const cleanups = cleanupsAfterEach();
const tempDir = (): string => newTempDir(cleanups, 'ledger-runner-');
const storeWithLog = (dir: string, events: number): Promise<EventStore> => storeWithSyntheticLog(cleanups, dir, events);

function openRunner(store: EventStore, file: string, batchSize = 100, bulkWorker = false): ProjectionRunner {
  const runner = ProjectionRunner.open(store, file, testRules, { batchSize, bulkWorker });
  return runner;
}

describe('projection runner', () => {
  it.each([false, true])('a rebuild stopped half-way resumes from its checkpoint to the state of an uninterrupted one (write thread: %s)', async (bulkWorker) => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 1_500);
    const head = Number(await store.headPosition());

    const full = openRunner(store, path.join(dir, 'full.db'), 100, !bulkWorker); // the other mode: same rows either way
    const done = await full.replay();
    expect(done).toMatchObject({ stopped: false, position: head });
    const expected = dumpReadModel(full.db);
    await full.close();

    const file = path.join(dir, 'interrupted.db');
    const first = openRunner(store, file, 100, bulkWorker);
    const stopped = await first.replay({ shouldStop: (p) => p.events >= 500 });
    expect(stopped.stopped).toBe(true);
    expect(stopped.position).toBeGreaterThan(0);
    expect(stopped.position).toBeLessThan(head);
    await first.close();

    const second = openRunner(store, file, 100, bulkWorker);
    expect(second.rebuildInterrupted()).toBe(true);
    const progress: number[] = [];
    const resumed = await second.replay({ onProgress: (p) => progress.push(p.position) });
    expect(resumed).toMatchObject({ stopped: false, position: head });
    expect(progress[0]).toBeGreaterThan(stopped.position); // it did not start over
    expect(second.rebuildInterrupted()).toBe(false);
    expect(dumpReadModel(second.db)).toEqual(expected);
    await second.close();
  });

  it('applying the same events twice changes nothing', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 600);
    const runner = openRunner(store, path.join(dir, 'rm.db'));
    await runner.replay();
    const before = dumpReadModel(runner.db);
    const all = [];
    for await (const e of store.readAll()) all.push(e);
    expect(runner.writer.applyBatch(all.slice(0, 250))).toBe(0);
    expect(runner.writer.applyBatch(all)).toBe(0);
    expect(dumpReadModel(runner.db)).toEqual(before);
    await runner.close();
  });

  it('catchUp(position) resolves once a live event at that position is in the read model', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 300);
    const runner = openRunner(store, path.join(dir, 'rm.db'));
    await runner.start();
    expect(runner.position()).toBe(Number(await store.headPosition()));
    const appended = await store.append(
      'partner-P-9',
      [
        {
          type: 'PartnerSigned',
          data: { partnerId: 'P-9', name: 'Nine', kind: 'development', tier: 'silver', parentPartnerId: null, territory: null },
          eventId: randomUUID(),
          occurredAt: '2026-03-02T00:00:00.000Z',
          actor: { role: 'manager', id: 'm' },
        },
      ],
      'no-stream',
    );
    await runner.catchUp(appended.position);
    const row = runner.db.prepare('SELECT tier FROM tier_rows WHERE partner_id = ?').get('P-9') as { tier: string } | undefined;
    expect(row?.tier).toBe('silver');
    await runner.close();
  });

  it('shows live rows on its own connection at once, and to other connections once committed shortly after', async () => {
    const dir = tempDir();
    const store = await storeWithLog(dir, 50);
    const file = path.join(dir, 'rm.db');
    const runner = openRunner(store, file);
    await runner.start();
    const other = new BetterSqlite(file, { readonly: true });
    cleanups.push(() => {
      other.close();
    });
    const checkpointOf = () => (other.prepare(`SELECT min(position) AS p FROM checkpoints`).get() as { p: number | null }).p ?? 0;
    const committedBefore = checkpointOf();
    const appended = await store.append('partner-P-8', deposits(3, 'P-8'), 'any');
    await runner.catchUp(appended.position);
    expect(runner.position()).toBe(Number(appended.position)); // this connection sees the rows at once
    const deadline = Date.now() + 5_000;
    while (checkpointOf() < Number(appended.position) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, LIVE_COMMIT_DELAY_MS));
    expect(committedBefore).toBeLessThan(Number(appended.position));
    expect(checkpointOf()).toBe(Number(appended.position)); // and another connection once committed
    await runner.close();
  });
});
