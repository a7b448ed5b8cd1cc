// The read-side commands end to end over a real data directory: replay, report, dispute.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../src/domain/events.js';
import { customerStream, partnerStream } from '../../../src/domain/events.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { describeEvent, disputeCommand } from '../../../src/cli/commands/dispute.js';
import { replayCommand } from '../../../src/cli/commands/replay.js';
import { reportCommand } from '../../../src/cli/commands/report.js';
import { captureOutput } from '../../support/capture-output.js';

let dir: string;

const run = (command: { run(argv: string[]): Promise<number> }, argv: string[]) => captureOutput(() => command.run(argv));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-cli-'));
  let now = '2026-04-01T00:00:00.000Z';
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db'), clock: () => now });
  const add = (stream: string, event: LedgerEvent, occurredAt: string) =>
    store.append(stream, [{ ...event, eventId: randomUUID(), occurredAt, actor: { role: 'manager', id: 'm-1' } }], 'any');
  await add(partnerStream('P-1'), { type: 'PartnerSigned', data: { partnerId: 'P-1', name: 'One', kind: 'relationship', tier: 'gold', parentPartnerId: null, territory: null } }, now);
  const register = (dealId: string, partnerId: string | null, occurredAt: string) =>
    add(customerStream('name:acme'), {
      type: 'DealRegistered',
      data: { dealId, customerKey: 'name:acme', customer: { name: 'ACME Co., Ltd.', taxId: null }, match: { by: 'name', input: 'ACME Co., Ltd.', normalised: 'acme' }, channel: partnerId === null ? 'direct' : 'partner', partnerId, expectedPorts: 5, expectedRevenueFen: 1_000_00 },
    }, occurredAt);
  await register('D-1', null, '2026-04-01T00:00:00.000Z');
  now = '2026-04-10T00:00:00.000Z';
  await register('D-2', 'P-1', '2026-04-01T00:00:00.000Z');
  await store.close();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('read-side commands', () => {
  it('replay rebuilds the read models and says how far it got', async () => {
    const r = await run(replayCommand, ['--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('replayed 3 events');
    expect(fs.existsSync(path.join(dir, 'read-models.db'))).toBe(true);
  });

  it('replay --projection rebuilds one projection beside its live tables with JSON progress, the others untouched; refused beside a server', async () => {
    const Database = (await import('better-sqlite3')).default;
    const checkpoints = () => {
      const db = new Database(path.join(dir, 'read-models.db'), { readonly: true });
      try {
        return db.prepare('SELECT projection, position FROM checkpoints ORDER BY projection').all();
      } finally {
        db.close();
      }
    };
    const before = checkpoints();
    const r = await run(replayCommand, ['--projection', 'ownership', '--json', '--data-dir', dir]);
    expect(r.code).toBe(0);
    const progress = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(progress.at(-1)).toMatchObject({ projection: 'ownership', position: 3, head: 3, percent: 100 });
    expect(JSON.parse(r.out)).toMatchObject({ projection: 'ownership', position: 3 });
    expect(checkpoints()).toEqual(before);
    const table = await run(replayCommand, ['--projection', 'ownership', '--data-dir', dir]);
    expect(table.err).toMatch(/ownership \[#+\] 100%\s+position 3\/3 .* ETA/);
    expect(table.out).toContain('rebuilt ownership from 3 events');
    expect((await run(replayCommand, ['--projection', 'owners', '--data-dir', dir])).code).toBe(2);
    fs.writeFileSync(path.join(dir, 'server.json'), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:1', startedAt: '2026-04-10T00:00:00.000Z' }));
    try {
      const refused = await run(replayCommand, ['--projection', 'ownership', '--data-dir', dir]);
      expect(refused.code).toBe(3);
      expect(refused.err).toContain(`a server (pid ${process.pid}, http://127.0.0.1:1) serves`);
    } finally {
      fs.rmSync(path.join(dir, 'server.json'));
    }
  });

  it('dispute explains who owns a customer named in another spelling, and what changed after --as-of', async () => {
    const now = await run(disputeCommand, ['acme co ltd', '--data-dir', dir]);
    expect(now.code).toBe(0);
    expect(now.out).toContain('Owner: deal D-2 (partner P-1)');
    expect(now.out).toContain('Rule: tie-to-partner');
    const before = await run(disputeCommand, ['name:acme', '--as-of', '2026-04-05T00:00:00Z', '--data-dir', dir]);
    expect(before.out).toContain('Owner: deal D-1 (direct sales)');
    // Instants as local time in the policy's zone with the offset (issue #21 item 3; was 2026-04-10T00:00:00.000Z).
    expect(before.out).toMatch(/#3 DealRegistered recorded 2026-04-10 08:00:00\.000 \+08:00 .*→ owner D-2 \[tie-to-partner\]/);
    const json = await run(disputeCommand, ['name:acme', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.out).events).toHaveLength(2);
  });

  it('report prints tiers as CSV and refuses a malformed instant as a usage error', async () => {
    const csv = await run(reportCommand, ['tiers', '--csv', '--data-dir', dir]);
    // The export module's CSV (issue #21 item 4): byte-order mark, CRLF, instants local with the offset.
    expect(csv.out).toBe('\uFEFFpartnerId,tier,since\r\nP-1,gold,2026-04-01 08:00:00 +08:00\r\n');
    const bad = await run(reportCommand, ['tiers', '--as-of', 'yesterday', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--as-of must be an ISO-8601 instant');
  });
});

describe('the dispute account names money exactly', () => {
  it('writes fen as yuan with separators through integer arithmetic', () => {
    const line = describeEvent({ type: 'PaymentReceived', data: { paymentId: 'PAY-1', amountFen: 900_719_925_474_099, line: 'port', ownerPartnerId: 'P-1', ownerDealId: 'D-1' } });
    expect(line).toContain('9,007,199,254,740.99 CNY');
  });
});
