// Forecast revisions (POST /deals/:id/forecast) and the weekly report (GET /reports/weekly) over
// HTTP: who may revise and read, the refusals (nothing written), and the report as of the week's
// review (default Thursday 10:00 Asia/Shanghai): the figures known then, support needed, new this
// week against progress on earlier deals, the month's port forecast and sales.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type Answer, type ApiServer, get, post, refusedWithoutWriting, startApiServer } from './support/server.js';

let server: ApiServer;
let beforeRevision = '';
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  for (const [partnerId, tier] of [['P-001', 'silver'], ['P-002', 'gold']] as const) {
    await command(server, '/partners', 'manager', { partnerId, name: `Weekly Partner ${partnerId}`, kind: 'development', tier, occurredAt: '2025-01-06T02:00:00Z' });
  }
  const deal = (dealId: string, partnerId: string, name: string, at: string, expectedPorts: number, expectedRevenue = 1_000_000) =>
    command(server, '/deals', 'manager', { dealId, partnerId, customer: { name }, expectedPorts, expectedRevenue, occurredAt: at });
  await deal('D-W1', 'P-001', 'Weekly One Trading', '2025-03-10T02:00:00Z', 20, 2_000_000);
  await command(server, '/deals/D-W1/stage', 'manager', { stage: 'meeting', occurredAt: '2025-03-20T02:00:00Z' });
  await command(server, '/deals/D-W1/stage', 'manager', { stage: 'solution', occurredAt: '2025-04-01T02:00:00Z' });
  await deal('D-W2', 'P-001', 'Weekly Two Trading', '2025-03-30T02:00:00Z', 5);
  await deal('D-W3', 'P-001', 'Weekly Three Trading', '2025-03-11T02:00:00Z', 30);
  await command(server, '/deals/D-W3/stage', 'manager', { stage: 'trial', occurredAt: '2025-03-15T02:00:00Z' });
  await command(server, '/deals/D-W3/contract', 'manager', { ports: 36, contractValue: 4_320_000, occurredAt: '2025-03-20T02:00:00Z' });
  await command(server, '/deals/D-W3/contract/confirm', 'manager', { signedAt: '2025-04-01T03:00:00Z' });
  await command(server, '/payments', 'finance', { paymentId: 'PAY-W3', dealId: 'D-W3', line: 'port', amount: 100_000, occurredAt: '2025-04-02T02:00:00Z' });
  await deal('D-W9', 'P-002', 'Weekly Nine Trading', '2025-03-12T02:00:00Z', 11);
  await sleep(5);
  beforeRevision = new Date().toISOString();
  await sleep(5);
});
afterAll(async () => {
  await server?.stop();
});

const refused = (answer: Promise<Answer>, status: number, rule?: string) => refusedWithoutWriting(server, answer, status, rule);

describe('POST /deals/:id/forecast', () => {
  it('a manager revises ports (back-dated like any fact); each revision is a ForecastRevised', async () => {
    const first = await command(server, '/deals/D-W1/forecast', 'manager', { expectedPorts: 40, occurredAt: '2025-03-25T02:00:00Z' });
    expect(first).toMatchObject({ dealId: 'D-W1', customerKey: expect.any(String), expectedPorts: 40, expectedRevenueFen: null, revisedAt: '2025-03-25T02:00:00.000Z', position: expect.any(Number) });
    await command(server, '/deals/D-W1/forecast', 'manager', { expectedPorts: 60, expectedRevenue: 6_000_000, occurredAt: '2025-04-10T02:00:00Z' });
    const audit = (await get(server, `/audit/customers/${first.customerKey}`, 'auditor')).body;
    expect(JSON.stringify(audit)).toContain('ForecastRevised');
  });

  it('the owning partner revises its own deal (never back-dated); another partner\'s deal is unknown to it', async () => {
    expect(await command(server, '/deals/D-W2/forecast', 'partner1', { expectedRevenue: 700_000 })).toMatchObject({ dealId: 'D-W2', expectedPorts: null, expectedRevenueFen: 700_000 });
    await refused(post(server, '/deals/D-W1/forecast', 'partner2', { expectedPorts: 1 }), 404);
    await refused(post(server, '/deals/D-W2/forecast', 'partner1', { expectedPorts: 1, occurredAt: '2025-04-01T00:00:00Z' }), 403);
    for (const token of ['finance', 'auditor'] as const) expect((await post(server, '/deals/D-W2/forecast', token, { expectedPorts: 1 })).status).toBe(403);
  });

  it('refusals write nothing: no figure, a revenue above limits.maxAmountFen, a signed deal, an unknown deal, a negative figure', async () => {
    await refused(post(server, '/deals/D-W2/forecast', 'manager', {}), 400, 'forecast-empty');
    await refused(post(server, '/deals/D-W2/forecast', 'manager', { expectedRevenue: 100_000_000_001 }), 422, 'amount-over-limit');
    await refused(post(server, '/deals/D-W3/forecast', 'manager', { expectedPorts: 50 }), 422, 'deal-closed');
    await refused(post(server, '/deals/D-NONE/forecast', 'manager', { expectedPorts: 50 }), 404);
    const negative = await refused(post(server, '/deals/D-W2/forecast', 'manager', { expectedPorts: -1 }), 400);
    expect(negative.errors).toEqual([expect.objectContaining({ path: 'body.expectedPorts' })]);
  });
});

