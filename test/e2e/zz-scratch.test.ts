import { randomUUID } from 'node:crypto';
import { it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { startTestServer } from './support/server.js';
import { tokens, tokensFile } from './support/seed.js';
import { ApiClient } from './support/http.js';
it('scratch', async () => {
  const server = await startTestServer(tokensFile());
  const store = server.running.ledger.store;
  const m = { role: 'manager' as const, id: 'm' };
  for (const [id, tier, i] of [['P-001','gold',1],['P-002','silver',2],['P-003','standard',3]] as const) {
    await store.append(`partner-${id}`, [{ type: 'PartnerSigned', data: { partnerId: id, name: `伙伴 ${id}`, kind: 'relationship', tier, parentPartnerId: null, territory: null }, eventId: randomUUID(), occurredAt: `2025-01-0${i}T00:00:00.000Z`, actor: m }], 'no-stream');
    await store.append(`partner-${id}`, [{ type: 'DepositPosted', data: { partnerId: id, amountFen: 1234567 * i }, eventId: randomUUID(), occurredAt: `2025-02-0${i}T00:00:00.000Z`, actor: m }], 0n);
    await new Promise((r) => setTimeout(r, 15));
  }
  await server.running.ledger.readSide.runner.catchUp?.(Number(await store.headPosition()));
  const api = new ApiClient(server.url);
  for (const p of ['/reports/session','/reports/timeline','/reports/tiers','/reports/balances','/reports/commission-by-quarter','/reports/conflicts','/reports/pipeline','/tiers']) {
    try { console.log(p, JSON.stringify(await api.get(p, tokens.manager)).slice(0, 400)); } catch (e) { console.log(p, String(e).slice(0, 300)); }
  }
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  await page.goto(server.url + '/');
  await page.fill('#token', tokens.manager);
  await page.press('#token', 'Enter');
  await page.waitForSelector('main[data-state=ready]');
  await page.screenshot({ path: '/tmp/scratch.png', fullPage: true });
  await browser.close();
  await server.stop();
});
