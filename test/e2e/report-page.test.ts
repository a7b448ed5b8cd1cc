// The managers' time-travel report page: its pure helpers, then the page itself in Debian's
// Chromium against the real server over a temporary data directory.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './support/browser.js';
import { ApiClient } from './support/http.js';
import { contestedTaxId, partnerOfToken, seedProgramme, tokens, tokensFile } from './support/seed.js';
import { startTestServer, type TestServer } from './support/server.js';
import {
  type CompareModule,
  type CsvModule,
  type FormatModule,
  type I18nModule,
  type PipelineModule,
  webModule,
} from './support/web-modules.js';

const { endOfBusinessDay, fenToYuanDecimal, formatFen, quarterOf } = await webModule<FormatModule>('format.js');
const { csvField, toCsv } = await webModule<CsvModule>('csv.js');
const { diffSnapshots } = await webModule<CompareModule>('compare.js');
const { normalisePipeline, pipelineCounts } = await webModule<PipelineModule>('pipeline.js');
const { messages } = await webModule<I18nModule>('i18n.js');

describe('the page formats money from integer fen without floats', () => {
  it('writes CNY with thousands separators and exactly two fen digits', () => {
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(7)).toBe('¥0.07');
    expect(formatFen(123_456_789)).toBe('¥1,234,567.89');
    expect(formatFen(-100_000)).toBe('-¥1,000.00');
    expect(formatFen(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91');
    expect(() => formatFen(1.5)).toThrow(/integer number of fen/);
  });

  it('writes exact decimal yuan for CSV files', () => {
    expect(fenToYuanDecimal(5)).toBe('0.05');
    expect(fenToYuanDecimal(-123_456)).toBe('-1234.56');
    expect(fenToYuanDecimal(10_000_000_000_001)).toBe('100000000000.01');
  });
});

describe('the page reads business dates in the policy time zone', () => {
  it('ends a Shanghai business day at 15:59:59.999 UTC', () => {
    expect(endOfBusinessDay('2025-03-31', 'Asia/Shanghai')).toBe('2025-03-31T15:59:59.999Z');
    expect(quarterOf('2025-03-31T16:00:00.000Z', 'Asia/Shanghai')).toBe('2025-Q2');
  });

  it('follows a zone with daylight saving time', () => {
    expect(endOfBusinessDay('2026-03-08', 'America/New_York')).toBe('2026-03-09T03:59:59.999Z');
  });
});

describe('the page writes CSV that spreadsheets read back exactly', () => {
  it('quotes separators and neutralises formulas', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('-1234.56')).toBe('-1234.56');
    expect(toCsv(['a', 'b'], [[1, null]])).toBe('a,b\r\n1,\r\n');
    expect(() => toCsv(['a'], [[1, 2]])).toThrow(/2 fields/);
  });
});

describe('"compare two dates" lists every figure that moved', () => {
  it('names tier, money and deal-count changes per partner', () => {
    const zero = { accrued: 0, clawedBack: 0, paidOut: 0, payable: 0, deposit: 0, debt: 0 };
    const changes = diffSnapshots(
      { tiers: [{ partnerId: 'P-1', tier: 'silver' }], balances: [{ partnerId: 'P-1', ...zero }], pipeline: [] },
      {
        tiers: [
          { partnerId: 'P-1', tier: 'gold' },
          { partnerId: 'P-2', name: 'New', tier: 'standard' },
        ],
        balances: [{ partnerId: 'P-1', ...zero, accrued: 400_000, payable: 400_000 }],
        pipeline: [{ partnerId: 'P-1', deals: 2, keyDeals: 1, signed: 0 }],
      },
    );
    expect(changes.map((c) => [c.partnerId, c.field, c.before, c.after, c.delta])).toEqual([
      ['P-1', 'tier', 'silver', 'gold', null],
      ['P-2', 'tier', null, 'standard', null],
      ['P-1', 'accrued', 0, 400_000, 400_000],
      ['P-1', 'payable', 0, 400_000, 400_000],
      ['P-1', 'deals', 0, 2, 2],
      ['P-1', 'keyDeals', 0, 1, 1],
    ]);
  });
});

