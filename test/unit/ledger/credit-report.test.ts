// `ledger report balances` shows a reseller's credit use (creditLimit, trafficOutstanding, creditAvailable).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../../src/cli/commands/report.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { ScanLookups } from './scan-lookups.js';
import { captureOutput } from '../../support/capture-output.js';

let dir: string;

const run = (argv: string[]) => captureOutput(() => reportCommand.run(argv));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-credit-cli-'));
  const clock = () => '2026-04-01T00:00:00.000Z';
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db'), clock });
  const deps = { store, policy: defaultPolicy, lookups: new ScanLookups(store), clock };
  const ctx = () => ({ actor: { role: 'finance' as const, id: 'f-1' }, commandId: randomUUID(), correlationId: null });
  await runCommand('signPartner', deps, { partnerId: 'W-1', name: 'Reseller', kind: 'wholesale-voice', tier: 'standard' }, ctx());
  await runCommand('signPartner', deps, { partnerId: 'P-1', name: 'Other', kind: 'relationship', tier: 'gold' }, ctx());
  await runCommand('postDeposit', deps, { partnerId: 'W-1', amount: 10_000_000 }, ctx());
  await runCommand('billTraffic', deps, { partnerId: 'W-1', billId: 'B-1', amount: 2_500_000, period: '2026-03' }, ctx());
  await store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ledger report balances', () => {
  it('has the credit columns: limit, outstanding traffic, available (empty for partners that are not resellers)', async () => {
    const csv = await run(['balances', '--csv', '--data-dir', dir]);
    expect(csv.code).toBe(0);
    const [header, ...rows] = csv.out.replace(/^\uFEFF/, '').trim().split('\r\n');
    const cols = header!.split(',');
    const row = (id: string) => Object.fromEntries(rows.find((r) => r.startsWith(`${id},`))!.split(',').map((v, i) => [cols[i], v]));
    // Money as numeric yuan under a "(CNY)" title (issue #21 item 4; was fen under the bare key).
    expect(row('W-1')).toMatchObject({ 'creditLimit (CNY)': '100000.00', 'trafficOutstanding (CNY)': '25000.00', 'creditAvailable (CNY)': '75000.00' });
    expect(row('P-1')).toMatchObject({ 'creditLimit (CNY)': '', 'trafficOutstanding (CNY)': '0.00', 'creditAvailable (CNY)': '' });
    const table = await run(['balances', '--data-dir', dir]);
    expect(table.out).toMatch(/creditAvailable/);
    expect(table.out).toMatch(/75,000\.00/);
  });
});
