// Issue 9 through the HTTP API: commitments, purchases (bids), the lock to a distributor, the
// quarterly evaluation (idempotent), rebates as of any instant, payments and the yearly award.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type ApiServer, get, post, startApiServer } from './support/server.js';

let server: ApiServer;
const at = (date: string) => `${date}T02:00:00Z`;

beforeAll(async () => {
  server = await startApiServer();
  const sign = (partnerId: string, kind: string) => command(server, '/partners', 'manager', { partnerId, name: `Partner ${partnerId}`, kind, tier: 'standard', occurredAt: at('2025-01-02') });
  await sign('D-1', 'distributor');
  await sign('A-1', 'value-added-agent');
  await sign('A-2', 'value-added-agent');
  await sign('A-3', 'value-added-agent'); // no commitment: never evaluated, still ranked for the award
  await sign('P-001', 'relationship');
  await command(server, '/partners/A-1/distributor', 'manager', { distributorId: 'D-1', occurredAt: at('2025-01-03') });
  await command(server, '/partners/D-1/commitments', 'manager', { year: 2025, amount: 100_000_000, occurredAt: at('2025-01-03') });
  await command(server, '/partners/A-1/commitments', 'manager', { year: 2025, amount: 10_000_000, occurredAt: at('2025-01-03') });
  await command(server, '/partners/A-2/commitments', 'manager', { year: 2025, amount: 10_000_000, occurredAt: at('2025-01-03') });
  const buy = (purchaseId: string, partnerId: string, amount: number, productLine: string, bid: boolean, date: string) =>
    command(server, '/purchases', 'finance', { purchaseId, partnerId, amount, productLine, bid, occurredAt: at(date) });
  await buy('PO-1', 'D-1', 12_000_000, 'high-end', false, '2025-02-10'); // 100% of the Q1 target (12%): step 3, 1.5%
  await buy('PO-2', 'A-1', 600_000, 'routers', false, '2025-02-11');
  await buy('PO-3', 'A-1', 600_000, 'routers', true, '2025-03-11'); // a bid: climbs to step 2 (100%), earns nothing
  await buy('PO-4', 'A-2', 960_000, 'high-end', false, '2025-03-12'); // 80%: step 1, 1%
  await buy('PO-5', 'A-3', 500_000, 'high-end', false, '2025-02-12'); // before its lock: not through D-1
  await command(server, '/partners/A-3/distributor', 'manager', { distributorId: 'D-1', secondLevel: true, occurredAt: at('2025-03-01') });
}, 60_000);
afterAll(async () => server?.stop());

