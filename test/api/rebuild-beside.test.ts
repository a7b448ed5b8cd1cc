// A projection whose version changed is rebuilt beside the live ones while the real server
// serves (projections/rebuild-beside.ts): the start does not wait for it; while the balances
// projection is rebuilt in another shape its reads and the commands whose checks read it answer
// 503 naming it with the progress, every other read and command is served, /health lists it;
// then one switch, after which the balances equal the naive fold of the log (the oracle).
// The rebuild is made observable without timing: a batch of one event and a pause point.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BesideProgress, rebuildBesideHooks } from '../../projections/rebuild-beside.js';
import { projectionModules } from '../../projections/schema.js';
import { evolveBalances, initialBalances } from '../../projections/oracles/balances-oracle.js';
import { domainBridge } from '../../projections/domain-bridge.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { zeroAccountTotals } from '../../src/domain/accounts.js';
import { seedProgramme } from './support/programme.js';
import { type ApiServer, get, headPosition, post, startApiServer } from './support/server.js';

let server: ApiServer;

/** Each partner's account totals by the naive fold of the whole log. */
async function oracle(): Promise<Map<string, ReturnType<typeof zeroAccountTotals>>> {
  const store = openSqliteEventStore({ file: path.join(server.dataDir, 'events.db'), readOnly: true });
  try {
    const rules = domainBridge().rules;
    let state = initialBalances();
    for await (const e of store.readAll({ fromPosition: 1n })) state = evolveBalances(state, e, rules.deltasOf);
    return new Map(state);
  } finally {
    await store.close();
  }
}

const figures = (b: { accrued: number; clawedBack: number; paidOut: number; deposit: number; debt: number }) => ({
  accrued: b.accrued,
  clawedBack: b.clawedBack,
  paidOut: b.paidOut,
  deposit: b.deposit,
  debt: b.debt,
});

let release!: () => void;
const gate = new Promise<void>((resolve) => {
  release = resolve;
});
let reached!: (p: BesideProgress) => void;
const paused = new Promise<BesideProgress>((resolve) => {
  reached = resolve;
});

beforeAll(async () => {
  server = await startApiServer();
  await seedProgramme(server);
  // answers at once: the rebuild waits at its pause point
  await server.restart(() => {
    // the file as an older programme left it: balances at another version, in another shape
    const db = new Database(path.join(server.dataDir, 'read-models.db'));
    db.exec('ALTER TABLE balance_rows ADD COLUMN old_column INTEGER');
    db.prepare(`UPDATE meta SET value = '0' WHERE key = 'projectionVersion:balances'`).run();
    db.close();
    rebuildBesideHooks.batchSize = 1;
    rebuildBesideHooks.beforeBatch = async (p) => {
      if (p.position < 3) return;
      reached(p);
      await gate;
    };
  });
}, 60_000);

afterAll(async () => {
  rebuildBesideHooks.batchSize = undefined;
  rebuildBesideHooks.beforeBatch = undefined;
  release();
  await server?.stop();
});

describe('a projection rebuilt beside the live ones while the server serves', () => {
  it('answers 503 for balances and the commands that check them, serves the rest, then switches to the figures of the naive fold', async () => {
    const progress = await paused;
    expect(progress).toMatchObject({ projection: 'balances', position: 3, serving: 'unavailable', fromVersion: 0 });

    const balance = await get(server, '/partners/P-001/balance', 'finance');
    expect(balance.status).toBe(503);
    expect(balance.body).toMatchObject({ rule: 'projection-rebuilding', figures: { projection: 'balances', position: 3 } });
    expect(balance.body.detail).toMatch(/the balances projection is being rebuilt \(version 0 → \d+\): at position 3 of \d+, ETA/);
    // when to ask again: the rebuild's ETA in whole seconds (at least 1)
    expect(Number(balance.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const health = await get(server, '/health', 'manager');
    expect(health.status).toBe(200);
    expect(health.body.rebuilding).toEqual([
      expect.objectContaining({ projection: 'balances', version: projectionModules.balances.version, serving: 'unavailable', state: 'running', position: 3, head: health.body.position }),
    ]);

    // every other projection answers, and commands that do not need balances are served
    expect((await get(server, '/partners/P-001', 'finance')).status).toBe(200);
    expect((await get(server, '/statements/P-001/2025-Q1', 'finance')).status).toBe(200);
    expect((await get(server, '/reports/pipeline', 'manager')).status).toBe(200);
    const deal = await post(server, '/deals', 'manager', { dealId: 'D-301', partnerId: 'P-002', customer: { name: 'Beside Rebuild Co' }, occurredAt: '2025-04-01T02:00:00Z' });
    expect(deal.status).toBe(201);
    // a command whose checks read the running totals is refused rather than decided without them
    const head = await headPosition(server);
    const deposit = await post(server, '/partners/P-001/deposits', 'finance', { amount: 1_000, occurredAt: '2025-04-02T02:00:00Z' });
    expect(deposit.status).toBe(503);
    expect(deposit.body).toMatchObject({ rule: 'projection-rebuilding', figures: { projection: 'balances' } });
    expect(deposit.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await headPosition(server)).toBe(head);

    release();
    for (let i = 0; i < 1_000 && (await get(server, '/health', 'manager')).body.rebuilding.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await get(server, '/health', 'manager')).body.rebuilding).toEqual([]);

    const expected = await oracle();
    for (const id of ['P-001', 'P-002', 'P-003']) {
      const b = await get(server, `/partners/${id}/balance`, 'finance');
      expect(b.status).toBe(200);
      expect(figures(b.body)).toEqual(figures(expected.get(id) ?? zeroAccountTotals()));
    }
    // the live path goes on with the new tables
    expect((await post(server, '/partners/P-001/deposits', 'finance', { amount: 1_000, occurredAt: '2025-04-02T02:00:00Z' })).status).toBe(201);
    const after = await get(server, '/partners/P-001/balance', 'finance');
    expect(figures(after.body)).toEqual(figures((await oracle()).get('P-001')!));
    const db = new Database(path.join(server.dataDir, 'read-models.db'), { readonly: true });
    try {
      expect(db.prepare(`SELECT value FROM meta WHERE key = 'projectionVersion:balances'`).pluck().get()).toBe(String(projectionModules.balances.version));
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name LIKE '%__next' OR name LIKE 'rebuildBeside%'`).all()).toEqual([]);
      expect(db.prepare(`SELECT name FROM pragma_table_info('balance_rows') WHERE name = 'old_column'`).all()).toEqual([]);
    } finally {
      db.close();
    }
  }, 60_000);
});
