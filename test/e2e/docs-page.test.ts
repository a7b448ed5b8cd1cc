// The interactive API documentation (/docs: Swagger UI from swagger-ui-dist, served by the ledger
// itself) in Debian's Chromium against the real server: it loads nothing from elsewhere, lists the
// operations of /openapi.json, and "try it out" with a bearer token answers from the ledger.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './support/browser.js';
import { ApiClient } from './support/http.js';
import { seedProgramme, tokens, tokensFile } from './support/seed.js';
import { startTestServer, type TestServer } from './support/server.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`docs page browser tests SKIPPED: ${skipReason}`);
const artifactsDir = path.resolve('test-artifacts');

describe.skipIf(skipReason !== null)(`/docs in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requested: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(tokensFile());
    await seedProgramme(new ApiClient(server.url));
    browser = await launchChromium();
    mkdirSync(artifactsDir, { recursive: true });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${server.url}/docs`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the operations of /openapi.json by tag, and loads nothing from another origin', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(document.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 20_000 }).toBe(operations);
    for (const path of ['/partners/{id}/deposits', '/reports/pipeline', '/events', '/health']) {
      await expect.poll(() => page.locator(`.opblock-summary-path[data-path="${path}"]`).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    }
    for (const tag of ['partners', 'deals', 'money', 'audit']) await expect.poll(() => page.locator(`.opblock-tag[data-tag="${tag}"]`).count()).toBe(1);
    await page.screenshot({ path: path.join(artifactsDir, 'docs-page.png') });
    const origin = new URL(server.url).origin;
    expect(requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('tries an operation out with a bearer token and shows the ledger\'s answer', async () => {
    await page.locator('button.authorize').first().click();
    const dialog = page.locator('.dialog-ux');
    await dialog.locator('input[type="text"], input[type="password"]').first().fill(tokens.finance);
    await dialog.locator('button.authorize[type="submit"], button.modal-btn.authorize').first().click();
    await dialog.locator('button.close-modal, button.btn-done').first().click();
    const tiers = page.locator('#operations-partners-getTiers');
    await tiers.locator('.opblock-summary').click();
    const tryOut = tiers.locator('button.try-out__btn');
    if ((await tryOut.count()) > 0 && /try it out/i.test((await tryOut.textContent()) ?? '')) await tryOut.click();
    await tiers.locator('button.execute').click();
    const status = tiers.locator('.live-responses-table tbody .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/200/);
    await expect.poll(async () => (await tiers.locator('.live-responses-table tbody .response-col_description').first().textContent()) ?? '', { timeout: 10_000 }).toContain('P-001');
    await page.screenshot({ path: path.join(artifactsDir, 'docs-page-try-it.png'), fullPage: false });
    expect(problems).toEqual([]);
  });
});
