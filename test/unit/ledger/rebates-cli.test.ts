// `ledger rebates` and `ledger awards` over a real store written by the rebate commands.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardsCommand, rebatesCommand } from '../../../src/cli/commands/rebates.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { ScanLookups } from './scan-lookups.js';
import { captureOutput } from '../../support/capture-output.js';

let dir: string;

const run = (command: { run(argv: string[]): Promise<number> }, argv: string[]) => captureOutput(() => command.run(argv));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-rebates-cli-'));
  const clock = () => '2026-05-01T00:00:00.000Z';
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db'), clock });
  const deps = { store, policy: defaultPolicy, lookups: new ScanLookups(store), clock };
  const ctx = () => ({ actor: { role: 'finance' as const, id: 'f-1' }, commandId: randomUUID(), correlationId: null });
  await runCommand('signPartner', deps, { partnerId: 'D-1', name: 'Distributor', kind: 'distributor', tier: 'standard' }, ctx());
  await runCommand('setCommitment', deps, { partnerId: 'D-1', year: 2026, amount: 100_000_000 }, ctx());
  await runCommand('recordPurchase', deps, { purchaseId: 'PO-1', partnerId: 'D-1', amount: 12_000_000, productLine: 'high-end', bid: false, occurredAt: '2026-02-01T02:00:00.000Z' }, ctx());
  // A value-added agent (no commitment, not locked): the award ranks agents only.
  await runCommand('signPartner', deps, { partnerId: 'A-1', name: 'Agent', kind: 'value-added-agent', tier: 'standard' }, ctx());
  await runCommand('recordPurchase', deps, { purchaseId: 'PO-2', partnerId: 'A-1', amount: 3_000_000, productLine: 'high-end', bid: false, occurredAt: '2026-02-02T02:00:00.000Z' }, ctx());
  await runCommand('evaluateRebates', deps, { quarter: '2026-Q1' }, ctx());
  await store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ledger rebates / awards', () => {
  it('prints the year quarter by quarter in CSV (numeric yuan) and as a table (CNY)', async () => {
    const csv = await run(rebatesCommand, ['D-1', '--year', '2026', '--csv', '--data-dir', dir]);
    expect(csv.code).toBe(0);
    // The export module's CSV (issue #21 item 4): CRLF, money as numeric yuan (was fen).
    expect(csv.out.split('\r\n')[1]).toBe('2026-Q1,120000.00,120000.00,0.00,120000.00,3,150,1800.00,true,vendor');
    const file = path.join(dir, 'rebates.xlsx');
    expect((await run(rebatesCommand, ['D-1', '--year', '2026', '--xlsx', file, '--data-dir', dir])).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets[0]!.getRow(2).getCell(2).value).toBe(120000); // cumulative target (CNY), a number
    const table = await run(rebatesCommand, ['D-1', '--year=2026', '--data-dir', dir]);
    expect(table.out).toMatch(/illustrative steps/);
    expect(table.out).toMatch(/1,800\.00/);
  });
  it('ranks the award and refuses bad usage', async () => {
    const awards = await run(awardsCommand, ['2026', '--json', '--data-dir', dir]);
    // Value-added agents only: distributor D-1 (12,000,000 of high-end) is not ranked (was rank 1).
    expect(JSON.parse(awards.out).ranking).toEqual([{ rank: 1, partnerId: 'A-1', name: 'Agent', purchases: 3_000_000 }]);
    expect((await run(rebatesCommand, ['D-1', '--data-dir', dir])).code).toBe(2);
    expect((await run(awardsCommand, ['20x6', '--data-dir', dir])).code).toBe(2);
    // An unknown partner is "nothing found", 1 like an unknown customer in `ledger dispute` (was 3, "refused").
    expect((await run(rebatesCommand, ['NOPE', '--year', '2026', '--data-dir', dir])).code).toBe(1);
  });
});
