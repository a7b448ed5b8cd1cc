// Every route of API.md against the real server over a seeded programme: who may call it,
// what it answers, every refusal with its problem body and nothing written, partner isolation,
// read-your-writes, asOf / validAt, and the actor and correlation id in the stored events.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, contestedKey, contestedTaxId, seedProgramme } from './support/programme.js';
import { type ApiServer, call, get, post, startApiServer, type TokenName } from './support/server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await seedProgramme(server);
});
afterAll(async () => {
  await server?.stop();
});

const head = async (): Promise<number> => (await get(server, '/health', 'auditor')).body.position as number;

/** Asserts a problem answer and that the log did not move. */
async function expectRefused(answer: Promise<{ status: number; body: any; headers: Headers }>, status: number, detail?: RegExp) {
  const before = await head();
  const a = await answer;
  expect(a.status, JSON.stringify(a.body)).toBe(status);
  expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(a.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  if (detail) expect(a.body.detail).toMatch(detail);
  expect(await head()).toBe(before);
  return a.body;
}

const roles: TokenName[] = ['manager', 'finance', 'auditor', 'partner1'];

describe('roles: every route, every role', () => {
  // partner1 is P-001, which has a claim on the contested customer.
  const table: Array<[method: 'GET' | 'POST', route: string, allowed: TokenName[]]> = [
    ['POST', '/partners', ['manager']],
    ['POST', '/partners/P-001/deposits', ['finance']],
    ['POST', '/partners/P-001/deposit-deductions', ['finance']],
    ['POST', '/partners/P-001/tier', ['manager']],
    ['POST', '/tier-evaluations', ['manager']],
    ['POST', '/deals', ['manager', 'partner1']],
    ['POST', '/deals/D-101/stage', ['manager', 'partner1']],
    ['POST', '/deals/D-101/forecast', ['manager', 'partner1']],
    ['POST', '/deals/D-101/transfer', ['manager']],
    ['POST', `/customers/${contestedKey}/ruling`, ['manager']],
    ['POST', '/payments', ['finance']],
    ['POST', '/refunds', ['finance']],
    ['POST', '/payouts', ['finance']],
    ['GET', '/partners/P-001', ['manager', 'finance', 'auditor', 'partner1']],
    ['GET', '/partners/P-001/balance', ['manager', 'finance', 'auditor', 'partner1']],
    ['GET', '/tiers', ['manager', 'finance', 'auditor']],
    ['GET', `/customers/${contestedKey}/ownership`, ['manager', 'auditor', 'partner1']],
    ['GET', '/reports/pipeline', ['manager', 'auditor', 'partner1']],
    ['GET', '/reports/weekly?week=2025-W14', ['manager', 'auditor', 'partner1']],
    ['GET', '/statements/P-001/2025-Q1', ['finance', 'auditor', 'partner1']],
    ['GET', `/audit/customers/${contestedKey}`, ['auditor', 'manager']],
    ['GET', '/audit/verify', ['auditor']],
    ['GET', '/events', ['auditor']],
  ];

  it.each(table)('%s %s', async (method, route, allowed) => {
    for (const token of roles) {
      // An empty body gets past the guard only to fail validation: 400 means "allowed", 403 "forbidden".
      const answer = await call(server, method, route, { token, body: method === 'POST' ? {} : undefined });
      if (allowed.includes(token)) expect([200, 400], `${token} ${method} ${route}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
      else expect(answer.status, `${token} ${method} ${route}`).toBe(403);
      expect(answer.status).not.toBe(401);
    }
    expect((await call(server, method, route, { body: method === 'POST' ? {} : undefined })).status).toBe(401);
  });
});

describe('commands answer what API.md says', () => {
  it('POST /deals: a competing claim is accepted and kept; a partner is told only that another claim owns the customer', async () => {
    const owner = await command(server, '/deals', 'partner1', { dealId: 'D-110', partnerId: 'P-001', customer: { name: '杭州北辰科技' }, expectedPorts: 12 });
    expect(owner).toMatchObject({ dealId: 'D-110', customerKey: expect.any(String), ownership: { ownerDealId: 'D-110', ownerPartnerId: 'P-001', status: 'owner' } });
    const rival = await command(server, '/deals', 'partner2', { dealId: 'D-210', partnerId: 'P-002', customer: { name: '杭州北辰科技有限公司' } });
    // The owning deal and partner are not the rival partner's to know (src/domain/partner-view.ts).
    expect(rival).toEqual(
      expect.objectContaining({
        dealId: 'D-210',
        customerKey: owner.customerKey,
        ownership: { ownerDealId: null, ownerPartnerId: null, status: 'competing', owner: 'other', ownerSince: expect.any(String), transferableFrom: expect.any(String) },
      }),
    );
  });

  it('POST /payments and /refunds: commission accrued and clawed back at the tier rate', async () => {
    const payment = await command(server, '/payments', 'finance', { paymentId: 'PAY-10', dealId: 'D-101', line: 'port', amount: 1_000_000, occurredAt: '2025-04-20T02:00:00Z' });
    expect(payment).toMatchObject({ paymentId: 'PAY-10', ownerPartnerId: 'P-001', commission: { partnerId: 'P-001', rateBps: 4000, commissionFen: 400_000 } });
    const refund = await command(server, '/refunds', 'finance', { refundId: 'REF-10', paymentId: 'PAY-10', amount: 250_000, reason: 'left early', occurredAt: '2025-05-01T02:00:00Z' });
    expect(refund).toMatchObject({ refundId: 'REF-10', clawback: { partnerId: 'P-001', commissionFen: 100_000 } });
  });

  it('POST /payouts pays a quarter once; the second time writes nothing', async () => {
    const first = await command(server, '/payouts', 'finance', { quarter: '2025-Q1', occurredAt: '2025-04-02T02:00:00Z' });
    expect(first.payouts).toEqual([expect.objectContaining({ partnerId: 'P-001', paidFen: 4_812_346 })]);
    const before = await head();
    const second = await command(server, '/payouts', 'finance', { quarter: '2025-Q1', occurredAt: '2025-04-02T02:00:00Z' });
    expect(second.payouts).toEqual([]);
    expect(await head()).toBe(before);
  });

  it('deposits, deductions beyond the deposit (debt), manual tier changes, tier evaluation', async () => {
    await command(server, '/partners', 'manager', { partnerId: 'P-050', name: 'Deposit Test Co', kind: 'development', tier: 'standard' });
    expect(await command(server, '/partners/P-050/deposits', 'finance', { amount: 300_000 })).toMatchObject({ partnerId: 'P-050', depositFen: 300_000 });
    const deducted = await command(server, '/partners/P-050/deposit-deductions', 'finance', { amount: 500_000, reason: 'unpaid bills', reference: 'INV-9' });
    expect(deducted).toMatchObject({ depositFen: 0, debtFen: 200_000, deductedFen: 300_000, addedDebtFen: 200_000 });
    expect(await command(server, '/partners/P-050/tier', 'manager', { tier: 'silver', reason: 'pilot' })).toMatchObject({ from: 'standard', tier: 'silver' });
    const evaluation = await command(server, '/tier-evaluations', 'manager', { quarter: '2025-Q1', occurredAt: '2025-04-01T00:00:00Z' });
    expect(evaluation).toMatchObject({ quarter: '2025-Q1', changes: expect.any(Array) });
  });

  it('transfers, rulings and stages through the deal and customer routes', async () => {
    await command(server, '/deals', 'manager', { dealId: 'D-501', partnerId: 'P-003', customer: { name: 'Ningbo Harbour Logistics' }, occurredAt: '2025-01-10T00:00:00Z' });
    await command(server, '/deals', 'manager', { dealId: 'D-502', partnerId: 'P-002', customer: { name: 'NINGBO HARBOUR LOGISTICS CO., LTD.' }, occurredAt: '2025-01-20T00:00:00Z' });
    // Two departments agree on a handover: one manager proposes (202, nothing moves), another approves.
    const proposal = await post(server, '/deals/D-501/transfer', 'manager', { toDealId: 'D-502', reason: 'no progress for months', occurredAt: '2025-03-01T00:00:00Z' });
    expect(proposal.status, JSON.stringify(proposal.body)).toBe(202);
    expect(proposal.body).toMatchObject({ status: 'proposed', fromDealId: 'D-501', toDealId: 'D-502', ownership: { ownerDealId: 'D-501' } });
    const transfer = await command(server, `/transfers/${proposal.body.transferId}/approve`, 'manager2', { occurredAt: '2025-03-01T00:00:00Z' });
    expect(transfer).toMatchObject({ fromDealId: 'D-501', toDealId: 'D-502', ownership: { ownerDealId: 'D-502', rule: 'transfer' } });
    const ruling = await command(server, `/customers/${encodeURIComponent(transfer.customerKey)}/ruling`, 'manager', { ownerDealId: 'D-501', reason: 'committee ruling' });
    expect(ruling).toMatchObject({ ownerDealId: 'D-501', ownerPartnerId: 'P-003', rule: 'ruling' });
    expect(await command(server, '/deals/D-501/stage', 'manager', { stage: 'meeting' })).toMatchObject({ dealId: 'D-501', stage: 'meeting' });
    expect(await command(server, '/deals/D-502/stage', 'manager', { stage: 'lost', reason: 'gave up' })).toMatchObject({ dealId: 'D-502', stage: 'lost' });
  });
});

describe('refusals: problem bodies, and nothing written', () => {
  it('404 for unknown partners, deals and payments', async () => {
    await expectRefused(post(server, '/partners/P-404/deposits', 'finance', { amount: 5 }), 404, /P-404/);
    await expectRefused(post(server, '/payments', 'finance', { paymentId: 'PAY-404', dealId: 'D-404', line: 'port', amount: 5 }), 404, /D-404/);
    await expectRefused(post(server, '/refunds', 'finance', { refundId: 'R-404', paymentId: 'PAY-404', amount: 5, reason: 'x' }), 404, /PAY-404/);
    await expectRefused(post(server, '/deals/D-404/stage', 'manager', { stage: 'meeting' }), 404);
    await expectRefused(post(server, '/deals/D-404/stage', 'partner1', { stage: 'meeting' }), 404);
  });

  it('409 for a partner signed twice and a deal id taken', async () => {
    const body = await expectRefused(post(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Again', kind: 'relationship', tier: 'gold' }), 409);
    expect(body.rule).toBe('partner-already-signed');
    await expectRefused(post(server, '/deals', 'manager', { dealId: 'D-101', partnerId: 'P-002', customer: { name: 'Someone Else Ltd' } }), 409);
  });

  it('422 names the rule and the figures', async () => {
    const backwards = await expectRefused(post(server, '/deals/D-101/stage', 'manager', { stage: 'interest' }), 422, /^deal-closed|^stage-forward-only/);
    expect(backwards.rule).toEqual(expect.any(String));
    const tooMuch = await expectRefused(post(server, '/refunds', 'finance', { refundId: 'R-9', paymentId: 'PAY-1', amount: 999_000_000, reason: 'x' }), 422, /refund/);
    expect(tooMuch.figures).toEqual(expect.objectContaining({ refundFen: 999_000_000 }));
    await command(server, '/deals', 'manager', { dealId: 'D-601', partnerId: 'P-001', customer: { name: 'Wuxi Fresh Idea' } });
    await command(server, '/deals', 'manager', { dealId: 'D-602', partnerId: 'P-002', customer: { name: 'Wuxi Fresh Idea' } });
    await expectRefused(post(server, '/deals/D-601/transfer', 'manager', { toDealId: 'D-602', reason: 'impatient' }), 422, /transfer/);
    await expectRefused(post(server, '/payments', 'finance', { paymentId: 'PAY-601', dealId: 'D-601', line: 'port', amount: 100 }), 422);
  });

  it('403 for a partner acting for another partner, for direct sales, or back-dating; 404 on another\'s deal', async () => {
    await expectRefused(post(server, '/deals', 'partner2', { dealId: 'D-700', partnerId: 'P-001', customer: { name: 'X Co' } }), 403);
    await expectRefused(post(server, '/deals', 'partner1', { dealId: 'D-701', partnerId: 'direct', customer: { name: 'X Co' } }), 403);
    // Another partner's deal answers as an unknown deal does (404), so its existence does not leak.
    await expectRefused(post(server, '/deals/D-101/stage', 'partner2', { stage: 'signed' }), 404, /^no deal D-101$/);
    await expectRefused(post(server, '/deals', 'partner1', { dealId: 'D-702', partnerId: 'P-001', customer: { name: 'X Co' }, occurredAt: '2025-01-01T00:00:00Z' }), 403, /occurredAt/);
  });

  it('400 for invalid input never reaches the ledger', async () => {
    const body = await expectRefused(post(server, '/payments', 'finance', { paymentId: 'PAY-X', dealId: 'D-101', line: 'fax', amount: 10.5, tip: 1 }), 400);
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.amount', 'body.line', 'body.tip']);
    await expectRefused(post(server, '/deals', 'manager', { dealId: 'D-800', partnerId: 'P-001', customer: { name: 'Y', colour: 'red' } }), 400);
    await expectRefused(post(server, '/deals', 'manager', { dealId: 'D-801', partnerId: 'P-001', customer: { name: 'Z', taxId: '91310000MA1K000001' } }), 422, /tax id/);
  });
});

describe('reads', () => {
  it('a partner sees its own partner, balance, statement and pipeline only', async () => {
    expect((await get(server, '/partners/P-001', 'partner1')).body).toMatchObject({ partnerId: 'P-001', name: '华东通信有限公司', kind: 'relationship', signedAt: '2025-01-06T01:00:00.000Z' });
    const balance = (await get(server, '/partners/P-001/balance', 'partner1')).body;
    for (const field of ['accrued', 'clawedBack', 'paidOut', 'payable', 'deposit', 'debt']) expect(Number.isSafeInteger(balance[field])).toBe(true);
    const statement = (await get(server, '/statements/P-001/2025-Q1', 'partner1')).body;
    expect(statement.lines.map((l: { paymentId: string }) => l.paymentId)).toEqual(expect.arrayContaining(['PAY-1', 'PAY-2']));
    const pipeline = (await get(server, '/reports/pipeline', 'partner1')).body;
    expect(pipeline.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual(['P-001']);
    const all = (await get(server, '/reports/pipeline', 'manager')).body;
    expect(all.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual(expect.arrayContaining(['P-001', 'P-002', 'direct']));
  });

  it('a partner sees a customer\'s ownership only where it has a claim', async () => {
    expect((await get(server, `/customers/${contestedKey}/ownership`, 'partner1')).status).toBe(200);
    const registered = await command(server, '/deals', 'manager', { dealId: 'D-900', partnerId: 'P-002', customer: { name: 'Only Northwind Ltd' } });
    const path = `/customers/${encodeURIComponent(registered.customerKey)}/ownership`;
    expect((await get(server, path, 'manager')).status).toBe(200);
    expect((await get(server, path, 'partner1')).status).toBe(403);
    expect((await get(server, path, 'partner2')).status).toBe(200);
    expect((await get(server, '/customers/no-such-customer/ownership', 'partner1')).status).toBe(403);
  });

  it('ownership names the owner, every claim with both times, and the rule', async () => {
    const answer = (await get(server, `/customers/${contestedKey}/ownership`, 'auditor')).body;
    expect(answer).toMatchObject({ customerKey: contestedKey, ownerDealId: 'D-101', ownerPartnerId: 'P-001', rule: expect.any(String) });
    expect(answer.claims.map((c: { dealId: string }) => c.dealId)).toEqual(['D-101', 'D-201', 'D-901']);
    expect(answer.claims[2]).toMatchObject({ partnerId: null, channel: 'direct', registeredAt: '2025-02-12T02:00:00.000Z', recordedAt: expect.any(String) });
    const byTaxId = await get(server, `/customers/${contestedTaxId}/ownership`, 'manager');
    expect(byTaxId.body.customerKey).toBe(contestedKey);
  });

  it("the auditor's account, the chain check and the event feed", async () => {
    const account = (await get(server, `/audit/customers/${contestedKey}`, 'auditor')).body;
    expect(account.events[0]).toMatchObject({ type: 'DealRegistered', actor: { role: 'manager', id: 'mgr-alice' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/), ownership: expect.any(Object) });
    const verify = (await get(server, '/audit/verify', 'auditor')).body;
    expect(verify).toMatchObject({ ok: true, events: await head(), headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const page = (await get(server, '/events', 'auditor', { from: '2', limit: '3' })).body;
    expect(page.events.map((e: { position: number }) => e.position)).toEqual([2, 3, 4]);
    expect(page.next).toBe(5);
  });

  it('GET /tiers and GET /partners/:id/balance in fen', async () => {
    const tiers = (await get(server, '/tiers', 'finance')).body as Array<{ partnerId: string; tier: string; since: string }>;
    expect(tiers.find((t) => t.partnerId === 'P-003')).toEqual({ partnerId: 'P-003', tier: 'standard', since: '2025-01-07T02:00:00.000Z' });
  });
});

describe('read-your-writes', () => {
  it('a read right after a command\'s answer sees it, every time', async () => {
    await command(server, '/partners', 'manager', { partnerId: 'P-RYW', name: 'Read Your Writes', kind: 'development', tier: 'standard' });
    for (let i = 1; i <= 15; i++) {
      await command(server, '/partners/P-RYW/deposits', 'finance', { amount: 1_000 });
      expect((await get(server, '/partners/P-RYW/balance', 'finance')).body.deposit).toBe(i * 1_000);
    }
  });
});

describe('asOf and validAt', () => {
  it('asOf answers as the ledger knew it; validAt as the business stood', async () => {
    await command(server, '/partners', 'manager', { partnerId: 'P-TT', name: 'Time Travel', kind: 'development', tier: 'standard', occurredAt: '2025-01-01T00:00:00Z' });
    await sleep(5);
    const beforeChange = new Date().toISOString();
    await sleep(5);
    await command(server, '/partners/P-TT/tier', 'manager', { tier: 'gold', reason: 'back-filled certificate', occurredAt: '2025-04-01T00:00:00Z' });
    const tierOf = async (query: Record<string, string>) =>
      ((await get(server, '/tiers', 'manager', query)).body as Array<{ partnerId: string; tier: string }>).find((t) => t.partnerId === 'P-TT')?.tier;
    expect(await tierOf({})).toBe('gold');
    expect(await tierOf({ asOf: beforeChange })).toBe('standard');
    expect(await tierOf({ validAt: '2025-03-31T23:59:59Z' })).toBe('standard');
    expect(await tierOf({ validAt: '2025-04-01T00:00:00Z' })).toBe('gold');
    expect(await tierOf({ asOf: beforeChange, validAt: '2025-06-01T00:00:00+08:00' })).toBe('standard');
    expect((await get(server, '/partners/P-TT', 'manager', { asOf: '2020-01-01T00:00:00Z' })).status).toBe(404);
  });
});

describe('events carry the actor and the correlation id', () => {
  it('records who asked and the X-Correlation-Id', async () => {
    const answer = await call(server, 'POST', '/partners/P-001/deposits', { token: 'finance', body: { amount: 777 }, headers: { 'x-correlation-id': 'bank-import-7' } });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-correlation-id')).toBe('bank-import-7');
    const page = (await get(server, '/events', 'auditor', { from: String(answer.body.position), limit: '1' })).body;
    expect(page.events[0]).toMatchObject({ type: 'DepositPosted', actor: { role: 'finance', id: 'fin-bob' }, correlationId: 'bank-import-7', data: { amountFen: 777 } });
    const partnerDeal = await call(server, 'POST', '/deals', { token: 'partner1', body: { dealId: 'D-A1', partnerId: 'P-001', customer: { name: 'Actor Check Co' } } });
    expect(partnerDeal.status).toBe(201);
    // A partner's answer carries no log position: the registration is the log's last event.
    const event = (await get(server, '/events', 'auditor', { from: String(await head()), limit: '1' })).body.events[0];
    expect(event).toMatchObject({ type: 'DealRegistered', data: { dealId: 'D-A1' } });
    expect(event.actor).toEqual({ role: 'partner', id: 'P-001' });
  });
});