describe('rebate programme routes', () => {
  it('evaluates a quarter once: every programme partner with a commitment gets its RebateEarned; again writes nothing', async () => {
    const first = await command(server, '/rebate-evaluations', 'finance', { quarter: '2025-Q1' });
    const byPartner = Object.fromEntries(first.rebates.map((r: { partnerId: string }) => [r.partnerId, r]));
    expect(first.evaluated).toBe(3);
    expect(byPartner['D-1']).toMatchObject({ step: 3, rateBps: 150, amountFen: 180_000, payerPartnerId: null });
    // A-1's purchases through D-1 (the bid included) climb D-1's steps and earn D-1 nothing.
    expect(byPartner['D-1']).toMatchObject({ cumulativePurchasesFen: 13_200_000, cumulativeEligibleFen: 12_000_000, lockedAgentPurchases: [{ partnerId: 'A-1', cumulativePurchasesFen: 1_200_000 }] });
    expect(byPartner['A-1']).toMatchObject({ step: 2, rateBps: 200, cumulativePurchasesFen: 1_200_000, cumulativeEligibleFen: 600_000, amountFen: 12_000, payerPartnerId: 'D-1' });
    expect(byPartner['A-2']).toMatchObject({ step: 1, rateBps: 100, amountFen: 9_600, payerPartnerId: null });
    const again = await command(server, '/rebate-evaluations', 'finance', { quarter: '2025-Q1' });
    expect(again).toMatchObject({ evaluated: 0, rebates: [], position: null });
  });

  it("answers a partner's year quarter by quarter, as known now and before the evaluation", async () => {
    const a1 = (await get(server, '/partners/A-1/rebates', 'manager', { year: '2025' })).body;
    expect(a1).toMatchObject({ partnerId: 'A-1', commitment: 10_000_000, distributorId: 'D-1', illustrative: true, earned: 12_000, paid: 0, unpaid: 12_000 });
    expect(a1.quarters[0]).toMatchObject({ quarter: '2025-Q1', cumulativeTarget: 1_200_000, purchases: 1_200_000, bidPurchases: 600_000, evaluated: true, step: 2, rebate: 12_000, payerPartnerId: 'D-1' });
    expect(a1.quarters[1]).toMatchObject({ quarter: '2025-Q2', cumulativeTarget: 4_300_000, evaluated: false, step: 0, rebate: 0 });
    const before = (await get(server, '/partners/A-1/rebates', 'auditor', { year: '2025', validAt: '2025-03-31T00:00:00Z' })).body;
    expect(before.quarters[0]).toMatchObject({ evaluated: false, step: 2, rebate: 12_000 }); // the projection from the purchases known then
    expect(before.earned).toBe(0);
    const d1 = (await get(server, '/partners/D-1/rebates', 'finance', { year: '2025' })).body;
    expect(d1.owedToAgents).toEqual({ total: 12_000, lines: [{ agentId: 'A-1', quarter: '2025-Q1', amount: 12_000 }] });
    expect(d1.quarters[0]).toMatchObject({ purchases: 12_000_000, agentPurchases: 1_200_000, cumulativePurchases: 13_200_000, evaluated: true });
    const a3 = (await get(server, '/partners/A-3/rebates', 'manager', { year: '2025' })).body;
    expect(a3).toMatchObject({ distributorId: 'D-1', secondLevel: true, steps: [{ step: 1, ofTargetBps: 8000, rateBps: 50 }, { step: 2, ofTargetBps: 10000, rateBps: 100 }] });
  });

  it("books a locked agent's rebate between the two partners' accounts, and its payment back", async () => {
    expect((await get(server, '/partners/A-1/balance', 'finance')).body.rebateBalance).toBe(12_000);
    expect((await get(server, '/partners/D-1/balance', 'finance')).body.rebateBalance).toBe(180_000 - 12_000);
    const tooMuch = await post(server, '/partners/A-1/rebate-payments', 'finance', { rebatePaymentId: 'RP-0', amount: 12_001 });
    expect([tooMuch.status, tooMuch.body.rule]).toEqual([422, 'rebate-payment-exceeds-unpaid']);
    const paid = await command(server, '/partners/A-1/rebate-payments', 'finance', { rebatePaymentId: 'RP-1', amount: 12_000 });
    expect(paid).toMatchObject({ payer: 'D-1', unpaidFen: 0 });
    expect((await get(server, '/partners/A-1/balance', 'finance')).body.rebateBalance).toBe(0);
    expect((await get(server, '/partners/D-1/balance', 'finance')).body.rebateBalance).toBe(180_000);
  });

  it('refuses a purchase dated in an evaluated quarter, a commitment change after evaluation, and a partner outside the programme', async () => {
    const late = await post(server, '/purchases', 'finance', { purchaseId: 'PO-9', partnerId: 'D-1', amount: 1, productLine: 'routers', occurredAt: at('2025-03-30') });
    expect([late.status, late.body.rule]).toEqual([422, 'purchase-quarter-evaluated']);
    const change = await post(server, '/partners/D-1/commitments', 'manager', { year: 2025, amount: 1 });
    expect([change.status, change.body.rule]).toEqual([422, 'commitment-year-evaluated']);
    const outside = await post(server, '/partners/P-001/commitments', 'manager', { year: 2025, amount: 1 });
    expect([outside.status, outside.body.rule]).toEqual([422, 'rebate-partner-kind']);
    const early = await post(server, '/rebate-evaluations', 'finance', { quarter: '2024-Q4' });
    expect(early.status).toBe(201); // a year without commitments: nothing to evaluate
    expect(early.body.evaluated).toBe(0);
  });

  it('ranks the year by high-end purchases, as of any instant', async () => {
    const awards = (await get(server, '/awards/2025', 'manager')).body;
    expect(awards).toMatchObject({ year: 2025, productLine: 'high-end', topN: 20 });
    // Value-added agents only: distributor D-1 bought the most high-end (12,000,000) and is not ranked.
    expect(awards.ranking).toEqual([
      { rank: 1, partnerId: 'A-2', name: 'Partner A-2', purchases: 960_000 },
      { rank: 2, partnerId: 'A-3', name: 'Partner A-3', purchases: 500_000 },
    ]);
    const february = (await get(server, '/awards/2025', 'auditor', { validAt: '2025-02-28T00:00:00Z' })).body;
    expect(february.ranking.map((r: { partnerId: string }) => r.partnerId)).toEqual(['A-3']);
  });

  it('keeps partners to their own rebates and checks roles and input', async () => {
    expect((await get(server, '/partners/D-1/rebates', 'partner1', { year: '2025' })).status).toBe(403);
    expect((await get(server, '/partners/P-001/rebates', 'partner1', { year: '2025' })).status).toBe(200);
    expect((await get(server, '/awards/2025', 'partner1')).status).toBe(403);
    expect((await post(server, '/purchases', 'manager', { purchaseId: 'X', partnerId: 'D-1', amount: 1, productLine: 'routers' })).status).toBe(403);
    expect((await post(server, '/rebate-evaluations', 'manager', { quarter: '2025-Q2' })).status).toBe(403);
    expect((await get(server, '/partners/D-1/rebates', 'manager', {})).status).toBe(400);
    expect((await get(server, '/partners/NOPE/rebates', 'manager', { year: '2025' })).status).toBe(404);
    const bad = await post(server, '/purchases', 'finance', { purchaseId: 'X', partnerId: 'D-1', amount: 0, productLine: 'High End' });
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.amount', 'body.productLine']);
  });

  it("a locked agent's purchases lift its distributor a step, and its distributor's evaluated quarter is closed to them", async () => {
    await command(server, '/partners/D-1/commitments', 'manager', { year: 2026, amount: 100_000_000, occurredAt: at('2026-01-05') });
    const buy = (purchaseId: string, partnerId: string, amount: number, date: string) => post(server, '/purchases', 'finance', { purchaseId, partnerId, amount, productLine: 'routers', occurredAt: at(date) });
    expect((await buy('PO-26-1', 'D-1', 9_600_000, '2026-02-10')).status).toBe(201); // 80% of the 12M Q1 target: step 2 alone
    expect((await buy('PO-26-2', 'A-1', 2_400_000, '2026-02-11')).status).toBe(201); // through D-1 (A-1 has no 2026 commitment)
    const q1 = await command(server, '/rebate-evaluations', 'finance', { quarter: '2026-Q1' });
    expect(q1.evaluated).toBe(1);
    expect(q1.rebates[0]).toMatchObject({
      partnerId: 'D-1',
      cumulativePurchasesFen: 12_000_000,
      cumulativeEligibleFen: 9_600_000,
      step: 3,
      rateBps: 150,
      amountFen: 144_000,
      lockedAgentPurchases: [{ partnerId: 'A-1', cumulativePurchasesFen: 2_400_000 }],
    });
    const late = await buy('PO-26-3', 'A-1', 1, '2026-03-20');
    expect([late.status, late.body.rule]).toEqual([422, 'purchase-quarter-evaluated']);
  });
});
