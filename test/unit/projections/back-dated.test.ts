// A fact back-dated and recorded later changes what validAt answers say, and never what an asOf
// answer said about an instant before it was recorded.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../src/domain/events.js';
import { customerStream, partnerStream } from '../../../src/domain/events.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import type { EventStore } from '../../../src/store/event-store.js';
import { openReadSide, type ReadSide } from '../../../src/ledger/read-side.js';
import { defaultPolicy } from '../../../src/domain/policy.js';

let dir: string;
let now = '2026-04-01T00:00:00.000Z';
let store: EventStore;
let side: ReadSide;

const manager = { role: 'manager' as const, id: 'm-1' };
const append = (stream: string, event: LedgerEvent, occurredAt: string) =>
  store.append(stream, [{ ...event, eventId: randomUUID(), occurredAt, actor: manager }], 'any');
const register = (dealId: string, partnerId: string, occurredAt: string) =>
  append(
    customerStream('name:acme'),
    {
      type: 'DealRegistered',
      data: {
        dealId,
        customerKey: 'name:acme',
        customer: { name: 'ACME', taxId: null },
        match: { by: 'name', input: 'ACME', normalised: 'acme' },
        channel: 'partner',
        partnerId,
        expectedPorts: 10,
        expectedRevenueFen: 100_000_00,
      },
    },
    occurredAt,
  );

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-backdated-'));
  store = openSqliteEventStore({ file: path.join(dir, 'events.db'), clock: () => now });
  for (const partnerId of ['P-1', 'P-2']) {
    await append(partnerStream(partnerId), { type: 'PartnerSigned', data: { partnerId, name: partnerId, kind: 'relationship', tier: 'silver', parentPartnerId: null, territory: null } }, '2026-01-01T00:00:00.000Z');
  }
  now = '2026-04-02T00:00:00.000Z';
  await register('D-1', 'P-1', '2026-04-02T00:00:00.000Z');
  await append(partnerStream('P-1'), { type: 'DepositPosted', data: { partnerId: 'P-1', amountFen: 40_000_00 } }, '2026-04-02T00:00:00.000Z');
  // A week later a manager back-fills the weekly report: P-2 registered ACME in March, and
  // finance back-dates a deposit P-1 had made in March.
  now = '2026-04-09T00:00:00.000Z';
  await register('D-2', 'P-2', '2026-03-15T00:00:00.000Z');
  await append(partnerStream('P-1'), { type: 'DepositPosted', data: { partnerId: 'P-1', amountFen: 5_000_00 } }, '2026-03-10T00:00:00.000Z');
  side = await openReadSide({ store, dataDir: dir, policy: defaultPolicy });
});

afterAll(async () => {
  await side.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a back-dated fact recorded later', () => {
  const beforeRecorded = '2026-04-05T00:00:00.000Z';

  it('changes validAt answers (the business as known now)', async () => {
    const owner = await side.queries.ownership('name:acme', { validAt: '2026-04-03T00:00:00.000Z' });
    expect([owner?.ownerDealId, owner?.rule]).toEqual(['D-2', 'first-registration']);
    const march = await side.queries.balance('P-1', { validAt: '2026-03-31T00:00:00.000Z' });
    expect(march?.deposit).toBe(5_000_00);
    expect((await side.queries.ownership('name:acme', { validAt: '2026-03-20T00:00:00.000Z' }))?.ownerDealId).toBe('D-2');
  });

  it('does not change what asOf said about an earlier instant', async () => {
    const owner = await side.queries.ownership('name:acme', { asOf: beforeRecorded });
    expect([owner?.ownerDealId, owner?.claims.length]).toEqual(['D-1', 1]);
    const both = await side.queries.ownership('name:acme', { asOf: beforeRecorded, validAt: '2026-04-03T00:00:00.000Z' });
    expect(both?.ownerDealId).toBe('D-1');
    expect((await side.queries.balance('P-1', { asOf: beforeRecorded, validAt: '2026-03-31T00:00:00.000Z' }))?.deposit).toBe(0);
    expect((await side.queries.balance('P-1', { asOf: beforeRecorded }))?.deposit).toBe(40_000_00);
    expect((await side.queries.balance('P-1', {}))?.deposit).toBe(45_000_00);
  });

  it("shows in the auditor's account as a later fact that changed the answer", async () => {
    const account = await side.queries.auditCustomer('name:acme', { asOf: beforeRecorded });
    expect(account?.ownership.ownerDealId).toBe('D-1');
    expect(account?.laterChanges.map((c) => [c.type, c.ownerAfter, c.occurredAt])).toEqual([['DealRegistered', 'D-2', '2026-03-15T00:00:00.000Z']]);
    const nowAccount = await side.queries.auditCustomer('name:acme');
    expect(nowAccount?.events.map((e) => [e.type, e.ownership.ownerDealId])).toEqual([
      ['DealRegistered', 'D-1'],
      ['DealRegistered', 'D-2'],
    ]);
  });
});
