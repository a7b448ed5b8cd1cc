// Issue #22 item 7 through the HTTP API: customer bills the partner is to collect, their
// collection, the vendor's service-quality fault that exempts them, the explicit deduction of
// arrears past the policy's grace period from the deposit (idempotent, with reason and
// reference; the rest as debt), and ASP service revenue as a commission line of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type ApiServer, get, post, startApiServer } from './support/server.js';

let server: ApiServer;
const head = async (): Promise<number> => (await get(server, '/health', 'auditor')).body.position as number;

async function signedDeal(dealId: string, partnerId: string, name: string, signed = true) {
  await command(server, '/deals', 'manager', { dealId, partnerId, customer: { name }, occurredAt: '2025-01-10T02:00:00Z' });
  if (signed) await command(server, `/deals/${dealId}/stage`, 'manager', { stage: 'signed', occurredAt: '2025-01-20T02:00:00Z' });
}

beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Arrears One', kind: 'development', tier: 'standard', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Arrears Two', kind: 'development', tier: 'standard', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners/P-001/deposits', 'finance', { amount: 500_000, occurredAt: '2025-01-07T01:00:00Z' });
  await signedDeal('D-A1', 'P-001', 'Arrears Customer A');
  await signedDeal('D-A2', 'P-001', 'Arrears Customer Unsigned', false);
  await signedDeal('D-B1', 'P-002', 'Arrears Customer B');
}, 60_000);
afterAll(async () => server?.stop());

const bill = (partnerId: string, billId: string, dealId: string, amount: number, dueAt = '2025-03-01T00:00:00Z') =>
  post(server, `/partners/${partnerId}/customer-bills`, 'finance', { billId, dealId, amount, dueAt, occurredAt: '2025-02-01T02:00:00Z' });

describe('customer bills and their collection', () => {
  it('records a bill to the partner’s signed customer, with the instant its arrears become deductible', async () => {
    const a = await bill('P-001', 'AB-1', 'D-A1', 300_000);
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({ partnerId: 'P-001', billId: 'AB-1', dealId: 'D-A1', amountFen: 300_000, dueAt: '2025-03-01T00:00:00.000Z', outstandingFen: 300_000, deductibleFrom: '2025-05-30T00:00:00.000Z', exempt: false, deducted: false, recorded: true });
    const again = await bill('P-001', 'AB-1', 'D-A1', 300_000);
    expect(again.body).toMatchObject({ recorded: false, position: null });
    expect((await bill('P-001', 'AB-1', 'D-A1', 300_001)).status).toBe(409);
  });

  it("refuses another partner's deal, an unknown deal and a deal not signed, writing nothing", async () => {
    const before = await head();
    const other = await bill('P-001', 'AB-X', 'D-B1', 1_000);
    expect([other.status, other.body.rule]).toEqual([422, 'customer-bill-not-partners-deal']);
    expect((await bill('P-001', 'AB-X', 'D-404', 1_000)).status).toBe(404);
    expect((await bill('P-001', 'AB-X', 'D-A2', 1_000)).body.rule).toBe('customer-bill-deal-not-signed');
    expect((await bill('P-404', 'AB-X', 'D-A1', 1_000)).status).toBe(404);
    expect(await head()).toBe(before);
  });

  it('records collections up to what is uncollected', async () => {
    const c = await command(server, '/partners/P-001/customer-bills/AB-1/collections', 'finance', { collectionId: 'AC-1', amount: 100_000, occurredAt: '2025-03-10T02:00:00Z' });
    expect(c).toMatchObject({ collectionId: 'AC-1', collectedFen: 100_000, outstandingFen: 200_000 });
    const over = await post(server, '/partners/P-001/customer-bills/AB-1/collections', 'finance', { collectionId: 'AC-2', amount: 200_001 });
    expect([over.status, over.body.rule]).toEqual([422, 'collection-exceeds-outstanding']);
    expect((await post(server, '/partners/P-001/customer-bills/AB-404/collections', 'finance', { collectionId: 'AC-3', amount: 1 })).status).toBe(404);
  });

  it("a manager records the vendor's service-quality fault: those arrears are never deducted", async () => {
    expect((await bill('P-001', 'AB-2', 'D-A1', 200_000)).status).toBe(201);
    expect((await post(server, '/partners/P-001/customer-bills/AB-2/vendor-fault', 'finance', { reason: 'outage' })).status).toBe(403);
    const exempt = await command(server, '/partners/P-001/customer-bills/AB-2/vendor-fault', 'manager', { reason: 'the vendor’s conference bridge failed for the customer all March', occurredAt: '2025-04-01T02:00:00Z' });
    expect(exempt).toMatchObject({ billId: 'AB-2', exempt: true, outstandingFen: 200_000, exemptReason: 'the vendor’s conference bridge failed for the customer all March' });
  });

  it('only finance records bills and collections, only a manager the fault; a partner none', async () => {
    for (const [route, body] of [
      ['/partners/P-001/customer-bills', { billId: 'AB-Z', dealId: 'D-A1', amount: 1, dueAt: '2025-03-01T00:00:00Z' }],
      ['/partners/P-001/customer-bills/AB-1/collections', { collectionId: 'AC-Z', amount: 1 }],
      ['/partners/P-001/customer-bills/AB-1/vendor-fault', { reason: 'x' }],
      ['/arrears-deductions', { asOf: '2025-06-01T00:00:00Z' }],
    ] as const) {
      expect((await post(server, route, 'partner1', body)).status, route).toBe(403);
      expect((await post(server, route, 'auditor', body)).status, route).toBe(403);
    }
    expect((await post(server, '/partners/P-001/customer-bills', 'manager', { billId: 'AB-Z', dealId: 'D-A1', amount: 1, dueAt: '2025-03-01T00:00:00Z' })).status).toBe(403);
  });
});