describe('GET /reports/weekly', () => {
  it("as of week 14's review (Thursday 2025-04-03 10:00 Shanghai): each deal with the figures known then, support, new against progress, the month's forecast and sales", async () => {
    const a = await get(server, '/reports/weekly', 'manager', { week: '2025-W14' });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    const report = a.body;
    expect(report).toMatchObject({ week: '2025-W14', review: '2025-04-03T02:00:00.000Z', previousReview: '2025-03-27T02:00:00.000Z', month: '2025-04' });
    expect(report.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual(['P-001', 'P-002']);
    const p1 = report.partners[0];
    expect(p1.deals.map((d: { dealId: string }) => d.dealId)).toEqual(['D-W1', 'D-W2', 'D-W3']);
    // The revision of 25 March is known at the review; the one of 10 April and the partner's of today are not.
    expect(p1.deals[0]).toMatchObject({ dealId: 'D-W1', stage: 'solution', expectedPorts: 40, expectedRevenueFen: 2_000_000, forecastRevisedAt: '2025-03-25T02:00:00.000Z' });
    expect(p1.deals[1]).toMatchObject({ dealId: 'D-W2', stage: 'registered', expectedRevenueFen: 1_000_000, forecastRevisedAt: null });
    expect(p1.supportNeeded.map((d: { dealId: string }) => d.dealId)).toEqual(['D-W1']);
    expect(p1.newThisWeek.map((d: { dealId: string }) => d.dealId)).toEqual(['D-W2']);
    expect(p1.progressOnEarlier).toEqual([
      { dealId: 'D-W1', customerName: 'Weekly One Trading', from: 'meeting', to: 'solution' },
      { dealId: 'D-W3', customerName: 'Weekly Three Trading', from: 'trial', to: 'signed' },
    ]);
    expect(p1.monthPortForecast).toBe(40 + 5);
    expect(p1.monthSales).toEqual({ ports: 36, deals: [{ dealId: 'D-W3', customerName: 'Weekly Three Trading', signedAt: '2025-04-01T03:00:00.000Z', ports: 36, portsFrom: 'contract' }] });
  });

  it('a later week shows the later revision; asOf shows what the ledger knew before the revisions were recorded', async () => {
    const w15 = (await get(server, '/reports/weekly', 'manager', { week: '2025-W15', partnerId: 'P-001' })).body;
    expect(w15.partners[0].deals[0]).toMatchObject({ dealId: 'D-W1', expectedPorts: 60, expectedRevenueFen: 6_000_000 });
    expect(w15.partners[0].newThisWeek).toEqual([]);
    const before = (await get(server, '/reports/weekly', 'auditor', { week: '2025-W14', asOf: beforeRevision })).body;
    expect(before.partners[0].deals[0]).toMatchObject({ dealId: 'D-W1', expectedPorts: 20, forecastRevisedAt: null });
  });

  it('a partner sees only its own; finance may not; a bad week is a 400 naming the form', async () => {
    const own = (await get(server, '/reports/weekly', 'partner1', { week: '2025-W14' })).body;
    expect(own.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual(['P-001']);
    expect((await get(server, '/reports/weekly', 'partner1', { week: '2025-W14', partnerId: 'P-002' })).status).toBe(403);
    expect((await get(server, '/reports/weekly', 'finance', { week: '2025-W14' })).status).toBe(403);
    const bad = await get(server, '/reports/weekly', 'manager', { week: '2025-W60' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/like 2025-W14/);
    expect((await get(server, '/reports/weekly', 'manager', { week: '2025-14' })).status).toBe(400);
    expect((await get(server, '/reports/weekly', 'manager')).status).toBe(400);
  });
});