describe('the pipeline panel reads the weekly report', () => {
  it('counts deals per stage, leaves lost deals out of the expected figures, lists key and idle deals once', () => {
    const line = (dealId: string, stage: string, key: boolean, stale: boolean) => ({
      dealId,
      customerKey: `c-${dealId}`,
      customerName: `C ${dealId}`,
      stage,
      lastProgressAt: '2025-01-01T00:00:00.000Z',
      idleDays: 40,
      key,
      stale,
    });
    const pipeline = normalisePipeline({
      partners: [
        {
          partnerId: 'direct',
          byStage: [
            { stage: 'trial', deals: 1, expectedPorts: 10, expectedRevenueFen: 500 },
            { stage: 'lost', deals: 2, expectedPorts: 7, expectedRevenueFen: 900 },
          ],
          keyDeals: [line('D-2', 'trial', true, true)],
          staleClaims: [line('D-2', 'trial', true, true), line('D-1', 'interest', false, true)],
        },
      ],
    });
    expect(pipeline.partners).toEqual([
      { partnerId: null, counts: { registered: 0, interest: 0, meeting: 0, solution: 0, trial: 1, signed: 0, lost: 2 }, expectedPorts: 10, expectedRevenueFen: 500 },
    ]);
    expect(pipeline.deals.map((d) => d.dealId)).toEqual(['D-2', 'D-1']);
    expect(pipelineCounts(pipeline)).toEqual([{ partnerId: null, deals: 3, keyDeals: 1, signed: 0 }]);
  });
});

describe('the page speaks Chinese and English', () => {
  it('has every label in both languages', () => {
    const keysOf = (value: unknown, prefix = ''): string[] =>
      typeof value === 'object' && value !== null
        ? Object.entries(value).flatMap(([k, v]) => keysOf(v, `${prefix}${k}.`))
        : [prefix];
    expect(keysOf(messages.en).sort()).toEqual(keysOf(messages.zh).sort());
  });
});

// ---- the page in a real browser --------------------------------------------------------------

const skipReason = browserSkipReason();
if (skipReason) console.warn(`report page browser tests SKIPPED: ${skipReason}`);
const artifactsDir = path.resolve('test-artifacts');
const money = ['accrued', 'clawedBack', 'paidOut', 'payable', 'pendingClawback', 'deposit', 'debt'] as const;

interface Balance {
  partnerId: string;
  accrued: number;
  clawedBack: number;
  paidOut: number;
  payable: number;
  pendingClawback: number;
  deposit: number;
  debt: number;
}

