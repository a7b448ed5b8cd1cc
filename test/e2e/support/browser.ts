// Debian's Chromium driven by playwright-core: never a downloaded browser. When the binary is
// absent the browser tests skip and say why.
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterEach, beforeEach, expect } from 'vitest';

export const chromiumPath = process.env.LEDGER_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  return existsSync(chromiumPath)
    ? null
    : `${chromiumPath} is missing: install Debian's chromium (apt-get install -y chromium, as .ci/run does) to run the report page's browser tests`;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A fresh browser context and page for each test of the calling describe (its own sessionStorage,
 * localStorage and tabs), 1360×900 in Shanghai time in `locale`, handed to `opened`; a script
 * error on the page, or on any page a test adds to `errors`, fails the test once its context is closed.
 */
export function pagePerTest(options: { browser: () => Browser; locale: string; errors: string[]; opened: (page: Page, context: BrowserContext) => void }): void {
  let context: BrowserContext | undefined;
  beforeEach(async () => {
    options.errors.length = 0;
    context = await options.browser().newContext({ viewport: { width: 1360, height: 900 }, locale: options.locale, timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => options.errors.push(error.message));
    options.opened(page, context);
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    expect(options.errors.splice(0), 'script errors on the page').toEqual([]);
  });
}
