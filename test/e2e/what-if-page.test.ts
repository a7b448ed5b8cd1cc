// The report page's "what would this policy change do" view (src/web/what-if.js): a manager
// uploads a policy document and its effective date, the page runs the adoption as a dry run
// (POST /policies?dryRun=true) and shows each partner's accounts before, after and the change,
// exactly as the API answers them, with a CSV download; nothing is written. In Debian's Chromium
// against the real server over a temporary data directory.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium, pagePerTest } from './support/browser.js';
import { ApiClient } from './support/http.js';
import { tokens, tokensFile } from './support/seed.js';
import { startTestServer, type TestServer } from './support/server.js';

const defaultPolicy = JSON.parse(readFileSync(new URL('../../src/domain/default-policy.json', import.meta.url), 'utf8')) as Record<string, any>;

/** The default policy with gold's port rate lowered and silver's raised: a new version. */
function changedPolicy(version: string): Record<string, unknown> {
  const policy = structuredClone(defaultPolicy);
  policy.version = version;
  delete policy.effectiveFrom;
  policy.commission.ratesBps.port.gold = [3000, 1000];
  policy.commission.ratesBps.port.silver = [3500, 1000];
  return policy;
}

async function seed(api: ApiClient): Promise<void> {
  const m = tokens.manager;
  const f = tokens.finance;
  await api.command('/partners', m, { partnerId: 'P-001', name: '华东通信有限公司', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00.000Z' });
  await api.command('/partners', m, { partnerId: 'P-002', name: 'Northwind Telecom', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00.000Z' });
  await api.command('/deals', m, { dealId: 'D-1', partnerId: 'P-001', customer: { name: '上海远景贸易有限公司' }, occurredAt: '2025-02-03T02:00:00.000Z' });
  await api.command('/deals', m, { dealId: 'D-2', partnerId: 'P-002', customer: { name: 'Hangzhou Beichen' }, occurredAt: '2025-02-04T02:00:00.000Z' });
  await api.command('/deals/D-1/stage', m, { stage: 'signed', occurredAt: '2025-03-10T02:00:00.000Z' });
  await api.command('/deals/D-2/stage', m, { stage: 'signed', occurredAt: '2025-03-11T02:00:00.000Z' });
  await api.command('/payments', f, { paymentId: 'PAY-1', dealId: 'D-1', line: 'port', amount: 12_000_000, occurredAt: '2025-03-20T02:00:00.000Z' });
  await api.command('/payments', f, { paymentId: 'PAY-2', dealId: 'D-2', line: 'port', amount: 1_000_000, occurredAt: '2025-03-21T02:00:00.000Z' });
}

const skip = browserSkipReason();

describe.skipIf(skip !== null)('the what-if view runs a policy adoption as a dry run', () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(tokensFile());
    api = new ApiClient(server.url);
    await seed(api);
    browser = await launchChromium();
  });

  pagePerTest({ browser: () => browser, locale: 'en-US', errors: pageErrors, opened: (p) => (page = p) });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const headPosition = async (): Promise<number> => (await api.get<{ position: number }>('/health', tokens.auditor)).position;

  /** Signs in as a manager in English and opens the what-if panel once the panels have loaded. */
  async function openWhatIf(target: Page): Promise<void> {
    await target.goto(`${server.url}/?lang=en&panel=whatif`);
    await target.getByLabel(/Access token/).fill(tokens.manager);
    await target.locator('#sign-in-form button[type=submit]').press('Enter');
    await target.waitForFunction(() => document.getElementById('main')?.getAttribute('data-state') === 'ready');
    await expect.poll(() => target.locator('#panel-whatif').isVisible()).toBe(true);
  }

  /** Waits for the view to finish its dry run. */
  async function whatIfDone(target: Page): Promise<void> {
    await target.waitForFunction(() => document.querySelector('#panel-whatif .panel-body')?.getAttribute('data-state') === 'ready');
  }

  it('shows each partner\'s accounts before, after and the change as the API answers them, writes nothing, and downloads them as CSV', async () => {
    const document = changedPolicy('2025.2');
    const expected = await fetch(`${server.url}/policies?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.manager}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: '2025.2', effectiveFrom: '2025-01-01', document, reason: 'what-if' }),
    });
    expect(expected.status).toBe(200);
    const answer = (await expected.json()) as { balances: { partners: Array<{ partnerId: string; accounts: Record<string, { beforeFen: number; afterFen: number; deltaFen: number }> }> } };
    // gold 40% → 30% of 12,000,000; silver 30% → 35% of 1,000,000
    expect(answer.balances.partners.map((p) => [p.partnerId, p.accounts.accrued])).toEqual([
      ['P-001', { beforeFen: 4_800_000, afterFen: 3_600_000, deltaFen: -1_200_000 }],
      ['P-002', { beforeFen: 300_000, afterFen: 350_000, deltaFen: 50_000 }],
    ]);

    const before = await headPosition();
    await openWhatIf(page);
    await page.setInputFiles('#whatif-file', { name: 'policy-2025.2.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(document, null, 2)) });
    await expect.poll(() => page.locator('#whatif-document').inputValue()).toContain('"2025.2"');
    await page.locator('#whatif-effective').fill('2025-01-01');
    await page.locator('#whatif-form button[type=submit]').click();
    await whatIfDone(page);

    const rows = await page.locator('#table-what-if tbody tr[data-key]').evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-key'), ...['before', 'after', 'change'].map((col) => Number(tr.querySelector(`[data-col="${col}"]`)?.getAttribute('data-fen')))]),
    );
    expect(rows).toEqual([
      ['P-001:accrued', 4_800_000, 3_600_000, -1_200_000],
      ['P-002:accrued', 300_000, 350_000, 50_000],
      ['total:accrued', 5_100_000, 3_950_000, -1_150_000],
    ]);
    await expect.poll(() => page.locator('[data-role="what-if-summary"]').textContent()).toMatch(/nothing was written.*CommissionAdjusted/);
    await expect.poll(() => page.locator('#table-what-if').textContent()).toContain('Northwind Telecom');
    expect(await headPosition()).toBe(before);

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-csv="table-what-if"]').click()]);
    expect(download.suggestedFilename()).toBe('ledger-what-if-2025.2.csv');
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/);
    expect(csv).toHaveLength(4);
    expect(csv[1]).toMatch(/^P-001,华东通信有限公司,Accrued,48000\.00,36000\.00,-12000\.00$/);
  });

  it('names what is wrong: a document that is not JSON on the page, a refused one as the ledger names it', async () => {
    await openWhatIf(page);
    await page.locator('#whatif-document').fill('{ not json');
    await page.locator('#whatif-effective').fill('2025-01-01');
    await page.locator('#whatif-form button[type=submit]').click();
    await expect.poll(() => page.locator('#panel-whatif .error').textContent()).toBe('The policy document is not valid JSON.');

    const broken = changedPolicy('2025.3');
    delete (broken as any).tiers;
    await page.locator('#whatif-document').fill(JSON.stringify(broken));
    await page.locator('#whatif-form button[type=submit]').click();
    await whatIfDone(page);
    await expect.poll(() => page.locator('#panel-whatif .error').textContent()).toMatch(/^The adoption would be refused: 400 .*document\.tiers/);
  });
});
