// Issue #21 items 3 and 4 over HTTP: a bare asOf / validAt date is the end of that day in the
// policy's zone (asOf=2026-01-01 answers as asOf=2026-01-01T23:59:59.999+08:00), and a partner's
// quarterly statement is a file: GET /statements/:partnerId/:quarter.pdf, .xlsx, .csv.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCjkFont } from '../support/cjk-font.js';
import { type ApiServer, get, post, startApiServer, tokens } from './support/server.js';


const ok = (answer: { status: number; body: unknown }, status = 201) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body as any;
};

describe('asOf and validAt dates, and statement files', () => {
  let server: ApiServer;
  const file = (path: string, token: keyof typeof tokens = 'finance') => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${tokens[token]}` } });

  beforeAll(async () => {
    server = await startApiServer({ requestLog: false });
    // Signed at 01:00 on 1 January 2026 in Shanghai (31 December in UTC); cash at 10:00 that day.
    ok(await post(server, '/partners', 'manager', { partnerId: 'P-001', name: '华东通信有限公司', kind: 'relationship', tier: 'gold', occurredAt: '2025-12-31T17:00:00Z' }));
    ok(await post(server, '/deals', 'manager', { dealId: 'D-1', partnerId: 'P-001', customer: { name: '上海远景贸易有限公司' }, occurredAt: '2025-12-31T17:30:00Z' }));
    ok(await post(server, '/deals/D-1/stage', 'manager', { stage: 'signed', occurredAt: '2025-12-31T18:00:00Z' }));
    ok(await post(server, '/payments', 'finance', { paymentId: 'PAY-1', dealId: 'D-1', line: 'port', amount: 149_698_908, occurredAt: '2026-01-01T02:00:00Z' }));
    ok(await post(server, '/refunds', 'finance', { refundId: 'REF-1', paymentId: 'PAY-1', amount: 1_000_000, reason: 'left early', occurredAt: '2026-02-01T02:00:00Z' }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers asOf=2026-01-01 exactly as asOf=2026-01-01T23:59:59.999+08:00, on every kind of read', async () => {
    const now = new Date();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
    for (const route of ['/tiers', '/partners/P-001/balance', '/reports/balances', '/reports/pipeline', '/reports/tiers', '/statements/P-001/2026-Q1']) {
      for (const day of ['2026-01-01', today]) {
        const bare = await get(server, route, 'auditor', { asOf: day });
        const explicit = await get(server, route, 'auditor', { asOf: `${day}T23:59:59.999+08:00` });
        expect(bare.status, `${route} ${JSON.stringify(bare.body)}`).toBe(explicit.status);
        // The same answer; a 404 names the date as it was asked ("as of 2026-01-01").
        if (bare.status === 200) expect(bare.body, `${route} asOf=${day}`).toEqual(explicit.body);
        else expect((bare.body as { type: string }).type).toBe((explicit.body as { type: string }).type);
      }
    }
    // The echo of the cut shows the instant the date was read as.
    const account = ok(await get(server, `/audit/customers/${encodeURIComponent('name:上海远景贸易')}`, 'auditor', { asOf: today, validAt: '2026-01-01' }), 200);
    expect(account.cut.validAt).toBe('2026-01-01T15:59:59.999Z');
  });

  it('takes validAt=2026-01-01 as the close of 1 January in Shanghai: the cash of 10:00 that morning counts', async () => {
    const bare = ok(await get(server, '/partners/P-001/balance', 'finance', { validAt: '2026-01-01' }), 200);
    expect(bare).toEqual(ok(await get(server, '/partners/P-001/balance', 'finance', { validAt: '2026-01-01T23:59:59.999+08:00' }), 200));
    expect(bare.accrued).toBeGreaterThan(0);
    expect(ok(await get(server, '/partners/P-001/balance', 'finance', { validAt: '2026-01-01T00:00:00Z' }), 200).accrued).toBe(0);
    expect((await get(server, '/partners/P-001/balance', 'finance', { validAt: '2025-12-31' })).status).toBe(404); // signed on 1 January, Shanghai time
  });

  it('serves the statement as CSV (BOM, CRLF, numeric yuan, payment and refund ids) and as .xlsx with numbers as numbers', async () => {
    const csv = await file('/statements/P-001/2026-Q1.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the UTF-8 byte-order mark
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toContain('cash (CNY)');
    expect(lines.find((l) => l.includes(',accrual,'))).toMatch(/,2026-01-01 10:00:00 \+08:00,2026-Q1,.*,PAY-1,,\d+,port,1496989\.08,/);
    expect(lines.find((l) => l.includes(',clawback,'))).toMatch(/,PAY-1,REF-1,\d+,port,-10000\.00,/);

    const xlsx = await file('/statements/P-001/2026-Q1.xlsx', 'auditor');
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(2).getCell(10).value).toBe(1496989.08);

    expect((await file('/statements/P-001/2026-Q1.xlsx', 'manager')).status).toBe(403);
    expect((await file('/statements/P-002/2026-Q1.pdf', 'partner1')).status).toBe(403);
    expect((await file('/statements/P-404/2026-Q1.pdf')).status).toBe(404);
    expect((await get(server, '/statements/P-001/2026-Q1', 'finance')).status).toBe(200); // the JSON statement is unchanged
  });

  it.skipIf(!hasCjkFont)('serves the statement as a PDF with the CJK font embedded and the chain head hash on it', async () => {
    const pdf = await file('/statements/P-001/2026-Q1.pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe('attachment; filename="statement-P-001-2026-Q1.pdf"');
    const raw = Buffer.from(await pdf.arrayBuffer()).toString('latin1');
    expect(raw.startsWith('%PDF-')).toBe(true);
    expect(raw).toMatch(/\/FontFile2|\/FontFile3/);
    const events = ok(await get(server, '/events', 'auditor', { from: '1', limit: '1000' }), 200).events as Array<{ position: string; hash: string }>;
    const last = events.at(-1)!;
    expect(raw).toContain(`chain-head ${last.hash}@${last.position}`);
    // A partner gets its own statement as a file too.
    // A partner gets its own statement as a file too, without log positions (as in every answer to a partner's token).
    const own = await file('/statements/P-001/2026-Q1.pdf', 'partner1');
    expect(own.status).toBe(200);
    const ownRaw = Buffer.from(await own.arrayBuffer()).toString('latin1');
    expect(ownRaw.startsWith('%PDF-')).toBe(true);
    expect(ownRaw).toContain(`chain-head ${last.hash})`);
    const ownCsv = Buffer.from(await (await file('/statements/P-001/2026-Q1.csv', 'partner1')).arrayBuffer()).subarray(3).toString('utf8');
    expect(ownCsv.split('\r\n')[0]).toBe('kind,cashAt,cashQuarter,customerKey,paymentId,refundId,revenueLine,cash (CNY),rateBps,commission (CNY),settledBy,priorPeriodAdjustment,recordedAt');
  });
});
