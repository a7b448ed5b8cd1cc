// What-if over HTTP (issue 20, part 4): `?dryRun=true` on a command answers 200 with the events
// it would write and each affected partner's accounts before, after and the change, and writes
// nothing (the log's head stays where it was). The real command run afterwards with the same
// Idempotency-Key (so the same command id) writes exactly the predicted events; a refusal is the
// real command's; a dry run never stores an answer under its Idempotency-Key.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type Answer, type ApiServer, call, eventsAfter, get, headPosition, startApiServer, type TokenName } from './support/server.js';

const defaultPolicy = JSON.parse(readFileSync(new URL('../../src/domain/default-policy.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Gold Partner', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Silver Partner', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
  await command(server, '/partners/P-001/deposits', 'finance', { amount: 9_000_000, occurredAt: '2025-01-08T02:00:00Z' });
  await command(server, '/deals', 'manager', { dealId: 'D-1', partnerId: 'P-001', customer: { name: 'What If Trading Co' }, occurredAt: '2025-02-03T02:00:00Z' });
  await command(server, '/deals/D-1/stage', 'manager', { stage: 'signed', occurredAt: '2025-03-10T02:00:00Z' });
});
afterAll(async () => {
  await server?.stop();
});

const zero = { beforeFen: 0, afterFen: 0, deltaFen: 0 };

interface DryRunCall {
  token: TokenName;
  body: unknown;
  key?: string;
  dryRun?: string;
}

const send = (route: string, c: DryRunCall): Promise<Answer> =>
  call(server, 'POST', route, { token: c.token, body: c.body, query: c.dryRun === undefined ? {} : { dryRun: c.dryRun }, headers: c.key ? { 'Idempotency-Key': c.key } : {} });

/** A dry run that must answer 200 and leave the log's head where it was; answers its body. */
async function dryRun(route: string, c: Omit<DryRunCall, 'dryRun'>) {
  const before = await headPosition(server);
  const answer = await send(route, { ...c, dryRun: 'true' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.dryRun).toBe(true);
  expect(await headPosition(server)).toBe(before);
  return answer.body;
}

/** Runs the real command with the dry run's key and checks it wrote exactly the predicted events. */
async function realRunWritesThePrediction(route: string, c: Omit<DryRunCall, 'dryRun'>, predicted: any[]) {
  const before = await headPosition(server);
  const real = await send(route, c);
  expect(real.status, JSON.stringify(real.body)).toBeGreaterThanOrEqual(200);
  expect(real.status).toBeLessThan(300);
  const written = await eventsAfter(server, before);
  // correlation ids are per request; everything else is the prediction
  expect(written.map((e) => ({ ...e, correlationId: null }))).toEqual(predicted.map((e) => ({ ...e, correlationId: null })));
  return real.body;
}

describe('POST …?dryRun=true', () => {
  it('a deposit: the DepositPosted it would write and the deposit before, after and delta; nothing written, then the real one writes exactly that', async () => {
    const c = { token: 'finance' as const, body: { amount: 1_500_000, occurredAt: '2025-01-09T02:00:00Z' }, key: 'deposit-2' };
    const answer = await dryRun('/partners/P-001/deposits', c);
    expect(answer.events).toHaveLength(1);
    expect(answer.events[0]).toMatchObject({ stream: 'partner-P-001', revision: expect.any(Number), type: 'DepositPosted', occurredAt: '2025-01-09T02:00:00.000Z', actor: { role: 'finance' } });
    expect(answer.events[0].data).toMatchObject({ partnerId: 'P-001', amountFen: 1_500_000 });
    expect(answer.balances.partners).toEqual([
      {
        partnerId: 'P-001',
        accounts: { accrued: zero, clawedBack: zero, paidOut: zero, deposit: { beforeFen: 9_000_000, afterFen: 10_500_000, deltaFen: 1_500_000 }, debt: zero, trafficOutstanding: zero, rebate: zero },
      },
    ]);
    expect(answer.balances.totals.deposit).toEqual({ beforeFen: 9_000_000, afterFen: 10_500_000, deltaFen: 1_500_000 });
    expect((await get(server, '/partners/P-001/balance', 'finance')).body.deposit).toBe(9_000_000);

    await realRunWritesThePrediction('/partners/P-001/deposits', c, answer.events);
    expect((await get(server, '/partners/P-001/balance', 'finance')).body.deposit).toBe(10_500_000);
  });

  it('a payment: the cash and the commission it would accrue at the partner\'s tier, accrued before and after', async () => {
    const c = { token: 'finance' as const, body: { paymentId: 'PAY-1', dealId: 'D-1', line: 'port', amount: 1_126_335, occurredAt: '2025-03-20T02:00:00Z' }, key: 'pay-1' };
    const answer = await dryRun('/payments', c);
    expect(answer.events.map((e: any) => e.type)).toEqual(['PaymentReceived', 'CommissionAccrued']);
    expect(answer.events[1].data).toMatchObject({ partnerId: 'P-001', tier: 'gold', rateBps: 4000, commissionFen: 450_534 });
    expect(answer.balances.partners.map((p: any) => p.partnerId)).toEqual(['P-001']);
    expect(answer.balances.partners[0].accounts.accrued).toEqual({ beforeFen: 0, afterFen: 450_534, deltaFen: 450_534 });
    expect(answer.balances.totals.accrued).toEqual({ beforeFen: 0, afterFen: 450_534, deltaFen: 450_534 });
    // Not written: the payment is unknown to a refund.
    const refund = await send('/refunds', { token: 'finance', body: { refundId: 'R-0', paymentId: 'PAY-1', amount: 1, reason: 'x' } });
    expect(refund.status).toBe(404);

    await realRunWritesThePrediction('/payments', c, answer.events);
    expect((await get(server, '/partners/P-001/balance', 'finance')).body.accrued).toBe(450_534);
  });

  it('a refused command answers the real command\'s refusal, and writes nothing', async () => {
    const c = { token: 'finance' as const, body: { refundId: 'R-1', paymentId: 'PAY-1', amount: 2_000_000, reason: 'more than was paid' } };
    const before = await headPosition(server);
    const dry = await send('/refunds', { ...c, dryRun: 'true' });
    const real = await send('/refunds', c);
    expect(real.status, JSON.stringify(real.body)).toBe(422);
    expect(dry.status, JSON.stringify(dry.body)).toBe(422);
    expect(dry.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const { instance: _a, ...dryProblem } = dry.body;
    const { instance: _b, ...realProblem } = real.body;
    expect(dryProblem).toEqual(realProblem);
    expect(await headPosition(server)).toBe(before);

    const unknownDeal = await send('/payments', { token: 'finance', body: { paymentId: 'PAY-X', dealId: 'D-404', line: 'port', amount: 100 }, dryRun: 'true' });
    expect(unknownDeal.status).toBe(404);
  });

  it('a payout: CommissionPaidOut per partner with a payable balance, paid out before and after', async () => {
    const c = { token: 'finance' as const, body: { quarter: '2025-Q1', occurredAt: '2025-04-10T02:00:00Z' }, key: 'payout-q1' };
    const answer = await dryRun('/payouts', c);
    expect(answer.events.map((e: any) => [e.stream, e.type])).toEqual([['partner-P-001', 'CommissionPaidOut']]);
    expect(answer.balances.partners[0].accounts.paidOut).toEqual({ beforeFen: 0, afterFen: 450_534, deltaFen: 450_534 });
    expect(answer.balances.partners[0].accounts.accrued).toEqual({ beforeFen: 450_534, afterFen: 450_534, deltaFen: 0 });
    expect((await get(server, '/partners/P-001/balance', 'finance')).body.payable).toBe(450_534);

    await realRunWritesThePrediction('/payouts', c, answer.events);
    expect((await get(server, '/partners/P-001/balance', 'finance')).body.payable).toBe(0);
    // The quarter paid: a second dry run would write nothing.
    const again = await dryRun('/payouts', { token: 'finance', body: c.body });
    expect(again.events).toEqual([]);
    expect(again.balances.partners).toEqual([]);
  });

  it('an Idempotency-Key: a dry run stores no answer; a used key answers wouldReplay, with another body 409', async () => {
    const c = { token: 'finance' as const, body: { amount: 10_000 }, key: 'deposit-key-3' };
    const first = await dryRun('/partners/P-002/deposits', c);
    expect(first.events).toHaveLength(1);
    expect(first.wouldReplay).toBeUndefined();
    // The key is still unused: the real command runs (201, not a replay) and writes.
    const before = await headPosition(server);
    const real = await send('/partners/P-002/deposits', c);
    expect(real.status).toBe(201);
    expect(real.headers.get('idempotent-replayed')).toBeNull();
    expect(await headPosition(server)).toBe(before + 1);

    const replay = await dryRun('/partners/P-002/deposits', c);
    expect(replay).toMatchObject({ dryRun: true, events: [], wouldReplay: true, balances: { partners: [] } });
    const other = await send('/partners/P-002/deposits', { ...c, body: { amount: 20_000 }, dryRun: 'true' });
    expect(other.status).toBe(409);
    expect(await headPosition(server)).toBe(before + 1);
  });

  it('dryRun takes only true or false (400 naming query.dryRun); false is the real command', async () => {
    const bad = await send('/partners/P-002/deposits', { token: 'finance', body: { amount: 5 }, dryRun: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'query.dryRun', message: 'must be true or false' }]);
    const before = await headPosition(server);
    const real = await send('/partners/P-002/deposits', { token: 'finance', body: { amount: 5 }, dryRun: 'false' });
    expect(real.status).toBe(201);
    expect(await headPosition(server)).toBe(before + 1);
  });

  it('a policy adoption: the versions and the adjustments a back-dated version would write, accrued before and after; then the real adoption writes exactly that', async () => {
    const document = structuredClone(defaultPolicy) as any;
    document.version = '2025.2';
    delete document.effectiveFrom;
    document.commission.ratesBps.port.gold = [3000, 1000];
    const c = { token: 'manager' as const, body: { version: '2025.2', effectiveFrom: '2025-01-01', document, reason: 'gold port rate to 30%', occurredAt: '2025-07-01T02:00:00Z' }, key: 'policy-2025.2' };
    const answer = await dryRun('/policies', c);
    expect(answer.events.map((e: any) => e.type)).toEqual(['PolicyAdopted', 'PolicyAdopted', 'CommissionAdjusted']);
    const adjustment = answer.events[2].data;
    expect(adjustment).toMatchObject({ partnerId: 'P-001', paymentId: 'PAY-1', toVersion: '2025.2' });
    expect(adjustment.adjustmentFen).toBeLessThan(0);
    expect(answer.balances.partners.map((p: any) => p.partnerId)).toEqual(['P-001']);
    expect(answer.balances.partners[0].accounts.accrued).toEqual({ beforeFen: 450_534, afterFen: 450_534 + adjustment.adjustmentFen, deltaFen: adjustment.adjustmentFen });
    expect((await get(server, '/policies', 'manager')).body).not.toEqual(expect.arrayContaining([expect.objectContaining({ version: '2025.2' })]));

    await realRunWritesThePrediction('/policies', c, answer.events);
    expect((await get(server, '/partners/P-001/balance', 'finance')).body.accrued).toBe(450_534 + adjustment.adjustmentFen);
  });

  it('roles are the real command\'s; a partner\'s dry run shows no stream revisions', async () => {
    const forbidden = await send('/partners/P-001/deposits', { token: 'partner1', body: { amount: 5 }, dryRun: 'true' });
    expect(forbidden.status).toBe(403);
    const answer = await dryRun('/deals', { token: 'partner1', body: { dealId: 'D-P1', partnerId: 'P-001', customer: { name: 'What If Trading Co' } } });
    expect(answer.events.map((e: any) => e.type)).toEqual(['DealRegistered']);
    expect(answer.events[0]).not.toHaveProperty('revision');
    expect(answer.balances).toEqual({ partners: [], totals: expect.objectContaining({ accrued: zero }) });
  });
});