describe('POST /arrears-deductions', () => {
  it('deducts nothing before the grace period has run out', async () => {
    const early = await command(server, '/arrears-deductions', 'finance', { asOf: '2025-05-29T23:59:59Z', occurredAt: '2025-05-30T00:00:00Z' });
    expect(early).toMatchObject({ asOf: '2025-05-29T23:59:59.000Z', graceDays: 90, deductions: [], position: null });
  });

  it('deducts the uncollected arrears past the grace period from the deposit, with the reason and the reference; not the exempted bill', async () => {
    const before = await head();
    const run = await command(server, '/arrears-deductions', 'finance', { asOf: '2025-06-02T00:00:00Z', occurredAt: '2025-06-02T00:00:00Z' });
    expect(run.deductions).toEqual([{ partnerId: 'P-001', billId: 'AB-1', requestedFen: 200_000, deductedFen: 200_000, addedDebtFen: 0 }]);
    const feed = await get(server, '/events', 'auditor', { from: String(before + 1), limit: '10' });
    expect(feed.body.events.map((e: { type: string }) => e.type)).toEqual(['DepositDeducted']);
    expect(feed.body.events[0]).toMatchObject({
      stream: 'partner-P-001',
      occurredAt: '2025-06-02T00:00:00.000Z',
      policyVersion: expect.any(String),
      data: { partnerId: 'P-001', requestedFen: 200_000, deductedFen: 200_000, debtFen: 0, reference: 'arrears AB-1', reason: expect.stringMatching(/bill AB-1 \(deal D-A1\) has 2,000\.00 CNY uncollected, 93 days after it fell due .*grace 90 days/) },
    });
    expect((await get(server, '/partners/P-001/balance', 'partner1')).body).toMatchObject({ deposit: 300_000, debt: 0 });
  });

  it('is idempotent: running it again, for the same or a later asOf, deducts no bill twice', async () => {
    const before = await head();
    const again = await command(server, '/arrears-deductions', 'finance', { asOf: '2025-06-02T00:00:00Z' });
    expect(again).toMatchObject({ deductions: [], position: null });
    const later = await command(server, '/arrears-deductions', 'finance', { asOf: '2025-09-01T00:00:00Z' });
    expect(later).toMatchObject({ deductions: [] });
    expect(await head()).toBe(before);
  });

  it('refuses a collection after the deduction; what the deposit cannot cover becomes debt', async () => {
    const late = await post(server, '/partners/P-001/customer-bills/AB-1/collections', 'finance', { collectionId: 'AC-9', amount: 1_000 });
    expect([late.status, late.body.rule]).toEqual([422, 'customer-bill-deducted']);
    expect((await bill('P-002', 'BB-1', 'D-B1', 50_000)).status).toBe(201);
    const run = await command(server, '/arrears-deductions', 'finance', { asOf: '2025-06-03T00:00:00Z', occurredAt: '2025-06-03T00:00:00Z' });
    expect(run.deductions).toEqual([{ partnerId: 'P-002', billId: 'BB-1', requestedFen: 50_000, deductedFen: 0, addedDebtFen: 50_000 }]);
    expect((await get(server, '/partners/P-002/balance', 'finance')).body).toMatchObject({ deposit: 0, debt: 50_000 });
    // as of before the deduction, the deposit was whole
    expect((await get(server, '/partners/P-001/balance', 'finance', { validAt: '2025-06-01T00:00:00Z' })).body).toMatchObject({ deposit: 500_000 });
  });

  it('refuses an asOf after the deduction itself (400 naming asOf), and a malformed one', async () => {
    const future = await post(server, '/arrears-deductions', 'finance', { asOf: '2099-01-01T00:00:00Z' });
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body)).toContain('asOf');
    const bad = await post(server, '/arrears-deductions', 'finance', { asOf: '2025-02-30' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.asOf']);
    expect((await post(server, '/arrears-deductions', 'finance', {})).status).toBe(400);
  });
});

describe('ASP service revenue', () => {
  it('POST /payments with line "asp" accrues commission at the tier’s asp rate (illustrative default: standard 10 %)', async () => {
    const payment = await command(server, '/payments', 'finance', { paymentId: 'ASP-1', dealId: 'D-A1', line: 'asp', amount: 1_234_567, occurredAt: '2025-02-15T02:00:00Z' });
    expect(payment.commission).toMatchObject({ tier: 'standard', rateBps: 1000, commissionFen: 123_457 });
    const statement = await get(server, '/statements/P-001/2025-Q1', 'finance');
    expect(statement.body.lines).toEqual([expect.objectContaining({ revenueLine: 'asp', commissionFen: 123_457 })]);
  });
});
