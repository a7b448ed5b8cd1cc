// `ledger policy list|show|diff|adopt [--dry-run]` over a real store: a gold partner's July and
// August cash at 40%, then a version raising the gold port rate to 45% from 2024-07-01 adopted
// from a file. The dry run prints the adjustments and writes nothing; the adoption writes them.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveServerIn } from '../../../src/app/server-presence.js';
import { policyCommand } from '../../../src/cli/commands/policy.js';
import { statementCommand } from '../../../src/cli/commands/statement.js';
import { exportCommand } from '../../../src/cli/commands/export.js';
import { importCommand } from '../../../src/cli/commands/import.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { ScanLookups } from './scan-lookups.js';
import { captureOutput } from '../../support/capture-output.js';
import { hasCjkFont } from '../../support/cjk-font.js';
import { hasPdfToText, pdfText } from '../../support/pdf-text.js';

let dir: string;
let policyFile: string;
const run = (argv: string[]) => captureOutput(() => policyCommand.run([...argv, '--data-dir', dir]));
const V1 = defaultPolicy.version;

async function head(): Promise<bigint> {
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db') });
  try {
    return await store.headPosition();
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-policy-cli-'));
  const clock = () => '2024-09-10T00:00:00.000Z';
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db'), clock });
  const deps = { store, policy: defaultPolicy, lookups: new ScanLookups(store), clock };
  const ctx = (role: 'manager' | 'finance') => ({ actor: { role, id: `${role}-1` }, commandId: randomUUID(), correlationId: null });
  await runCommand('signPartner', deps, { partnerId: 'P-1', name: 'Gold One', kind: 'relationship', tier: 'gold', occurredAt: '2024-01-08T02:00:00.000Z' }, ctx('manager'));
  await runCommand('registerDeal', deps, { dealId: 'D-1', partnerId: 'P-1', customer: { name: 'Policy Cli Trading' }, occurredAt: '2024-02-01T02:00:00.000Z' }, ctx('manager'));
  await runCommand('advanceStage', deps, { dealId: 'D-1', stage: 'signed', occurredAt: '2024-03-01T02:00:00.000Z' }, ctx('manager'));
  for (const [paymentId, at] of [['PAY-MAY', '2024-05-10'], ['PAY-JUL', '2024-07-10'], ['PAY-AUG', '2024-08-20']] as const) {
    await runCommand('receivePayment', deps, { paymentId, dealId: 'D-1', line: 'port', amount: 1_000_000, occurredAt: `${at}T02:00:00.000Z` }, ctx('finance'));
  }
  await store.close();
  const doc = structuredClone(defaultPolicy) as any;
  doc.version = '2024.2';
  doc.effectiveFrom = '2024-07-01';
  doc.commission.ratesBps.port.gold = [4500, 1000];
  policyFile = path.join(dir, 'policy-2024.2.json');
  fs.writeFileSync(policyFile, JSON.stringify(doc));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ledger policy', () => {
  it('list: before any adoption, the configured policy only', async () => {
    const listed = await run(['list', '--json']);
    expect(listed.code, listed.err).toBe(0);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ version: V1, inLog: false })]);
  });

  it('adopt --dry-run: the adjustments it would write for July and August only, and nothing written', async () => {
    const before = await head();
    const dry = await run(['adopt', policyFile, '--reason', 'gold port rate raised', '--occurred-at', '2024-09-15T02:00:00Z', '--dry-run', '--json']);
    expect(dry.code, dry.err).toBe(0);
    const answer = JSON.parse(dry.out);
    expect(answer.events.map((e: any) => [e.type, e.data.paymentId ?? e.data.version])).toEqual([
      ['PolicyAdopted', V1],
      ['PolicyAdopted', '2024.2'],
      ['CommissionAdjusted', 'PAY-JUL'],
      ['CommissionAdjusted', 'PAY-AUG'],
    ]);
    expect(answer.balances.partners).toEqual([expect.objectContaining({ partnerId: 'P-1', accounts: expect.objectContaining({ accrued: { beforeFen: 1_200_000, afterFen: 1_300_000, deltaFen: 100_000 } }) })]);
    expect(await head()).toBe(before);
  });

  it('adopt is refused (exit 3, nothing written) while a live server serves the data directory; a dead one\'s file counts for nothing', async () => {
    const presence = path.join(dir, 'server.json');
    const before = await head();
    try {
      // This test's own process stands for the live server.
      fs.writeFileSync(presence, JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:3999', startedAt: '2024-09-15T00:00:00.000Z' }));
      const refused = await run(['adopt', policyFile, '--reason', 'gold port rate raised']);
      expect(refused.code).toBe(3);
      expect(refused.err).toContain(`a server (pid ${process.pid}, http://127.0.0.1:3999) serves`);
      expect(refused.err).toContain('POST /policies');
      expect(liveServerIn(dir)?.pid).toBe(process.pid);
      expect(await head()).toBe(before);
      // A process that has exited (a killed server's leftover file) does not hold the directory.
      const { spawnSync } = await import('node:child_process');
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      fs.writeFileSync(presence, JSON.stringify({ pid: Number(gone.stdout), url: 'http://127.0.0.1:3999', startedAt: '2024-09-15T00:00:00.000Z' }));
      expect(liveServerIn(dir)).toBeNull();
    } finally {
      fs.rmSync(presence, { force: true });
    }
  });

  it('adopt: writes the version and the adjustments; again writes nothing', async () => {
    const adopted = await run(['adopt', policyFile, '--reason', 'gold port rate raised', '--occurred-at', '2024-09-15T02:00:00Z', '--actor', 'mgr-alice', '--json']);
    expect(adopted.code, adopted.err).toBe(0);
    const answer = JSON.parse(adopted.out);
    expect(answer).toMatchObject({ version: '2024.2', adopted: true });
    expect(answer.adjustments.map((a: any) => [a.paymentId, a.fromFen, a.toFen])).toEqual([
      ['PAY-JUL', 400_000, 450_000],
      ['PAY-AUG', 400_000, 450_000],
    ]);
    const again = await run(['adopt', policyFile, '--reason', 'again']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/already adopted/);
  });

  it('list, show and diff read the versions back', async () => {
    const listed = JSON.parse((await run(['list', '--json'])).out);
    expect(listed.map((v: any) => [v.version, v.inLog, v.actor?.id ?? null])).toEqual([
      [V1, true, 'mgr-alice'],
      ['2024.2', true, 'mgr-alice'],
    ]);
    const table = await run(['list']);
    expect(table.out).toMatch(/2024\.2/);
    const shown = await run(['show', '2024.2']);
    expect(JSON.parse(shown.out).document.commission.ratesBps.port.gold).toEqual([4500, 1000]);
    const diff = await run(['diff', '2024.2', '--against', V1, '--json']);
    expect(JSON.parse(diff.out).differences).toEqual([{ path: 'commission.ratesBps.port.gold.0', from: 4000, to: 4500 }]);
    expect((await run(['show', 'nope'])).code).toBe(1);
  });

  it('ledger statement lists the adjustments with both versions', async () => {
    const json = await captureOutput(() => statementCommand.run(['P-1', '2024-Q3', '--json', '--data-dir', dir]));
    expect(json.code, json.err).toBe(0);
    const statement = JSON.parse(json.out);
    expect(statement.adjustments.map((a: any) => [a.paymentId, a.fromVersion, a.toVersion, a.commissionFen])).toEqual([
      ['PAY-JUL', V1, '2024.2', 50_000],
      ['PAY-AUG', V1, '2024.2', 50_000],
    ]);
    expect(statement.lines.map((l: any) => l.policyVersion)).toEqual([V1, V1]);
    expect(statement).toMatchObject({ accruedFen: 800_000, adjustmentsFen: 100_000, netFen: 900_000 });
    const csv = await captureOutput(() => statementCommand.run(['P-1', '2024-Q3', '--csv', '--data-dir', dir]));
    expect(csv.out).toContain(`adjustment accrual ${V1}→2024.2`);
  });

  it.skipIf(!hasCjkFont || !hasPdfToText)('the statement PDF lists the adjustments with both versions and both rates, and their total', async () => {
    const file = path.join(dir, 'statement-2024-Q3.pdf');
    const written = await captureOutput(() => statementCommand.run(['P-1', '2024-Q3', '--pdf', file, '--data-dir', dir]));
    expect(written.code, written.err).toBe(0);
    const text = pdfText(file);
    expect(text.split(`${V1}→2024.2`).length - 1).toBe(2);
    expect(text.split('(4000→4500 bps)').length - 1).toBe(2);
    expect(text.split('调整 adjustment').length - 1).toBe(2);
    expect(text).toMatch(/Policy adjustments：¥?1,000\.00/);
  });

  it('the policy stream exports and imports like every stream (the history check folds it)', async () => {
    const file = path.join(dir, 'log.ndjson');
    const exported = await captureOutput(() => exportCommand.run(['--out', file, '--data-dir', dir]));
    expect(exported.code, exported.err).toBe(0);
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-policy-import-'));
    try {
      const imported = await captureOutput(() => importCommand.run([file, '--data-dir', target]));
      expect(imported.code, imported.err).toBe(0);
      const listed = await captureOutput(() => policyCommand.run(['list', '--json', '--data-dir', target]));
      expect(JSON.parse(listed.out).map((v: any) => v.version)).toEqual([V1, '2024.2']);
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  });

  it('a document with problems names them and writes nothing; a usage error is 2', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ ...JSON.parse(fs.readFileSync(policyFile, 'utf8')), version: '2024.3', currency: 'USD' }));
    const before = await head();
    const refused = await run(['adopt', bad, '--reason', 'bad']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/document\.currency/);
    expect(await head()).toBe(before);
    await expect(run(['adopt', policyFile])).rejects.toThrow(/--reason/);
    await expect(run(['nope'])).rejects.toThrow(/list, show, diff or adopt/);
  });
});
