// Debian's Chromium driven by playwright-core: never a downloaded browser. When the binary is
// absent the browser tests skip and say why.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

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
