// `ledger report weekly --week 2025-W14 [--partner P] [--csv|--json]` over a real store written by
// the deal commands, with a forecast revision before and one after the week's review.
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
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-weekly-cli-'));
  const clock = () => '2025-06-01T00:00:00.000Z';
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db'), clock });
  const deps = { store, policy: defaultPolicy, lookups: new ScanLookups(store), clock };
  const ctx = () => ({ actor: { role: 'manager' as const, id: 'm-1' }, commandId: randomUUID(), correlationId: null });
  await runCommand('signPartner', deps, { partnerId: 'P-1', name: 'Weekly One', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00.000Z' }, ctx());
  await runCommand('signPartner', deps, { partnerId: 'P-2', name: 'Weekly Two', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00.000Z' }, ctx());
  const register = (dealId: string, partnerId: string, name: string, at: string, expectedPorts: number) =>
    runCommand('registerDeal', deps, { dealId, partnerId, customer: { name }, expectedPorts, expectedRevenue: 1_000_000, occurredAt: at }, ctx());
  await register('D-1', 'P-1', 'Cli Weekly One', '2025-03-10T02:00:00.000Z', 20);
  await runCommand('advanceStage', deps, { dealId: 'D-1', stage: 'solution', occurredAt: '2025-04-01T02:00:00.000Z' }, ctx());
  await runCommand('reviseForecast', deps, { dealId: 'D-1', expectedPorts: 40, occurredAt: '2025-03-25T02:00:00.000Z' }, ctx());
  await runCommand('reviseForecast', deps, { dealId: 'D-1', expectedPorts: 60, occurredAt: '2025-04-08T02:00:00.000Z' }, ctx());
  await register('D-2', 'P-1', 'Cli Weekly Two', '2025-03-30T02:00:00.000Z', 5);
  await register('D-9', 'P-2', 'Cli Weekly Nine', '2025-03-12T02:00:00.000Z', 11);
  await store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ledger report weekly', () => {
  it('JSON: the whole report as of the review, with the figures known then', async () => {
    const json = await run(['weekly', '--week', '2025-W14', '--json', '--data-dir', dir]);
    expect(json.code, json.err).toBe(0);
    const { report, data } = JSON.parse(json.out);
    expect(report).toBe('weekly');
    expect(data).toMatchObject({ week: '2025-W14', review: '2025-04-03T02:00:00.000Z' });
    const p1 = data.partners.find((p: { partnerId: string }) => p.partnerId === 'P-1');
    expect(p1.deals[0]).toMatchObject({ dealId: 'D-1', stage: 'solution', expectedPorts: 40 });
    expect(p1).toMatchObject({ monthPortForecast: 45, supportNeeded: [expect.objectContaining({ dealId: 'D-1' })], newThisWeek: [expect.objectContaining({ dealId: 'D-2' })] });
    const w15 = JSON.parse((await run(['weekly', '--week', '2025-W15', '--json', '--partner', 'P-1', '--data-dir', dir])).out).data;
    expect(w15.partners).toHaveLength(1);
    expect(w15.partners[0].deals[0]).toMatchObject({ dealId: 'D-1', expectedPorts: 60 });
  });

  it('CSV: one row per deal; --partner limits it; a table names the review and each partner\'s month', async () => {
    const csv = await run(['weekly', '--week', '2025-W14', '--csv', '--partner', 'P-1', '--data-dir', dir]);
    expect(csv.code, csv.err).toBe(0);
    const lines = csv.out.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('partnerId,dealId,customerName,stage,expectedPorts,expectedRevenue (CNY),supportNeeded,newThisWeek,progressThisWeek,soldPortsThisMonth,forecastRevisedAt');
    expect(lines).toHaveLength(1 + 2);
    expect(lines[1]).toMatch(/^P-1,D-1,Cli Weekly One,solution,40,/);
    expect(lines[1]).toContain('registered → solution');
    const table = await run(['weekly', '--week', '2025-W14', '--data-dir', dir]);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^weekly 2025-W14 as of the review 2025-04-03 10:00/);
    expect(table.out).toMatch(/P-1: 2 deals, 1 new this week, 1 advanced, 1 needing support; 2025-04 port forecast 45, sales achieved 0 ports/);
    expect(table.out).toMatch(/P-2: 1 deals/);
  });

  it('usage errors are exit 2: no week, a malformed week, --valid-at, --week on another report', async () => {
    expect((await run(['weekly', '--data-dir', dir])).code).toBe(2);
    const bad = await run(['weekly', '--week', '2025-W60', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('not an ISO week');
    expect((await run(['weekly', '--week', '2025-W14', '--valid-at', '2025-04-01', '--data-dir', dir])).code).toBe(2);
    expect((await run(['pipeline', '--week', '2025-W14', '--data-dir', dir])).code).toBe(2);
  });
});