describe.skipIf(skipReason !== null)(`the report page in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  /** The page renders after events and fetches, so what a test reads after an action is polled until it holds, never read once. */
  const waitLong = { timeout: 20_000, interval: 50 } as const;

  beforeAll(async () => {
    server = await startTestServer(tokensFile());
    api = new ApiClient(server.url);
    await seedProgramme(api);
    browser = await launchChromium();
    mkdirSync(artifactsDir, { recursive: true });
  });

  // Every test gets its own browser context (its own sessionStorage, localStorage and page): a test that fails with the
  // audit dialog open, the language switched, the slider in the past or a load still pending leaves nothing to the next.
  beforeEach(async () => {
    pageErrors.length = 0;
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async () => {
    const errors = [...pageErrors];
    pageErrors.length = 0;
    await context?.close();
    context = undefined;
    expect(errors, 'script errors on the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Waits until the page has loaded every panel for the given clocks. */
  async function settled(target: Page, clocks: { asOf?: string; validAt?: string } = {}): Promise<void> {
    await target.waitForFunction(
      ([asOf, validAt]) => {
        const main = document.getElementById('main');
        return (
          main?.getAttribute('data-state') === 'ready' &&
          (main.getAttribute('data-as-of') ?? '') === asOf &&
          (main.getAttribute('data-valid-at') ?? '') === validAt
        );
      },
      [clocks.asOf ?? '', clocks.validAt ?? ''] as const,
    );
    expect(pageErrors, 'script errors on the page').toEqual([]);
  }

  async function screenshot(target: Page, name: string): Promise<void> {
    await target.evaluate(() => window.scrollTo(0, 0));
    await target.screenshot({ path: path.join(artifactsDir, name), fullPage: true });
  }

  async function signIn(target: Page, token: string): Promise<void> {
    await target.goto(`${server.url}/`);
    await target.getByLabel(/访问令牌|Access token/).fill(token);
    await target.locator('#sign-in-form button[type=submit]').press('Enter');
    await settled(target);
  }

  /** Every balance row of the page: partner id → the figures in its data-fen cells, and the shown text. */
  async function pageBalances(target: Page): Promise<Map<string, { fen: Record<string, number>; text: Record<string, string> }>> {
    const rows = await target.locator('#table-balances tbody tr[data-key]').evaluateAll((trs) =>
      trs.map((tr) => ({
        key: tr.getAttribute('data-key') ?? '',
        cells: [...tr.querySelectorAll('[data-fen]')].map((c) => [c.getAttribute('data-col') ?? '', Number(c.getAttribute('data-fen')), c.textContent ?? ''] as const),
      })),
    );
    return new Map(
      rows.map((r) => [
        r.key,
        { fen: Object.fromEntries(r.cells.map(([col, fen]) => [col, fen])), text: Object.fromEntries(r.cells.map(([col, , text]) => [col, text])) },
      ]),
    );
  }

  /** The API's balances for every partner it knows at these clocks. */
  async function apiBalances(clocks: { asOf?: string; validAt?: string } = {}): Promise<Map<string, Balance>> {
    const tiers = await api.get<Array<{ partnerId: string }>>('/tiers', tokens.manager, clocks);
    const balances = new Map<string, Balance>();
    for (const t of tiers) balances.set(t.partnerId, await api.get<Balance>(`/partners/${t.partnerId}/balance`, tokens.manager, clocks));
    return balances;
  }

  async function expectBalancesAsApi(clocks: { asOf?: string; validAt?: string } = {}): Promise<Map<string, Balance>> {
    const expected = await apiBalances(clocks);
    const shown = await pageBalances(page);
    expect([...shown.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [partnerId, balance] of expected) {
      const row = shown.get(partnerId);
      for (const key of money) {
        expect(row?.fen[key], `${partnerId} ${key}`).toBe(balance[key]);
        expect(row?.text[key], `${partnerId} ${key} as shown`).toBe(formatFen(balance[key]));
      }
    }
    return expected;
  }

  it('signs in with a token and shows the same tiers, balances, pipeline and conflicts as the API', async () => {
    await signIn(page, tokens.manager);
    await expect.poll(() => page.locator('#who').textContent(), waitLong).toContain('渠道经理');

    const tiers = await api.get<Array<{ partnerId: string; tier: string }>>('/tiers', tokens.manager);
    expect(tiers.length).toBe(3);
    for (const tier of ['gold', 'silver', 'standard']) {
      const count = tiers.filter((t) => t.tier === tier).length;
      await expect.poll(() => page.locator(`.tier-card[data-tier="${tier}"] .tier-count`).getAttribute('data-count'), waitLong).toBe(String(count));
    }
    await expect
      .poll(() => page.locator('#table-tiers tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key'))), waitLong)
      .toEqual(tiers.map((t) => t.partnerId));

    const balances = await expectBalancesAsApi();
    expect(balances.get('P-001')?.accrued).toBeGreaterThan(0);

    const pipeline = await api.get<{ partners: Array<{ partnerId: string; byStage: Array<{ stage: string; deals: number }> }> }>('/reports/pipeline', tokens.manager);
    for (const partner of pipeline.partners) {
      const row = page.locator(`#table-pipeline tbody tr[data-key="${partner.partnerId}"]`);
      for (const { stage, deals } of partner.byStage) {
        await expect.poll(() => row.locator(`[data-col="${stage}"]`).textContent(), waitLong).toBe(String(deals));
      }
    }

    const conflicts = await api.get<{ customers: Array<{ customerKey: string }> }>('/reports/conflicts', tokens.manager);
    expect(conflicts.customers.length).toBe(1);
    const key = (conflicts.customers[0] as { customerKey: string }).customerKey;
    const ownership = await api.get<{ ownerDealId: string; ownerPartnerId: string | null; claims: unknown[] }>(
      `/customers/${encodeURIComponent(key)}/ownership`,
      tokens.manager,
    );
    const conflictRow = page.locator(`#table-conflicts tbody tr[data-key="${key}"]`);
    await expect.poll(() => conflictRow.locator('[data-col="ownerDeal"]').textContent(), waitLong).toBe(ownership.ownerDealId);
    await expect.poll(() => conflictRow.locator('[data-col="owner"]').textContent(), waitLong).toBe(ownership.ownerPartnerId);
    await expect.poll(() => conflictRow.locator('[data-col="claims"]').textContent(), waitLong).toBe(String(ownership.claims.length));
    expect(key.toUpperCase()).toContain(contestedTaxId);
  });

  it('moves along the ledger\'s own history with the slider, and the figures follow the API as of that instant', async () => {
    const events = await api.get<{ events: Array<{ position: string; type: string; recordedAt: string }> }>('/events', tokens.auditor, { from: '1', limit: '1000' });
    const firstPayment = events.events.find((e) => e.type === 'PaymentReceived');
    expect(firstPayment).toBeDefined();
    const timeline = await api.get<{ firstRecordedAt: string; lastRecordedAt: string }>('/reports/timeline', tokens.manager);
    const firstMs = Date.parse(timeline.firstRecordedAt);
    const spanMs = Date.parse(timeline.lastRecordedAt) - firstMs + 1;
    const steps = Math.max(1, Math.min(1000, spanMs));
    const targetMs = Date.parse((firstPayment as { recordedAt: string }).recordedAt);
    let notch = 0;
    while (firstMs + Math.floor((notch * spanMs) / steps) < targetMs) notch++;
    const asOf = new Date(firstMs + Math.floor((notch * spanMs) / steps)).toISOString();

    await signIn(page, tokens.manager);
    const slider = page.getByLabel(/账本时间|Ledger time/);
    await slider.focus();
    await slider.press('Home');
    await settled(page, { asOf: timeline.firstRecordedAt });
    await expectBalancesAsApi({ asOf: timeline.firstRecordedAt });

    await slider.fill(String(notch));
    await settled(page, { asOf });
    const then = await expectBalancesAsApi({ asOf });
    const now = await apiBalances();
    expect(then.get('P-001')?.accrued, 'the slider reached a past the API answers differently about').not.toBe(now.get('P-001')?.accrued);
    await expect.poll(() => page.locator('#timeline-value').textContent(), waitLong).toContain('截至记录时间');

    await slider.press('End');
    await settled(page);
    await expectBalancesAsApi();
  });

  it('reads the business as it stood at the close of a chosen business date', async () => {
    await signIn(page, tokens.manager);
    await page.getByLabel(/业务日期|Business date/).fill('2025-03-31');
    const validAt = '2025-03-31T15:59:59.999Z';
    await settled(page, { validAt });
    const balances = await expectBalancesAsApi({ validAt });
    expect(balances.get('P-001')?.clawedBack).toBe(0);
    await page.locator('#valid-now').click();
    await settled(page);
  });

  it('switches to English, downloads a table as CSV with exact figures, and keeps a screenshot', async () => {
    await signIn(page, tokens.manager);
    await screenshot(page, 'report-page-zh.png');
    await page.locator('#lang-toggle').click();
    await expect.poll(() => page.locator('html').getAttribute('lang'), waitLong).toBe('en');
    await expect.poll(() => page.locator('#tiers-title').textContent(), waitLong).toBe('Partner tiers');
    await expect.poll(() => page.locator('#balances-title').textContent(), waitLong).toBe('Commission balances');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-csv="table-balances"]').click()]);
    const text = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const [header, ...rows] = text.trimEnd().split('\r\n').map((line) => line.split(','));
    expect(header).toEqual(['ID', 'Name', 'Accrued (CNY)', 'Clawed back (CNY)', 'Paid (CNY)', 'Payable (CNY)', 'Clawback pending payout (CNY)', 'Deposit (CNY)', 'Debt (CNY)', 'Deposit shortfall (CNY)', 'Credit used (unpaid traffic) (CNY)', 'Credit available (CNY)', 'Credit status']);
    const balances = await apiBalances();
    for (const [partnerId, balance] of balances) {
      const row = rows.find((r) => r[0] === partnerId);
      expect(row, partnerId).toBeDefined();
      expect(row?.slice(2, 2 + money.length)).toEqual(money.map((key) => fenToYuanDecimal(balance[key])));
    }
    expect(rows.at(-1)?.[0]).toBe('Total');
    expect(download.suggestedFilename()).toMatch(/^ledger-balances-asof-latest\.csv$/);

    await screenshot(page, 'report-page-en.png');
    await page.locator('#lang-toggle').click();
    await expect.poll(() => page.locator('html').getAttribute('lang'), waitLong).toBe('zh-CN');
  });

  it('opens the auditor\'s account of a contested customer from the conflicts panel', async () => {
    const conflicts = await api.get<{ customers: Array<{ customerKey: string }> }>('/reports/conflicts', tokens.manager);
    const key = (conflicts.customers[0] as { customerKey: string }).customerKey;
    const account = await api.get<{ events: unknown[] }>(`/audit/customers/${encodeURIComponent(key)}`, tokens.auditor);
    await signIn(page, tokens.manager);
    // The link changes the hash; the page opens the dialog on the hashchange event, a task after the click, and then
    // fetches the account: wait for each.
    await page.locator(`#table-conflicts tr[data-key="${key}"] a.audit-link`).click();
    const dialog = page.locator('#audit-dialog');
    await expect.poll(() => dialog.isVisible(), waitLong).toBe(true);
    await expect.poll(() => page.locator('#table-audit tbody tr[data-key]').count(), waitLong).toBe(account.events.length);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible(), waitLong).toBe(false);
    await expect.poll(() => page.evaluate(() => location.hash), waitLong).toBe('');
  });

  it('compares two business dates', async () => {
    await signIn(page, tokens.manager);
    await page.locator('#compare-from').fill('2025-02-28');
    await page.locator('#compare-to').fill('2025-06-30');
    await page.locator('#compare-form button[type=submit]').click();
    await page.locator('#table-compare h3', { hasText: '2025-02-28 → 2025-06-30' }).waitFor();
    const row = page.locator('#table-compare tbody tr[data-key="P-001:accrued"]');
    const before = await apiBalances({ validAt: '2025-02-28T15:59:59.999Z' });
    const after = await apiBalances({ validAt: '2025-06-30T15:59:59.999Z' });
    const delta = (after.get('P-001')?.accrued ?? 0) - (before.get('P-001')?.accrued ?? 0);
    expect(delta).toBeGreaterThan(0);
    await expect.poll(() => row.locator('[data-col="change"]').textContent(), waitLong).toBe(`+${formatFen(delta)}`);
  });

  it("shows a partner's token only that partner", async () => {
    const partnerContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    try {
      const partnerPage = await partnerContext.newPage();
      partnerPage.on('pageerror', (error) => pageErrors.push(error.message));
      await signIn(partnerPage, tokens.partner);
      const keys = (table: string) => partnerPage.locator(`#${table} tbody tr[data-key]`).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
      await expect.poll(() => keys('table-tiers'), waitLong).toEqual([partnerOfToken]);
      await expect.poll(() => keys('table-balances'), waitLong).toEqual([partnerOfToken]);
      await expect.poll(() => keys('table-pipeline'), waitLong).toEqual([partnerOfToken]);
      const own = await api.get<Balance>(`/partners/${partnerOfToken}/balance`, tokens.partner);
      const shown = (await pageBalances(partnerPage)).get(partnerOfToken);
      expect(shown?.fen.payable).toBe(own.payable);
      const report = await api.get<{ partners: Array<{ partnerId: string }> }>('/reports/balances', tokens.partner);
      expect(report.partners.map((p) => p.partnerId)).toEqual([partnerOfToken]);
      await screenshot(partnerPage, 'report-page-partner.png');
    } finally {
      await partnerContext.close();
    }
  });
});
