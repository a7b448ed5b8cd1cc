// Policy versions as events over HTTP (issue #20; rules: src/domain/policy-history.ts,
// src/domain/policy-adoption.ts). A gold partner's port rate is raised from 40% to 45% from
// 2024-07-01 by a version adopted on 2024-09-15, after the Q2 payout: adjustments only for the
// cash received from 1 July, the Q3 payout settles them, the Q2 figures are unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/domain/policy.js';
import { command } from './support/programme.js';
import { type ApiServer, call, eventsAfter, get, headPosition, post, startApiServer } from './support/server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
});
afterAll(async () => {
  await server?.stop();
});

/** The default policy with the gold port rate raised to 45% in year one, as version 2024.2 from 2024-07-01. */
function raisedDocument(): Record<string, unknown> {
  const doc = structuredClone(defaultPolicy) as unknown as Record<string, any>;
  delete doc.version;
  delete doc.effectiveFrom;
  doc.commission.ratesBps.port.gold = [4500, ...doc.commission.ratesBps.port.gold.slice(1)];
  return doc;
}

const balance = async (query = '') => {
  const answer = await get(server, `/partners/P-001/balance${query}`, 'finance');
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { accrued: number; clawedBack: number; paidOut: number; payable: number };
};

describe('a rate raised from 2024-07-01, adopted on 2024-09-15 after the Q2 payout', () => {
  let beforeAdoption: string;

  it('the programme runs under the configured policy: Q2 paid, July and August cash at 40%', async () => {
    const listed = await get(server, '/policies', 'auditor');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ version: defaultPolicy.version, inLog: false, adoptedAt: null, inForceUntil: null })]);

    await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Gold Partner', kind: 'relationship', tier: 'gold', occurredAt: '2024-01-08T01:00:00Z' });
    await command(server, '/deals', 'manager', { dealId: 'D-1', partnerId: 'P-001', customer: { name: 'Versioned Trading Co' }, occurredAt: '2024-02-01T02:00:00Z' });
    await command(server, '/deals/D-1/stage', 'manager', { stage: 'signed', occurredAt: '2024-03-01T02:00:00Z' });
    const may = await command(server, '/payments', 'finance', { paymentId: 'PAY-MAY', dealId: 'D-1', line: 'port', amount: 1_000_000, occurredAt: '2024-05-10T02:00:00Z' });
    expect(may.commission).toMatchObject({ rateBps: 4000, commissionFen: 400_000 });
    const q2 = await command(server, '/payouts', 'finance', { quarter: '2024-Q2', occurredAt: '2024-07-05T02:00:00Z' });
    expect(q2.payouts).toEqual([expect.objectContaining({ partnerId: 'P-001', netFen: 400_000, paidFen: 400_000 })]);
    const june = await command(server, '/payments', 'finance', { paymentId: 'PAY-JUN', dealId: 'D-1', line: 'port', amount: 200_000, occurredAt: '2024-06-28T02:00:00Z' });
    expect(june.commission).toMatchObject({ rateBps: 4000, commissionFen: 80_000 });
    const july = await command(server, '/payments', 'finance', { paymentId: 'PAY-JUL', dealId: 'D-1', line: 'port', amount: 1_000_000, occurredAt: '2024-07-10T02:00:00Z' });
    expect(july.commission).toMatchObject({ rateBps: 4000, commissionFen: 400_000 });
    const august = await command(server, '/payments', 'finance', { paymentId: 'PAY-AUG', dealId: 'D-1', line: 'port', amount: 500_001, occurredAt: '2024-08-20T02:00:00Z' });
    expect(august.commission).toMatchObject({ rateBps: 4000, commissionFen: 200_000 });
    const refund = await command(server, '/refunds', 'finance', { refundId: 'REF-AUG', paymentId: 'PAY-AUG', amount: 100_001, reason: 'left early', occurredAt: '2024-09-01T02:00:00Z' });
    expect(refund.clawback).toMatchObject({ rateBps: 4000, commissionFen: 40_000 });
    expect(await balance()).toMatchObject({ accrued: 1_080_000, clawedBack: 40_000, paidOut: 400_000 });
    beforeAdoption = new Date().toISOString();
  });

  it('refuses a document with problems, naming every one, and writes nothing', async () => {
    const doc = raisedDocument();
    (doc as any).currency = 'USD';
    (doc as any).commission.windowYears = 0;
    const answer = await post(server, '/policies', 'manager', { version: '2024.2', effectiveFrom: '2024-07-01', document: doc, reason: 'rate raised', occurredAt: '2024-09-15T02:00:00Z' });
    expect(answer.status).toBe(400);
    const paths = (answer.body as any).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.document.currency', 'body.document.commission.windowYears']));
    const wrongTimeZone = { ...raisedDocument(), timeZone: 'Europe/Paris' };
    const refused = await post(server, '/policies', 'manager', { version: '2024.2', effectiveFrom: '2024-07-01', document: wrongTimeZone, reason: 'rate raised', occurredAt: '2024-09-15T02:00:00Z' });
    expect(refused.status).toBe(422);
    expect((await get(server, '/policies', 'auditor')).body).toHaveLength(1);
  });

  it('only a manager adopts', async () => {
    const answer = await post(server, '/policies', 'finance', { version: '2024.2', effectiveFrom: '2024-07-01', document: raisedDocument(), reason: 'rate raised' });
    expect(answer.status).toBe(403);
  });

  it('a dry run of the adoption predicts exactly the events the real adoption then writes', async () => {
    const body = { version: '2024.2', effectiveFrom: '2024-07-01', document: raisedDocument(), reason: 'gold port rate raised to 45%', occurredAt: '2024-09-15T02:00:00Z' };
    const headers = { 'Idempotency-Key': 'adopt-2024.2' };
    const before = await headPosition(server);
    const dry = await call(server, 'POST', '/policies', { token: 'manager', body, query: { dryRun: 'true' }, headers });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(await headPosition(server)).toBe(before);
    const predicted = dry.body.events as any[];
    expect(predicted.map((e) => e.type)).toEqual(['PolicyAdopted', 'PolicyAdopted', 'CommissionAdjusted', 'CommissionAdjusted', 'CommissionAdjusted']);
    expect(dry.body.balances.totals).toMatchObject({ accrued: { deltaFen: 75_000 }, clawedBack: { deltaFen: 5_000 } });
    // Still under the configured policy: nothing was adopted by the dry run.
    expect((await get(server, '/policies', 'auditor')).body).toHaveLength(1);

    const real = await call(server, 'POST', '/policies', { token: 'manager', body, headers });
    expect(real.status, JSON.stringify(real.body)).toBe(201);
    const written = (await eventsAfter(server, before)).map((e) => ({ ...e, correlationId: null }));
    expect(written).toEqual(predicted.map((e) => ({ ...e, correlationId: null })));
  });

  it('adoption writes adjustments only for cash received from 1 July, each naming the line, both versions and both amounts', async () => {
    const adopted = await command(server, '/policies', 'manager', { version: '2024.2', effectiveFrom: '2024-07-01', document: raisedDocument(), reason: 'gold port rate raised to 45%', occurredAt: '2024-09-15T02:00:00Z' });
    // Adopted by the run above: the same version and document again writes nothing.
    expect(adopted).toMatchObject({ adopted: false, adjustments: [], position: null });
    const written = (await get(server, '/events?limit=1000', 'auditor')).body.events.filter((e: any) => e.stream === 'policy');
    expect(written.map((e: any) => [e.type, e.policyVersion, e.actor.id])).toEqual([
      ['PolicyAdopted', null, 'mgr-alice'],
      ['PolicyAdopted', null, 'mgr-alice'],
      ['CommissionAdjusted', '2024.2', 'mgr-alice'],
      ['CommissionAdjusted', '2024.2', 'mgr-alice'],
      ['CommissionAdjusted', '2024.2', 'mgr-alice'],
    ]);
    const adjustments = written.filter((e: any) => e.type === 'CommissionAdjusted').map((e: any) => e.data);
    const from = defaultPolicy.version;
    expect(adjustments).toEqual([
      expect.objectContaining({ paymentId: 'PAY-JUL', kind: 'accrual', fromVersion: from, toVersion: '2024.2', fromFen: 400_000, toFen: 450_000, adjustmentFen: 50_000 }),
      expect.objectContaining({ paymentId: 'PAY-AUG', kind: 'accrual', fromVersion: from, toVersion: '2024.2', fromFen: 200_000, toFen: 225_000, adjustmentFen: 25_000 }),
      expect.objectContaining({ paymentId: 'PAY-AUG', refundId: 'REF-AUG', kind: 'clawback', fromVersion: from, toVersion: '2024.2', fromFen: 40_000, toFen: 45_000, adjustmentFen: 5_000 }),
    ]);
    // Another document under the same name: 409.
    const other = { ...raisedDocument(), name: 'another' };
    expect((await post(server, '/policies', 'manager', { version: '2024.2', effectiveFrom: '2024-07-01', document: other, reason: 'x' })).status).toBe(409);
  });

  it('the balances show the new figures now; valid at 14 September and as of before the adoption they are unchanged', async () => {
    expect(await balance()).toMatchObject({ accrued: 1_155_000, clawedBack: 45_000, paidOut: 400_000 });
    expect(await balance('?validAt=2024-09-14T12:00:00Z')).toMatchObject({ accrued: 1_080_000, clawedBack: 40_000, paidOut: 400_000 });
    expect(await balance(`?asOf=${beforeAdoption}`)).toMatchObject({ accrued: 1_080_000, clawedBack: 40_000, paidOut: 400_000 });
  });

  it('a payment received after the adoption, in Q3, is decided under 2024.2 and names it', async () => {
    const sept = await command(server, '/payments', 'finance', { paymentId: 'PAY-SEP', dealId: 'D-1', line: 'port', amount: 100_000, occurredAt: '2024-09-20T02:00:00Z' });
    expect(sept.commission).toMatchObject({ rateBps: 4500, commissionFen: 45_000 });
    const feed = await get(server, '/events?limit=1000', 'auditor');
    const accrual = (feed.body as any).events.find((e: any) => e.type === 'CommissionAccrued' && e.data.paymentId === 'PAY-SEP');
    expect(accrual.policyVersion).toBe('2024.2');
    // A refund of July cash claws back at the adjusted 45%.
    const refund = await command(server, '/refunds', 'finance', { refundId: 'REF-JUL', paymentId: 'PAY-JUL', amount: 100_000, reason: 'partial', occurredAt: '2024-09-25T02:00:00Z' });
    expect(refund.clawback).toMatchObject({ rateBps: 4500, commissionFen: 45_000 });
  });

  it('the Q3 payout settles the adjustments as prior-period lines; what Q2 paid stays paid', async () => {
    const q3 = await command(server, '/payouts', 'finance', { quarter: '2024-Q3', occurredAt: '2024-10-08T02:00:00Z' });
    // June 80,000 + July 400,000 + August 200,000 − 40,000 + September 45,000 − 45,000, and the adjustments +50,000 +25,000 −5,000.
    expect(q3.payouts).toEqual([expect.objectContaining({ partnerId: 'P-001', lines: 9, netFen: 710_000, paidFen: 710_000 })]);
    expect(await balance()).toMatchObject({ accrued: 1_200_000, clawedBack: 90_000, paidOut: 1_110_000, payable: 0 });
    const q2 = await get(server, '/statements/P-001/2024-Q2', 'auditor');
    expect(q2.body.payout).toMatchObject({ netFen: 400_000, paidFen: 400_000 });
    expect(q2.body.adjustments).toEqual([]);
  });

  it("the statement is the auditor's account of which version produced each figure: each line's version, each adjustment's two", async () => {
    const from = defaultPolicy.version;
    const q3 = await get(server, '/statements/P-001/2024-Q3', 'auditor');
    expect(q3.status).toBe(200);
    expect(q3.body.lines.map((l: any) => [l.paymentId, l.kind, l.commissionFen, l.policyVersion])).toEqual([
      ['PAY-JUN', 'accrual', 80_000, from],
      ['PAY-JUL', 'accrual', 400_000, from],
      ['PAY-AUG', 'accrual', 200_000, from],
      ['PAY-AUG', 'clawback', -40_000, from],
      ['PAY-SEP', 'accrual', 45_000, '2024.2'],
      ['PAY-JUL', 'clawback', -45_000, '2024.2'],
    ]);
    expect(q3.body.adjustments.map((a: any) => [a.paymentId, a.kind, a.fromVersion, a.toVersion, a.fromFen, a.toFen, a.commissionFen, a.settledBy?.quarter])).toEqual([
      ['PAY-JUL', 'accrual', from, '2024.2', 400_000, 450_000, 50_000, '2024-Q3'],
      ['PAY-AUG', 'accrual', from, '2024.2', 200_000, 225_000, 25_000, '2024-Q3'],
      ['PAY-AUG', 'clawback', from, '2024.2', 40_000, 45_000, -5_000, '2024-Q3'],
    ]);
    expect(q3.body).toMatchObject({ accruedFen: 725_000, clawedBackFen: 85_000, adjustmentsFen: 70_000, netFen: 710_000, payout: { netFen: 710_000 } });
    // Valid at 14 September, before the adoption: no adjustment yet.
    const before = await get(server, '/statements/P-001/2024-Q3?validAt=2024-09-14T12:00:00Z', 'auditor');
    expect(before.body.adjustments).toEqual([]);
    expect(before.body.netFen).toBe(560_000);
  });

  it('GET /policies lists every version, GET /policies/:version its document, and the diff names the changed field', async () => {
    const listed = await get(server, '/policies', 'finance');
    expect(listed.body).toEqual([
      expect.objectContaining({ version: defaultPolicy.version, inLog: true, inForceUntil: '2024-06-30T16:00:00.000Z' }),
      expect.objectContaining({ version: '2024.2', inLog: true, effectiveFrom: '2024-07-01', inForceFrom: '2024-06-30T16:00:00.000Z', inForceUntil: null, adoptedAt: '2024-09-15T02:00:00.000Z', actor: { role: 'manager', id: 'mgr-alice' }, reason: 'gold port rate raised to 45%' }),
    ]);
    expect((await get(server, `/policies?asOf=${beforeAdoption}`, 'finance')).body).toEqual([expect.objectContaining({ version: defaultPolicy.version, inLog: false })]);
    // A bare date is the end of that day in the policy's time zone: the adoptions recorded today count.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: defaultPolicy.timeZone }).format(new Date());
    expect((await get(server, `/policies?asOf=${today}`, 'finance')).body.map((v: { version: string }) => v.version)).toEqual([defaultPolicy.version, '2024.2']);
    expect((await get(server, '/policies?asOf=2024-09-15', 'finance')).body).toEqual([expect.objectContaining({ version: defaultPolicy.version, inLog: false })]);
    const one = await get(server, '/policies/2024.2', 'auditor');
    expect(one.status).toBe(200);
    expect(one.body.document.commission.ratesBps.port.gold).toEqual([4500, 1000]);
    const diff = await get(server, `/policies/2024.2/diff?against=${defaultPolicy.version}`, 'manager');
    expect(diff.status).toBe(200);
    expect(diff.body).toEqual({ version: '2024.2', against: defaultPolicy.version, differences: [{ path: 'commission.ratesBps.port.gold.0', from: 4000, to: 4500 }] });
    expect((await get(server, '/policies/nope', 'auditor')).status).toBe(404);
    expect((await get(server, '/policies/2024.2/diff?against=nope', 'auditor')).status).toBe(404);
    expect((await get(server, '/policies', 'partner1')).status).toBe(403);
  });

  it('after a restart the history is read back from the log', async () => {
    await server.restart();
    const sept = await command(server, '/payments', 'finance', { paymentId: 'PAY-SEP2', dealId: 'D-1', line: 'port', amount: 100_000, occurredAt: '2024-09-21T02:00:00Z' });
    expect(sept.commission).toMatchObject({ rateBps: 4500 });
    const june = await command(server, '/payments', 'finance', { paymentId: 'PAY-JUN2', dealId: 'D-1', line: 'port', amount: 100_000, occurredAt: '2024-06-21T02:00:00Z' });
    expect(june.commission).toMatchObject({ rateBps: 4000 });
  });

  it('a deposit requirement on a date is the version in force then, as known then', async () => {
    const balanceOf = async (query: string) => ((await get(server, `/partners/P-001/balance${query}`, 'finance')).body as { depositRequired: number }).depositRequired;
    expect(await balanceOf('')).toBe(9_000_000);
    const beforeRaise = new Date().toISOString();
    const doc = raisedDocument() as any;
    doc.deposits.byTierFen.gold = 12_000_000;
    const adopted = await command(server, '/policies', 'manager', { version: '2024.3', effectiveFrom: '2024-10-01', document: doc, reason: 'gold deposit raised' });
    expect(adopted).toMatchObject({ adopted: true, adjustments: [] });
    expect(await balanceOf('')).toBe(12_000_000);
    expect(await balanceOf('?validAt=2024-09-30T12:00:00Z')).toBe(9_000_000);
    expect(await balanceOf(`?asOf=${beforeRaise}`)).toBe(9_000_000);
  });
});
