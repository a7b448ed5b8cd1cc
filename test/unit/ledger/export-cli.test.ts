// Issue #21 items 3 and 4 on the command line: a bare --as-of / --valid-at date is the end of that
// day in the policy's zone (as on the API and the page), instants are printed as local time with
// the offset, and CSV, .xlsx and the statement PDF come from the page's export module.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeCommand } from '../../../src/cli/commands/dispute.js';
import { reportCommand } from '../../../src/cli/commands/report.js';
import { statementCommand } from '../../../src/cli/commands/statement.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { runCommand } from '../../../src/ledger/commands/index.js';
import { hasCjkFont } from '../../support/cjk-font.js';
import { hasPdfToText, pdfText } from '../../support/pdf-text.js';
import { webExport } from '../../../src/ledger/web-modules.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { captureOutput } from '../../support/capture-output.js';
import { ScanLookups } from './scan-lookups.js';

let dir: string;
const run = (command: { run(argv: string[]): Promise<number> }, argv: string[]) => captureOutput(() => command.run([...argv, '--data-dir', dir]));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-export-cli-'));
  let now = '2026-01-01T03:00:00.000Z';
  const clock = () => now;
  const store = openSqliteEventStore({ file: path.join(dir, 'events.db'), clock });
  const deps = { store, policy: defaultPolicy, lookups: new ScanLookups(store), clock };
  const ctx = (role: 'manager' | 'finance') => ({ actor: { role, id: `${role}-1` }, commandId: randomUUID(), correlationId: null });
  // Signed at 01:00 on 1 January in Shanghai, which is still 31 December in UTC.
  await runCommand('signPartner', deps, { partnerId: 'P-1', name: '华东通信有限公司', kind: 'relationship', tier: 'gold', occurredAt: '2025-12-31T17:00:00.000Z' }, ctx('manager'));
  await runCommand('registerDeal', deps, { dealId: 'D-1', partnerId: 'P-1', customer: { name: '上海远景贸易有限公司' }, occurredAt: '2025-12-31T17:30:00.000Z' }, ctx('manager'));
  await runCommand('advanceStage', deps, { dealId: 'D-1', stage: 'signed', occurredAt: '2025-12-31T18:00:00.000Z' }, ctx('manager'));
  // Cash at 10:00 on 1 January in Shanghai (02:00 UTC): inside "1 January" only when the day is Shanghai's.
  await runCommand('receivePayment', deps, { paymentId: 'PAY-1', dealId: 'D-1', line: 'port', amount: 149_698_908, occurredAt: '2026-01-01T02:00:00.000Z' }, ctx('finance'));
  now = '2026-02-01T03:00:00.000Z';
  await runCommand('issueRefund', deps, { refundId: 'REF-1', paymentId: 'PAY-1', amount: 1_000_000, reason: 'left early', occurredAt: '2026-02-01T02:00:00.000Z' }, ctx('finance'));
  now = '2026-04-02T03:00:00.000Z';
  await runCommand('payOut', deps, { quarter: '2026-Q1', occurredAt: '2026-04-02T02:00:00.000Z' }, ctx('finance'));
  await store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('--as-of and --valid-at read a bare date as the end of that day in the policy zone', () => {
  it('takes --valid-at 2026-01-01 as 2026-01-01T23:59:59.999+08:00, cash of 10:00 that day included', async () => {
    const bare = await run(reportCommand, ['balances', '--valid-at', '2026-01-01', '--json']);
    const explicit = await run(reportCommand, ['balances', '--valid-at', '2026-01-01T23:59:59.999+08:00', '--json']);
    expect(bare.code, bare.err).toBe(0);
    const answer = JSON.parse(bare.out);
    expect(answer.cut.validAt).toBe('2026-01-01T15:59:59.999Z');
    expect(answer.data).toEqual(JSON.parse(explicit.out).data);
    expect(answer.data[0].accrued).toBeGreaterThan(0);
    const dayBefore = JSON.parse((await run(reportCommand, ['balances', '--valid-at', '2025-12-31', '--json'])).out);
    expect(dayBefore.data).toEqual([]); // signed at 01:00 on 1 January in Shanghai
  });

  it('prints instants as local time with the offset, in the report and in the dispute', async () => {
    const tiers = await run(reportCommand, ['tiers', '--as-of', '2026-04-30']);
    expect(tiers.code, tiers.err).toBe(0);
    expect(tiers.out).toContain('as known 2026-04-30 23:59:59.999 +08:00');
    expect(tiers.out).toContain('times in Asia/Shanghai');
    expect(tiers.out).toMatch(/P-1\s+gold\s+2026-01-01 01:00:00 \+08:00/);
    const dispute = await run(disputeCommand, ['上海远景贸易有限公司', '--as-of', '2026-01-01']);
    expect(dispute.code, dispute.err).toBe(0);
    expect(dispute.out).toContain('as the ledger knew it at 2026-01-01 23:59:59.999 +08:00');
    expect(dispute.out).toMatch(/#\d+ {2}occurred 2026-01-01 01:30:00 \+08:00 {2}recorded 2026-01-01 11:00:00\.000 \+08:00/);
  });
});

describe('CSV, .xlsx and the statement PDF come from the one export module', () => {
  it('writes report CSV with a byte-order mark, CRLF and money as numeric yuan', async () => {
    const csv = await run(reportCommand, ['balances', '--csv']);
    expect(csv.out.startsWith('\uFEFF')).toBe(true);
    const lines = csv.out.slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    const header = lines[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['partnerId', 'accrued (CNY)', 'paidOut (CNY)', 'deposit (CNY)']));
    const row = Object.fromEntries(lines[1]!.split(',').map((v, i) => [header[i], v]));
    expect(row['accrued (CNY)']).toMatch(/^\d+\.\d\d$/);
    expect(csv.out).not.toContain('¥');
  });

  it('guards text cells against formulas, never numbers', () => {
    expect(webExport.cellText('text', '=HYPERLINK("http://x")', 'Asia/Shanghai')).toBe(`'=HYPERLINK("http://x")`);
    for (const lead of ['+', '-', '@', '\t', '\r']) expect(webExport.cellText('text', `${lead}1`, 'Asia/Shanghai')).toBe(`'${lead}1`);
    expect(webExport.cellText('money', -149_698_908, 'Asia/Shanghai')).toBe('-1496989.08');
    expect(webExport.cellText('count', -5, 'Asia/Shanghai')).toBe('-5');
    expect(webExport.cellText('instant', '2026-06-30T16:00:00.000Z', 'Asia/Shanghai')).toBe('2026-07-01 00:00:00 +08:00');
    const csv = webExport.tableCsv({ name: 't', timeZone: 'Asia/Shanghai', columns: [{ title: 'name', kind: 'text' }, { title: 'amount (CNY)', kind: 'money' }], rows: [['=1+1', -100], ['a,"b"', 149_698_908]] });
    expect(csv).toBe('\uFEFFname,amount (CNY)\r\n\'=1+1,-1.00\r\n"a,""b""",1496989.08\r\n');
  });

  it("prints a partner's statement with each line's payment or refund and cash date, as CSV and .xlsx", async () => {
    const table = await run(statementCommand, ['P-1', '2026-Q1']);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toContain('Statement 华东通信有限公司 (P-1) 2026-Q1: 2026-01-01 00:00:00 +08:00 to 2026-03-31 23:59:59.999 +08:00');
    expect(table.out).toMatch(/chain head: position \d+ [0-9a-f]{64}/);
    const csv = await run(statementCommand, ['P-1', '2026-Q1', '--csv']);
    const [header, ...rows] = csv.out.slice(1).trimEnd().split('\r\n');
    expect(header).toBe('position,kind,cashAt,cashQuarter,customerKey,paymentId,refundId,sourcePosition,revenueLine,cash (CNY),rateBps,commission (CNY),settledBy,priorPeriodAdjustment,recordedAt');
    expect(rows.find((r) => r.includes(',accrual,'))).toMatch(/^\d+,accrual,2026-01-01 10:00:00 \+08:00,2026-Q1,[^,]+,PAY-1,,\d+,port,1496989\.08,\d+,\d+\.\d\d,2026-Q1,false,/);
    expect(rows.find((r) => r.includes(',clawback,'))).toMatch(/,PAY-1,REF-1,\d+,port,-10000\.00,\d+,-\d+\.\d\d,/);

    const file = path.join(dir, 'statement.xlsx');
    const written = await run(statementCommand, ['P-1', '2026-Q1', '--xlsx', file]);
    expect(written.code, written.err).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(10).value).toBe('cash (CNY)');
    expect(sheet.getRow(2).getCell(10).value).toBe(1496989.08);
    expect(sheet.getRow(2).getCell(10).numFmt).toBe('#,##0.00');
    expect(sheet.getRow(2).getCell(6).value).toBe('PAY-1');

    const report = path.join(dir, 'balances.xlsx');
    expect((await run(reportCommand, ['balances', '--xlsx', report])).code).toBe(0);
    const balances = new ExcelJS.Workbook();
    await balances.xlsx.readFile(report);
    expect(typeof balances.worksheets[0]!.getRow(2).getCell(2).value).toBe('number');
  });

  it.skipIf(!hasCjkFont)('writes the statement as a PDF in Chinese with the CJK font embedded and the chain head hash on it', async () => {
    const file = path.join(dir, 'statement.pdf');
    const written = await run(statementCommand, ['P-1', '2026-Q1', '--pdf', file]);
    expect(written.code, written.err).toBe(0);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const raw = bytes.toString('latin1');
    expect(raw).toMatch(/\/FontFile2|\/FontFile3/);
    const head = JSON.parse((await run(statementCommand, ['P-1', '2026-Q1', '--json'])).out).head as { position: number; hash: string };
    expect(raw).toContain(`chain-head ${head.hash}@${head.position}`);
    if (hasPdfToText) {
      const text = pdfText(file);
      expect(text).toContain('合作伙伴季度佣金结算单');
      expect(text).toContain('华东通信有限公司');
      expect(text).toContain('PAY-1');
      expect(text).toContain('REF-1');
      expect(text).toContain('2026-01-01 10:00:00 +08:00');
      expect(text).toContain(head.hash);
    }
  });
});
