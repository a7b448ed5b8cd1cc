// The read models are derived from the log: a deleted or damaged read-model file is rebuilt from
// the log when the read side opens, and a damaged one is kept aside for inspection.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partnerStream, type LedgerEvent } from '../../../src/domain/events.js';
import { openReadSide, readModelFileFor } from '../../../src/ledger/read-side.js';
import type { SqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';

let dir: string;
let store: SqliteEventStore;

const append = (event: LedgerEvent) =>
  store.append(partnerStream('P-1'), [{ ...event, eventId: randomUUID(), occurredAt: '2026-04-01T00:00:00.000Z', actor: { role: 'finance', id: 'f-1' } }], 'any');

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-damaged-rm-'));
  store = openSqliteEventStore({ file: path.join(dir, 'events.db') });
  await append({ type: 'PartnerSigned', data: { partnerId: 'P-1', name: 'One', kind: 'relationship', tier: 'gold', parentPartnerId: null, territory: null } });
  await append({ type: 'DepositPosted', data: { partnerId: 'P-1', amountFen: 9_000_000 } });
  await append({ type: 'DepositPosted', data: { partnerId: 'P-1', amountFen: 123_45 } });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function balanceNow(warnings: string[] = []) {
  const side = await openReadSide({ store, dataDir: dir, warn: (line) => warnings.push(line) });
  try {
    return await side.queries.balance('P-1');
  } finally {
    await side.close();
  }
}

describe('a damaged or missing read-model file', () => {
  it('is rebuilt from the log when deleted', async () => {
    const before = await balanceNow();
    expect(before?.deposit).toBe(9_012_345);
    fs.rmSync(readModelFileFor(dir));
    expect(await balanceNow()).toEqual(before);
  });

  it('is kept aside and rebuilt from the log when it is not a database, with a warning naming it', async () => {
    const before = await balanceNow();
    const file = readModelFileFor(dir);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    fs.writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
    const warnings: string[] = [];
    expect(await balanceNow(warnings)).toEqual(before);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`kept as ${file}.damaged-1`);
    expect(fs.readFileSync(`${file}.damaged-1`).subarray(0, 4)).toEqual(Buffer.from('ZZZZ'));
  });
});
